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
    }
  }
}

/** The signed-in user of a request behind requireUser. */
export function viewerOf(res: Response): UserRecord {
  const viewer = res.locals.viewer;
  if (!viewer) throw new ForbiddenError('Sign in first.');
  return viewer;
}
