// profile.avatar.fetch: download a remote person's avatar through the one outbound client and keep
// our own copy, made by the same pipeline as uploads, so that pages never hotlink other servers.
import type { JobHandler } from '../domain/context.ts';
import type { FederationContext } from './context.ts';
import { clearRemoteAvatar, storeRemoteAvatar } from '../domain/avatars.ts';
import { REMOTE_AVATAR_FETCH_JOB } from '../domain/jobs.ts';
import { findRemoteProfile } from '../domain/lookups.ts';
import type { JobDefinition } from '../jobs/queue.ts';

/** A remote avatar that could not be fetched or used; the job is retried. */
export class RemoteAvatarError extends Error {}

/** Fetches the avatar URL the job was queued for, unless the profile has moved on to another one. */
export const fetchRemoteAvatar: JobHandler<FederationContext> = async (ctx, data) => {
  const profileId = Number(data.profileId);
  const url = typeof data.url === 'string' ? data.url : null;
  const profile = await findRemoteProfile(ctx.db, profileId);
  if (!profile || profile.avatarUrl !== url) return; // gone, or a newer job has the newer URL
  if (url === null) {
    await clearRemoteAvatar(ctx, profileId, null);
    return;
  }
  try {
    const response = await ctx.http.request(url, { maxBytes: ctx.config.avatarMaxBytes, totalTimeoutMs: 20_000 });
    if (response.status !== 200) throw new RemoteAvatarError(`${url} answered ${response.status}`);
    await storeRemoteAvatar(ctx, profileId, url, response.bytes);
  } catch (error) {
    // Until a retry succeeds the person is shown with the default picture, not a stale one.
    await clearRemoteAvatar(ctx, profileId, url);
    throw error;
  }
};

/** The job definition: a handful of retries, backing off from a minute. */
export const remoteAvatarJobDefinitions: Record<string, JobDefinition<FederationContext>> = {
  [REMOTE_AVATAR_FETCH_JOB]: { handler: fetchRemoteAvatar, retryLimit: 6, retryDelaySeconds: 60, retryDelayMaxSeconds: 3600, expireInSeconds: 120, batchSize: 1, localConcurrency: 2, pollForRetries: true },
};
