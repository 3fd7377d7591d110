// What the middleware puts on res.locals, typed.
import type { Response } from 'express';
import type { UserRecord } from '../domain/accounts.ts';
import { ForbiddenError } from '../errors.ts';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Locals {
      /** The signed-in user, when there is one. */
      viewer?: UserRecord;
      /** What another server answered when this page failed because of it; the access log shows it as a warning. */
      upstreamFailure?: { endpoint: string; status: number | undefined; reason: string };
      /**
       * What each federation protocol adds to a local person's profile page (headers, head links),
       * called only once the page has found the person, so that no protocol looks them up again.
       */
      profileAdvertisers?: Array<(nickname: string) => void>;
    }
  }
}

/** The signed-in user of a request behind requireUser. */
export function viewerOf(res: Response): UserRecord {
  const viewer = res.locals.viewer;
  if (!viewer) throw new ForbiddenError('Sign in first.');
  return viewer;
}

/** Lets each protocol advertise itself on the profile page of the local person `nickname`. */
export function advertiseProfile(res: Response, nickname: string): void {
  for (const advertise of res.locals.profileAdvertisers ?? []) advertise(nickname);
}
