// Background work that keeps home timelines: fan-out on write, and trimming to a cap.
import { fanOutToSubscribers, trimHomeTimelines } from '../db/home-timelines.ts';
import type { BatchJobHandler, DomainContext, JobHandler } from './context.ts';
import { imEnabled } from './im-addresses.ts';
import { queueImNotices } from './im-delivery.ts';
import { HOME_TRIM_JOB, NOTICE_FANOUT_JOB } from './jobs.ts';

/** Home timelines keep this many of their newest entries; older pages are read from profiles. */
export const HOME_TIMELINE_CAP = 1000;

// One INSERT ... SELECT for the notices, however many subscribers; a deleted notice inserts nothing.
// Chat messages of the notices are queued in the same transaction: one per reader who wants it.
async function fanOut(ctx: DomainContext, noticeIds: number[]): Promise<void> {
  if (!imEnabled(ctx)) {
    await fanOutToSubscribers(ctx.db, noticeIds);
    return;
  }
  await ctx.db.transaction(async (trx) => {
    await fanOutToSubscribers(trx, noticeIds);
    for (const noticeId of noticeIds) await queueImNotices(ctx, trx, noticeId);
  });
}

const fanOutNotice: JobHandler = (ctx, data) => fanOut(ctx, [Number(data.noticeId)]);

/** The fan-out of a batch of notices (one job each) in one statement: notices arriving together share a commit. */
export const fanOutNotices: BatchJobHandler = (ctx, batch) =>
  fanOut(
    ctx,
    batch.map((data) => Number(data.noticeId)),
  );

const trimHomes: JobHandler = async (ctx) => {
  await trimHomeTimelines(ctx.db, HOME_TIMELINE_CAP);
};

/** The timeline jobs, by name. */
export const timelineJobHandlers: Readonly<Record<string, JobHandler>> = {
  [NOTICE_FANOUT_JOB]: fanOutNotice,
  [HOME_TRIM_JOB]: trimHomes,
};
