// Sessions in Postgres (connect-pg-simple) and the signed-in user for each request.
import session from 'express-session';
import type { Store } from 'express-session';
import type { RequestHandler } from 'express';
import type { Config } from '../../config.ts';
import type { DomainContext } from '../../domain/context.ts';
import { findUser } from '../../domain/accounts.ts';

declare module 'express-session' {
  interface SessionData {
    userId?: number;
  }
}

const TWO_WEEKS_MS = 14 * 24 * 60 * 60 * 1000;

/** express-session with cookies that are HttpOnly, SameSite=Lax and Secure under https. */
export function sessionMiddleware(config: Config, store: Store): RequestHandler {
  return session({
    name: 'ostrakon.sid',
    secret: config.sessionSecret,
    store,
    resave: false,
    saveUninitialized: false,
    rolling: true,
    cookie: {
      httpOnly: true,
      sameSite: 'lax',
      secure: config.publicUrl.startsWith('https:'),
      maxAge: TWO_WEEKS_MS,
    },
  });
}

/** Loads the signed-in user into res.locals.viewer (undefined for visitors). */
export function currentUser(ctx: DomainContext): RequestHandler {
  return async (req, res, next) => {
    const userId = req.session?.userId;
    if (userId !== undefined) {
      const user = await findUser(ctx, userId);
      if (user) res.locals.viewer = user;
      else delete req.session.userId; // the account was deleted
    }
    next();
  };
}
