// Registration, signing in and out.
import { Router } from 'express';
import { viewerOf } from '../locals.ts';
import type { Request, Response } from 'express';
import type { DomainContext } from '../../domain/context.ts';
import { authenticate, registerUser } from '../../domain/accounts.ts';
import type { UserRecord } from '../../domain/accounts.ts';
import { ForbiddenError, ValidationError } from '../../errors.ts';
import { localReturnPath, queryParam, readForm } from '../forms.ts';
import { endSession } from '../middleware/session.ts';
import { loginThrottle } from '../middleware/throttle.ts';
import type { LoginLimits } from '../middleware/throttle.ts';

// A new session id at sign-in, so a session fixed before it (by an attacker) is worth nothing.
function signIn(req: Request, user: UserRecord): Promise<void> {
  return new Promise((resolve, reject) => {
    req.session.regenerate((error) => {
      if (error) return reject(error);
      req.session.userId = user.id;
      req.session.save((saveError) => (saveError ? reject(saveError) : resolve()));
    });
  });
}

function renderRegister(res: Response, status: number, values: { nickname: string; email: string }, errors: Record<string, string> = {}) {
  res.status(status).render('auth/register', { title: 'Register', values, errors });
}

function renderLogin(res: Response, status: number, values: { nickname: string; returnTo: string }, error?: string, recovered = false) {
  res.status(status).render('auth/login', { title: 'Sign in', values, error, recovered });
}

/** /main/register, /main/login and /main/logout. */
export function authRoutes(ctx: DomainContext, loginLimits: LoginLimits): Router {
  const router = Router();
  const registrationClosed = () => ctx.config.registration === 'closed';

  router.get('/main/register', (_req, res) => {
    if (registrationClosed()) throw new ForbiddenError('Registration is closed on this site.');
    renderRegister(res, 200, { nickname: '', email: '' });
  });

  router.post('/main/register', async (req, res) => {
    const { fields, invalid } = readForm(req.body, ['nickname', 'password', 'confirm', 'email']);
    try {
      if (invalid) throw invalid;
      const user = await registerUser(ctx, {
        nickname: fields.nickname,
        password: fields.password,
        confirm: req.body?.confirm === undefined ? undefined : fields.confirm,
        email: fields.email,
      });
      await signIn(req, user);
      res.redirect(303, `/${user.nickname}/all`);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      renderRegister(res, error.status, { nickname: fields.nickname, email: fields.email }, error.fields);
    }
  });

  router.get('/main/login', (req, res) => {
    if (res.locals.viewer) return res.redirect(303, `/${viewerOf(res).nickname}/all`);
    renderLogin(res, 200, { nickname: '', returnTo: localReturnPath(queryParam(req.query, 'returnto'), '') }, undefined, queryParam(req.query, 'recovered') === '1');
  });

  router.post('/main/login', ...loginThrottle(ctx, loginLimits), async (req, res) => {
    const { fields, invalid } = readForm(req.body, ['nickname', 'password', 'returnto']);
    const returnTo = localReturnPath(fields.returnto, '');
    if (invalid) return renderLogin(res, invalid.status, { nickname: fields.nickname, returnTo }, invalid.message);
    const user = await authenticate(ctx, fields.nickname, fields.password);
    if (!user) {
      // The same answer whether the nickname exists or not.
      return renderLogin(res, 401, { nickname: fields.nickname, returnTo }, 'Incorrect nickname or password.');
    }
    await signIn(req, user);
    res.redirect(303, returnTo || `/${user.nickname}/all`);
  });

  router.post('/main/logout', async (req, res) => {
    await endSession(ctx.config, req, res);
    res.redirect(303, '/');
  });

  return router;
}
