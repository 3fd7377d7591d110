// Login throttling, per IP address and per account, answered with 429 and Retry-After. Failed
// sign-ins are counted per address as well as per account, so that one address trying a common
// password against every account of a site (password spraying) is stopped after a few tries.
import { rateLimit } from 'express-rate-limit';
import type { Options } from 'express-rate-limit';
import type { RequestHandler } from 'express';
import { HttpError } from '../../errors.ts';
import type { DomainContext } from '../../domain/context.ts';
import { normalizeNickname } from '../../domain/nicknames.ts';
import { recoveryThrottleKey } from '../../domain/password-recovery.ts';
import { PostgresThrottleStore } from './throttle-store.ts';

export type LoginLimits = {
  /** Sign-in attempts, successful or not, from one address per window. */
  perIp: number;
  /** Failed sign-ins from one address per window, whatever accounts they name (default: perIp). */
  perIpFailures?: number;
  /** Failed sign-ins naming one account per window, whatever addresses they come from. */
  perAccount: number;
  windowMs: number;
};

/** 50 attempts and 10 failures per address, 10 failures per account, in 15 minutes. */
export const DEFAULT_LOGIN_LIMITS: Readonly<Required<LoginLimits>> = { perIp: 50, perIpFailures: 10, perAccount: 10, windowMs: 15 * 60 * 1000 };

export type RecoveryLimits = { perIp: number; perAccount: number; windowMs: number };

/** Password-recovery requests: a few an hour per account (or address typed), more per IP address. */
export const DEFAULT_RECOVERY_LIMITS: RecoveryLimits = { perIp: 20, perAccount: 5, windowMs: 60 * 60 * 1000 };

function tooManyOf(what: string): Options['handler'] {
  return (req, res, next, options) => {
    const resetTime = (req as unknown as { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime;
    const seconds = resetTime ? Math.max(1, Math.ceil((resetTime.getTime() - Date.now()) / 1000)) : Math.ceil(options.windowMs / 1000);
    res.set('Retry-After', String(seconds));
    next(new HttpError(429, `Too many ${what}. Wait ${Math.ceil(seconds / 60)} minute(s) and try again.`));
  };
}

const tooMany = tooManyOf('sign-in attempts');

/** Middleware for POST /main/login: all attempts and failed ones count per IP, failed ones per account (counted in Postgres). */
export function loginThrottle(ctx: DomainContext, limits: LoginLimits): RequestHandler[] {
  const perIp = rateLimit({
    windowMs: limits.windowMs,
    limit: limits.perIp,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    handler: tooMany,
    store: new PostgresThrottleStore(ctx, 'ip:'),
  });
  const perIpFailures = rateLimit({
    windowMs: limits.windowMs,
    limit: limits.perIpFailures ?? limits.perIp,
    standardHeaders: false,
    legacyHeaders: false,
    skipSuccessfulRequests: true, // a successful sign-in answers with a redirect
    handler: tooMany,
    store: new PostgresThrottleStore(ctx, 'ip-failed:'),
  });
  const perAccount = rateLimit({
    store: new PostgresThrottleStore(ctx, 'login:'),
    windowMs: limits.windowMs,
    limit: limits.perAccount,
    standardHeaders: false,
    legacyHeaders: false,
    skipSuccessfulRequests: true, // a successful sign-in answers with a redirect
    keyGenerator: (req) => {
      const nickname = (req.body as Record<string, unknown> | undefined)?.nickname;
      return `account:${typeof nickname === 'string' ? normalizeNickname(nickname) : ''}`;
    },
    handler: tooMany,
  });
  return [perIp, perIpFailures, perAccount];
}

/**
 * Middleware for forms that check a signed-in person's current password (after requireUser): a
 * wrong one counts as a failed sign-in of that account, so a stolen session cannot guess the
 * password there faster than the sign-in form allows.
 */
export function passwordCheckThrottle(ctx: DomainContext, limits: LoginLimits): RequestHandler {
  return rateLimit({
    store: new PostgresThrottleStore(ctx, 'login:'), // the sign-in form's per-account counters
    windowMs: limits.windowMs,
    limit: limits.perAccount,
    standardHeaders: false,
    legacyHeaders: false,
    skipSuccessfulRequests: true,
    keyGenerator: (_req, res) => `account:${normalizeNickname(String(res.locals.viewer?.nickname ?? ''))}`,
    handler: tooMany,
  });
}

/** Middleware for POST /main/recoverpassword: every request counts per IP and per account (or per address or nickname typed, when none matches). */
export function recoveryThrottle(ctx: DomainContext, limits: RecoveryLimits): RequestHandler[] {
  const handler = tooManyOf('password-recovery requests');
  const perIp = rateLimit({
    windowMs: limits.windowMs,
    limit: limits.perIp,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    handler,
    store: new PostgresThrottleStore(ctx, 'recover-ip:'),
  });
  const perAccount = rateLimit({
    store: new PostgresThrottleStore(ctx, 'recover:'),
    windowMs: limits.windowMs,
    limit: limits.perAccount,
    standardHeaders: false,
    legacyHeaders: false,
    keyGenerator: (req) => {
      const login = (req.body as Record<string, unknown> | undefined)?.login;
      return recoveryThrottleKey(ctx, typeof login === 'string' ? login : '');
    },
    handler,
  });
  return [perIp, perAccount];
}

/** Confirmation emails a signed-in person may have sent (address changes and resends) per hour: no mailbox gets flooded from one account. */
export const CONFIRMATION_LIMIT_PER_HOUR = 10;

/** Middleware for the forms that send a confirmation email; counts per account, after requireUser. */
export function confirmationThrottle(ctx: DomainContext): RequestHandler {
  return rateLimit({
    store: new PostgresThrottleStore(ctx, 'confirm:'),
    windowMs: 60 * 60 * 1000,
    limit: CONFIRMATION_LIMIT_PER_HOUR,
    standardHeaders: false,
    legacyHeaders: false,
    keyGenerator: (_req, res) => `user:${String((res.locals as { viewer?: { id: number } }).viewer?.id ?? '')}`,
    handler: tooManyOf('address changes'),
  });
}
