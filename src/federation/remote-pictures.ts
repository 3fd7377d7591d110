// notice.picture.fetch: copy a remote notice's picture through the one outbound client (address
// policy, size and time limits) into our storage, by the same pipeline as uploads, so that pages
// never load pictures from other servers. Failures are retried with backoff; an answer that cannot
// get better (gone, refused, not an image, too large) or the last attempt leaves the picture a link.
import type { Config } from '../config.ts';
import type { JobHandler } from '../domain/context.ts';
import { REMOTE_PICTURE_FETCH_JOB } from '../domain/jobs.ts';
import { giveUpRemotePicture, pendingRemotePicture, storeRemotePicture } from '../domain/remote-pictures.ts';
import { ValidationError } from '../errors.ts';
import type { JobDefinition } from '../jobs/queue.ts';
import type { FederationContext } from './context.ts';
import { OutboundError } from './http-client.ts';

/** A remote picture's server answered something other than the picture. */
export class RemotePictureError extends Error {
  readonly permanent: boolean;
  constructor(message: string, permanent: boolean) {
    super(message);
    this.permanent = permanent;
  }
}

// Worth another try: timeouts, network errors, 5xx, 408 and 429. Anything else will not change.
function isPermanent(error: unknown): boolean {
  if (error instanceof RemotePictureError) return error.permanent;
  if (error instanceof OutboundError) return error.kind === 'bad-url' || error.kind === 'blocked' || error.kind === 'too-large' || error.kind === 'redirects';
  return error instanceof ValidationError; // the bytes are not a usable image
}

/** Fetches the picture the job was queued for, unless it no longer waits for a copy. */
export const fetchRemotePicture: JobHandler<FederationContext> = async (ctx, data, attempt) => {
  const attachmentId = Number(data.attachmentId);
  const pending = Number.isSafeInteger(attachmentId) ? await pendingRemotePicture(ctx, attachmentId) : undefined;
  if (!pending) return; // copied already, given up, or its notice was deleted
  try {
    const response = await ctx.http.request(pending.url, { maxBytes: ctx.config.pictureMaxBytes, totalTimeoutMs: 30_000, headers: { accept: 'image/*' } });
    if (response.status !== 200) {
      throw new RemotePictureError(`${pending.url} answered ${response.status}`, response.status >= 400 && response.status < 500 && response.status !== 408 && response.status !== 429);
    }
    await storeRemotePicture(ctx, attachmentId, response.bytes);
  } catch (error) {
    const last = attempt.retryCount >= attempt.retryLimit;
    if (!isPermanent(error) && !last) throw error; // retried with backoff
    await giveUpRemotePicture(ctx, attachmentId);
    attempt.logger.warn({ attachmentId, url: pending.url, reason: (error as Error).message }, 'a remote picture could not be copied; it is shown as a link');
  }
};

/** The job definition: retries back off from the delivery retry delay to an hour, for a few hours in all. */
export function remotePictureJobDefinitions(config: Config): Record<string, JobDefinition<FederationContext>> {
  return {
    [REMOTE_PICTURE_FETCH_JOB]: {
      handler: fetchRemotePicture,
      retryLimit: 8,
      retryDelaySeconds: config.deliveryRetrySeconds,
      retryDelayMaxSeconds: 3600,
      expireInSeconds: 120,
      batchSize: 1,
      localConcurrency: 2,
      pollForRetries: true,
    },
  };
}
