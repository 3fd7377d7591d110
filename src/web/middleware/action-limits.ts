// Limits on what one person (or one address) may do in a window: notices and messages per hour, sign-ups per
// day, reports per day. Counted in Postgres like the sign-in throttle; only actions that succeeded
// count (a form shown again with an error is free), and the 429 page says when to try again.
import { rateLimit } from 'express-rate-limit';
import type { RequestHandler } from 'express';
import { HttpError } from '../../errors.ts';
import type { DomainContext } from '../../domain/context.ts';
import { PostgresThrottleStore } from './throttle-store.ts';

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;

function limiter(ctx: DomainContext, options: { prefix: string; windowMs: number; limit: number; byPerson: boolean; what: string }): RequestHandler {
  return rateLimit({
    windowMs: options.windowMs,
    limit: options.limit,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    skipFailedRequests: true,
    store: new PostgresThrottleStore(ctx, options.prefix),
    ...(options.byPerson ? { keyGenerator: (_req, res) => `person:${String(res.locals.viewer?.id ?? 0)}` } : {}),
    handler: (req, res, next) => {
      const resetTime = (req as unknown as { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime ?? new Date(Date.now() + options.windowMs);
      const seconds = Math.max(1, Math.ceil((resetTime.getTime() - Date.now()) / 1000));
      res.set('Retry-After', String(seconds));
      const when = resetTime.toISOString().slice(0, 16).replace('T', ' ');
      const minutes = Math.ceil(seconds / 60);
      next(new HttpError(429, `${options.what} Try again after ${when} UTC (in about ${minutes} minute${minutes === 1 ? '' : 's'}).`));
    },
  });
}

/** Notices per person per hour (after requireUser). */
export function noticeLimit(ctx: DomainContext): RequestHandler {
  const limit = ctx.config.noticesPerHour;
  return limiter(ctx, { prefix: 'notices:', windowMs: HOUR_MS, limit, byPerson: true, what: `You have posted ${limit} notices in the last hour, as many as this site allows.` });
}

/** Direct messages per person per hour (after requireUser): as many as notices. */
export function messageLimit(ctx: DomainContext): RequestHandler {
  const limit = ctx.config.noticesPerHour;
  return limiter(ctx, { prefix: 'messages:', windowMs: HOUR_MS, limit, byPerson: true, what: `You have sent ${limit} direct messages in the last hour, as many as this site allows.` });
}

/** Registrations per address per day. */
export function registrationLimit(ctx: DomainContext): RequestHandler {
  const limit = ctx.config.registrationsPerDay;
  return limiter(ctx, { prefix: 'register:', windowMs: DAY_MS, limit, byPerson: false, what: `${limit} accounts have been registered from your address today, as many as this site allows.` });
}

/** Reports per person per day (after requireUser). */
export function reportLimit(ctx: DomainContext): RequestHandler {
  const limit = ctx.config.reportsPerDay;
  return limiter(ctx, { prefix: 'reports:', windowMs: DAY_MS, limit, byPerson: true, what: `You have sent ${limit} reports today, as many as this site allows.` });
}
