// Reports: anyone signed in can report a person (and one of their notices) to the site's
// moderators, who close each report with an action.
import { ForbiddenError, HttpError, NotFoundError, ValidationError } from '../errors.ts';
import { getNoticeById } from '../db/notices.ts';
import { getProfileById } from '../db/profiles.ts';
import { getReportById, insertReport, listReports, markReportClosed } from '../db/reports.ts';
import type { ReportRecord } from '../db/reports.ts';
import { getRegistrantByNickname, insertLogEntry } from '../db/moderation.ts';
import type { NoticeRecord, ProfileRecord, UserRecord } from '../db/records.ts';
import type { DomainContext } from './context.ts';
import { parseId } from './ids.ts';
import { REPORT_FORWARD_JOB } from './jobs.ts';
import { applyPersonAction, cleanNote } from './moderation.ts';
import { deleteAndRetractNotice } from './notices.ts';

export type { ReportRecord };

/** The reasons a report can give, with the words the form shows. */
export const REPORT_REASONS = { spam: 'Spam', abuse: 'Harassment or abuse', illegal: 'Illegal content', other: 'Something else' } as const;
export type ReportReason = keyof typeof REPORT_REASONS;

/** Longest comment on a report. */
export const REPORT_COMMENT_MAX_LENGTH = 1000;

/** What closing a report can do. */
export const CLOSE_ACTIONS = { none: 'No action', 'delete-notice': 'Delete the notice', silence: 'Silence the person', suspend: 'Suspend the person' } as const;
export type CloseAction = keyof typeof CLOSE_ACTIONS;

export type ReportSubject = { profile: ProfileRecord; notice: NoticeRecord | undefined };

/** Who (and which notice) a report form is about, from the ids in its URL or fields; 404 when they do not exist. */
export async function reportSubject(ctx: DomainContext, rawProfile: string, rawNotice: string): Promise<ReportSubject> {
  let notice: NoticeRecord | undefined;
  if (rawNotice !== '') {
    const id = parseId(rawNotice);
    notice = id === undefined ? undefined : await getNoticeById(ctx.db, id);
    if (!notice) throw new NotFoundError('The notice you want to report does not exist (any more).');
  }
  const profileId = rawProfile === '' ? notice?.author.id : parseId(rawProfile);
  const profile = profileId === undefined ? undefined : await getProfileById(ctx.db, profileId);
  if (!profile) throw new NotFoundError('The person you want to report does not exist.');
  if (notice && notice.author.id !== profile.id) throw new ValidationError({ notice: 'That notice is not by that person.' });
  return { profile, notice };
}

/**
 * Files a report by a signed-in person; throws ValidationError naming the faulty fields. With
 * `forward`, a report about someone on another server is also sent on to their server's moderators
 * (from the site, not from the reporter).
 */
export async function fileReport(ctx: DomainContext, reporter: UserRecord, subject: ReportSubject, input: { reason: string; comment: string; forward?: boolean }): Promise<number> {
  if (subject.profile.id === reporter.id) throw new ValidationError({ profile: 'You cannot report yourself.' });
  const problems: Record<string, string> = {};
  if (!Object.hasOwn(REPORT_REASONS, input.reason)) problems.reason = 'Choose a reason from the list.';
  const comment = input.comment.replace(/\r\n?/g, '\n').trim();
  const length = [...comment].length;
  if (length > REPORT_COMMENT_MAX_LENGTH) problems.comment = `The comment is too long: ${length} characters, at most ${REPORT_COMMENT_MAX_LENGTH}.`;
  else if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(comment)) problems.comment = 'The comment contains control characters.';
  if (Object.keys(problems).length > 0) throw new ValidationError(problems);
  return ctx.db.transaction(async (trx) => {
    const id = await insertReport(trx, { reporterId: reporter.id, targetId: subject.profile.id, noticeId: subject.notice?.id ?? null, reason: input.reason, comment });
    if (input.forward && !subject.profile.isLocal) await ctx.jobs.send(trx, REPORT_FORWARD_JOB, { reportId: id });
    return id;
  });
}

/** Reports newest first, open ones only unless `all`. */
export function reportList(ctx: DomainContext, options: { all: boolean; before: number | undefined; limit: number }): Promise<ReportRecord[]> {
  return listReports(ctx.db, { openOnly: !options.all, before: options.before, limit: options.limit });
}

/** One report by the id in its URL, or 404. */
export async function getReport(ctx: DomainContext, rawId: string): Promise<ReportRecord> {
  const id = parseId(rawId);
  const report = id === undefined ? undefined : await getReportById(ctx.db, id);
  if (!report) throw new NotFoundError('No such report.');
  return report;
}

/** Closes a report with an action (deleting the notice, silencing or suspending its target), logged in the audit log. */
export async function closeReport(ctx: DomainContext, actor: UserRecord, rawId: string, input: { action: string; note: string }): Promise<ReportRecord> {
  const report = await getReport(ctx, rawId);
  if (!Object.hasOwn(CLOSE_ACTIONS, input.action)) throw new ValidationError({ action: 'Choose an action from the list.' });
  const action = input.action as CloseAction;
  const note = cleanNote(input.note);
  if (report.closedAt) throw new HttpError(409, 'This report is already closed.');
  if (action === 'delete-notice' && report.noticeId === null) throw new ValidationError({ action: 'This report names no notice (or it is already deleted).' });
  if ((action === 'silence' || action === 'suspend') && report.targetIsLocal) {
    const target = await getRegistrantByNickname(ctx.db, report.targetName);
    if (!target) throw new NotFoundError('The reported account does not exist any more.');
    if (target.id === actor.id) throw new ForbiddenError('You cannot do that to your own account.');
    if (target.role !== 'user' && !actor.isAdmin) throw new ForbiddenError('Only admins can act on admins and moderators.');
  }
  await ctx.db.transaction(async (trx) => {
    if (!(await markReportClosed(trx, report.id, actor.id, action))) throw new HttpError(409, 'This report is already closed.');
    const notice = action === 'delete-notice' ? await getNoticeById(trx, report.noticeId!) : undefined;
    if (notice) await deleteAndRetractNotice(ctx, trx, notice); // retracted as its author's own deletion is
    if (action === 'silence' || action === 'suspend') await applyPersonAction(trx, report.targetId, action);
    await insertLogEntry(trx, {
      actorId: actor.id,
      actorName: actor.nickname,
      action: `close-report:${action}`,
      targetId: report.targetId,
      targetName: report.targetName,
      noticeId: report.noticeId,
      note: note || `report #${report.id}`,
    });
  });
  return report;
}
