// Pages and actions for the site's admins and moderators (after requireUser).
import type { RequestHandler } from 'express';
import { ForbiddenError } from '../../errors.ts';
import { isStaff } from '../../domain/moderation.ts';

/** 403 unless the signed-in person is an admin or a moderator. */
export const requireStaff: RequestHandler = (_req, res, next) => {
  if (!isStaff(res.locals.viewer)) throw new ForbiddenError('Only the site’s admins and moderators can see this.');
  next();
};

/** 403 unless the signed-in person is an admin. */
export const requireAdmin: RequestHandler = (_req, res, next) => {
  if (!res.locals.viewer?.isAdmin) throw new ForbiddenError('Only the site’s admins can do this.');
  next();
};
