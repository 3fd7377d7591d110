// CSRF protection for every state-changing browser form: a synchronizer token kept in the session.
import type { RequestHandler } from 'express';
import { csrfSync } from 'csrf-sync';

/** Checks `_csrf` on every POST and offers `csrfToken()` to views (server-to-server routes are mounted before it). */
export function csrfProtection(): RequestHandler[] {
  const { csrfSynchronisedProtection, generateToken } = csrfSync({
    // 32 random bytes (256 bits) as 64 hex digits. The default, 128 bytes, made every favorite and
    // repeat button of a signed-in page carry 256 characters: a third of a timeline page's weight.
    size: 32,
    getTokenFromRequest: (req) => {
      const token = (req.body as Record<string, unknown> | undefined)?._csrf;
      return typeof token === 'string' ? token : undefined;
    },
    errorConfig: {
      statusCode: 403,
      message: 'This form has expired or did not come from this site. Go back, reload the page and try again.',
      code: 'EBADCSRFTOKEN',
    },
  });
  const offerToken: RequestHandler = (req, res, next) => {
    // A function, so that only pages with forms create a session (not every visitor's first view).
    res.locals.csrfToken = () => {
      if (!req.session) res.locals.startSession?.();
      if (!req.session) throw new Error('A form asked for a CSRF token on a request without a session.');
      return generateToken(req);
    };
    next();
  };
  return [offerToken, csrfSynchronisedProtection];
}
