// Background work that keeps home timelines: fan-out on write, and trimming to a cap.
import { fanOutToSubscribers, trimHomeTimelines } from '../db/home-timelines.ts';
import type { BatchJobHandler, JobHandler } from './context.ts';
import { HOME_TRIM_JOB, NOTICE_FANOUT_JOB } from './jobs.ts';

/** Home timelines keep this many of their newest entries; older pages are read from profiles. */
export const HOME_TIMELINE_CAP = 1000;

const fanOutNotice: JobHandler = async (ctx, data) => {
  // One INSERT ... SELECT per notice, however many subscribers; a deleted notice inserts nothing.
  await fanOutToSubscribers(ctx.db, [Number(data.noticeId)]);
};

/** The fan-out of a batch of notices (one job each) in one statement: notices arriving together share a commit. */
export const fanOutNotices: BatchJobHandler = async (ctx, batch) => {
  await fanOutToSubscribers(
    ctx.db,
    batch.map((data) => Number(data.noticeId)),
  );
};

const trimHomes: JobHandler = async (ctx) => {
  await trimHomeTimelines(ctx.db, HOME_TIMELINE_CAP);
};

/** The timeline jobs, by name. */
export const timelineJobHandlers: Readonly<Record<string, JobHandler>> = {
  [NOTICE_FANOUT_JOB]: fanOutNotice,
  [HOME_TRIM_JOB]: trimHomes,
};
