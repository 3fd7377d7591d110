// Background work that keeps home timelines: fan-out on write, and trimming to a cap.
import { fanOutToSubscribers, trimHomeTimelines } from '../db/home-timelines.ts';
import type { JobHandler } from './context.ts';
import { imEnabled } from './im-addresses.ts';
import { queueImNotices } from './im-delivery.ts';
import { HOME_TRIM_JOB, NOTICE_FANOUT_JOB } from './jobs.ts';

/** Home timelines keep this many of their newest entries; older pages are read from profiles. */
export const HOME_TIMELINE_CAP = 1000;

const fanOutNotice: JobHandler = async (ctx, data) => {
  // One INSERT ... SELECT per notice, however many subscribers; a deleted notice inserts nothing.
  // Chat messages of the notice are queued in the same transaction: one per reader who wants it.
  const noticeId = Number(data.noticeId);
  if (!imEnabled(ctx)) {
    await fanOutToSubscribers(ctx.db, noticeId);
    return;
  }
  await ctx.db.transaction(async (trx) => {
    await fanOutToSubscribers(trx, noticeId);
    await queueImNotices(ctx, trx, noticeId);
  });
};

const trimHomes: JobHandler = async (ctx) => {
  await trimHomeTimelines(ctx.db, HOME_TIMELINE_CAP);
};

/** The timeline jobs, by name. */
export const timelineJobHandlers: Readonly<Record<string, JobHandler>> = {
  [NOTICE_FANOUT_JOB]: fanOutNotice,
  [HOME_TRIM_JOB]: trimHomes,
};
