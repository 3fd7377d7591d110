// Keeping the feeds' bookkeeping small: every deleted or edited notice leaves a row for the feed validators.
import { pruneNoticeDeletions } from '../db/feed-stamps.ts';
import type { JobHandler } from './context.ts';
import { FEED_DELETIONS_PRUNE_JOB } from './jobs.ts';

/**
 * How long a deletion (or edit) still moves a feed's Last-Modified. A reader that last asked longer ago than
 * this also sends an ETag built from the window's ids, which a deletion in the window has changed,
 * and forgetting a deletion changes the ETag once more, so nobody keeps a stale copy.
 */
export const DELETION_MEMORY_DAYS = 30;

const pruneDeletions: JobHandler = async (ctx) => {
  await pruneNoticeDeletions(ctx.db, DELETION_MEMORY_DAYS);
};

/** The feed upkeep jobs, by name. */
export const feedJobHandlers: Readonly<Record<string, JobHandler>> = {
  [FEED_DELETIONS_PRUNE_JOB]: pruneDeletions,
};
