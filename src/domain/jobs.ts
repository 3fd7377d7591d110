// Names of the background jobs the domain enqueues.

/** Put a new notice on its author's subscribers' home timelines. */
export const NOTICE_FANOUT_JOB = 'notice.fanout';

/** Keep every home timeline at its cap (runs on a schedule). */
export const HOME_TRIM_JOB = 'home.trim';
