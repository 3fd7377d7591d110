// Reports people file about other people (and optionally one of their notices).
import type { Knex } from 'knex';

export type ReportRecord = {
  id: number;
  reporterId: number | null;
  reporterName: string | null;
  targetId: number;
  targetName: string;
  targetIsLocal: boolean;
  targetProfileUrl: string | null;
  noticeId: number | null;
  noticeContent: string | null;
  reason: string;
  comment: string;
  createdAt: Date;
  closedAt: Date | null;
  closedByName: string | null;
  action: string | null;
  /** The server an ActivityPub Flag brought this report from, or null for a report made here. */
  origin: string | null;
  /** When it was sent on to the reported person's server, or null. */
  forwardedAt: Date | null;
};

/** Saves a report; returns its id. */
export async function insertReport(
  db: Knex,
  report: { reporterId: number | null; targetId: number; noticeId: number | null; reason: string; comment: string; origin?: string | null },
): Promise<number> {
  const [row] = await db('reports')
    .insert({ reporter_id: report.reporterId, target_id: report.targetId, notice_id: report.noticeId, reason: report.reason, comment: report.comment, origin: report.origin ?? null })
    .returning('id');
  return Number((row as { id: number }).id);
}

function reportQuery(db: Knex): Knex.QueryBuilder {
  return db('reports as r')
    .join('profiles as t', 't.id', 'r.target_id')
    .leftJoin('profiles as rp', 'rp.id', 'r.reporter_id')
    .leftJoin('notices as n', 'n.id', 'r.notice_id')
    .leftJoin('profiles as cp', 'cp.id', 'r.closed_by')
    .select(
      'r.*',
      'rp.nickname as reporter_name',
      't.nickname as target_name',
      't.is_local as target_is_local',
      't.profile_url as target_profile_url',
      'n.content as notice_content',
      'cp.nickname as closed_by_name',
    );
}

function toReport(row: Record<string, unknown>): ReportRecord {
  return {
    id: Number(row.id),
    reporterId: row.reporter_id === null ? null : Number(row.reporter_id),
    reporterName: row.reporter_name as string | null,
    targetId: Number(row.target_id),
    targetName: row.target_name as string,
    targetIsLocal: row.target_is_local as boolean,
    targetProfileUrl: row.target_profile_url as string | null,
    noticeId: row.notice_id === null ? null : Number(row.notice_id),
    noticeContent: row.notice_content as string | null,
    reason: row.reason as string,
    comment: row.comment as string,
    createdAt: row.created_at as Date,
    closedAt: row.closed_at as Date | null,
    closedByName: row.closed_by_name as string | null,
    action: row.action as string | null,
    origin: (row.origin as string | null | undefined) ?? null,
    forwardedAt: (row.forwarded_at as Date | null | undefined) ?? null,
  };
}

/** Reports newest first, keyset-paged by id; only open ones when `openOnly`. */
export async function listReports(db: Knex, options: { openOnly: boolean; before: number | undefined; limit: number }): Promise<ReportRecord[]> {
  const query = reportQuery(db).orderBy('r.id', 'desc').limit(options.limit);
  if (options.openOnly) query.whereNull('r.closed_at');
  if (options.before !== undefined) query.where('r.id', '<', options.before);
  return (await query).map(toReport);
}

/** One report, or undefined. */
export async function getReportById(db: Knex, id: number): Promise<ReportRecord | undefined> {
  const row = await reportQuery(db).where('r.id', id).first();
  return row ? toReport(row) : undefined;
}

/** Closes an open report with the action taken; false when it was already closed. */
export async function markReportClosed(db: Knex, id: number, closedBy: number, action: string): Promise<boolean> {
  return (await db('reports').where({ id }).whereNull('closed_at').update({ closed_at: db.fn.now(), closed_by: closedBy, action })) > 0;
}

/** Records that a report was sent on to the reported person's server. */
export async function markReportForwarded(db: Knex, id: number): Promise<void> {
  await db('reports').where({ id }).update({ forwarded_at: db.fn.now() });
}
