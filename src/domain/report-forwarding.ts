// Reports across servers: a report about someone on another server can be sent on to that
// server's moderators (by the reporter's choice, or a moderator's later), and a report another
// server sends about someone here becomes one of ours. Protocol-neutral: ActivityPub's Flag
// carries them both ways.
import { HttpError, ValidationError } from '../errors.ts';
import { insertLogEntry } from '../db/moderation.ts';
import { getReportById, insertReport, markReportForwarded } from '../db/reports.ts';
import type { ReportRecord } from '../db/reports.ts';
import type { UserRecord } from '../db/records.ts';
import type { Db, DomainContext } from './context.ts';
import { REPORT_FORWARD_JOB } from './jobs.ts';
import { REPORT_COMMENT_MAX_LENGTH, getReport } from './reports.ts';

/** A moderator sends a report about a remote person on to their server (once). */
export async function forwardReport(ctx: DomainContext, actor: UserRecord, rawId: string): Promise<ReportRecord> {
  const report = await getReport(ctx, rawId);
  if (report.targetIsLocal) throw new ValidationError({ forward: 'This report is about someone on this site: there is no other server to tell.' });
  if (report.forwardedAt) throw new HttpError(409, 'This report has already been sent to their server.');
  await ctx.db.transaction(async (trx) => {
    await ctx.jobs.send(trx, REPORT_FORWARD_JOB, { reportId: report.id });
    await insertLogEntry(trx, { actorId: actor.id, actorName: actor.nickname, action: 'forward-report', targetId: report.targetId, targetName: report.targetName, noticeId: report.noticeId, note: `report #${report.id}` });
  });
  return report;
}

/** The report a forwarding job is about, or undefined when it is gone. */
export function reportToForward(db: Db, id: number): Promise<ReportRecord | undefined> {
  return Number.isSafeInteger(id) ? getReportById(db, id) : Promise.resolve(undefined);
}

/** Records that a protocol has sent the report on. */
export function reportForwarded(db: Db, id: number): Promise<void> {
  return markReportForwarded(db, id);
}

const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;

/**
 * Stores a report another server sent about a local person (and one of their notices): the
 * reporter is the remote profile when we know it, else only the server is named. The comment is
 * stored as bounded plain text.
 */
export async function receiveRemoteReport(
  db: Db,
  input: { origin: string; reporterId: number | null; targetId: number; noticeId: number | null; comment: string },
): Promise<number> {
  const comment = [...input.comment.replace(CONTROL, '').trim()].slice(0, REPORT_COMMENT_MAX_LENGTH).join('');
  return insertReport(db, { reporterId: input.reporterId, targetId: input.targetId, noticeId: input.noticeId, reason: 'other', comment, origin: input.origin.slice(0, 255) });
}
