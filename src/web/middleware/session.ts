// Sessions in Postgres (connect-pg-simple) and the signed-in user for each request.
import session from 'express-session';
import type { Store } from 'express-session';
import type { Request, RequestHandler, Response } from 'express';
import type { Config } from '../../config.ts';
import type { DomainContext } from '../../domain/context.ts';
import { findUser } from '../../domain/accounts.ts';

declare module 'express-session' {
  interface SessionData {
    userId?: number;
  }
}

const TWO_WEEKS_MS = 14 * 24 * 60 * 60 * 1000;

/** The session cookie's name. */
export const SESSION_COOKIE = 'ostrakon.sid';

/** The flags every cookie of this site carries, the ones that clear a cookie included. */
export function cookieFlags(config: Config): { httpOnly: true; sameSite: 'lax'; secure: boolean; path: '/' } {
  return { httpOnly: true, sameSite: 'lax', secure: config.publicUrl.startsWith('https:'), path: '/' };
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Locals {
      /** Starts a session for a request that came without one (a page asking for a CSRF token). */
      startSession?: () => void;
    }
  }
}

/**
 * express-session with cookies that are HttpOnly, SameSite=Lax and Secure under https.
 * A GET or HEAD without a session cookie gets no session at all (most page views): only a page
 * that renders a form starts one, through res.locals.startSession, when it asks for its token.
 */
export function sessionMiddleware(config: Config, store: Store): RequestHandler {
  const withSession = session({
    name: SESSION_COOKIE,
    secret: config.sessionSecret,
    store,
    resave: false,
    saveUninitialized: false,
    rolling: true,
    cookie: { ...cookieFlags(config), maxAge: TWO_WEEKS_MS },
  });
  const cookiePrefix = `${SESSION_COOKIE}=`;
  return (req, res, next) => {
    if ((req.method === 'GET' || req.method === 'HEAD') && !req.headers.cookie?.includes(cookiePrefix)) {
      // Without a cookie express-session only creates a fresh session and hooks the response, all
      // synchronously: done on demand, before the page is sent, it saves and sets the cookie as usual.
      res.locals.startSession = () => withSession(req, res, () => {});
      return next();
    }
    return withSession(req, res, next);
  };
}

/** Ends the session and tells the browser to drop its cookie (with the same flags it was set with). */
export function endSession(config: Config, req: Request, res: Response): Promise<void> {
  return new Promise((resolve, reject) => {
    req.session.destroy((error) => {
      if (error) return reject(error);
      res.clearCookie(SESSION_COOKIE, cookieFlags(config));
      resolve();
    });
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
