// Names of ActivityPub's own jobs, in a module without Fedify (protocol.ts defines the jobs
// before Fedify is loaded).

/** Fetch the note a stored reply answers (data: its uri, and depth: how far up from the incoming note). */
export const AP_PARENT_FETCH_JOB = 'ap.parent.fetch';

/** Hourly removal of expired key-value entries (Fedify's caches). */
export const AP_KV_PURGE_JOB = 'ap.kv.purge';
