// Pages and actions for signed-in users only.
import type { RequestHandler } from 'express';

/** Sends visitors to the login page (GET) or answers 403 (other methods). */
export const requireUser: RequestHandler = (req, res, next) => {
  if (res.locals.viewer) return next();
  if (req.method === 'GET') return res.redirect(303, `/main/login?returnto=${encodeURIComponent(req.originalUrl)}`);
  res.status(403).render('errors/403', { title: 'Sign in first', status: 403, message: 'Sign in first.' });
};
