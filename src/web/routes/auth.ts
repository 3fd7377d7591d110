// Registration, signing in and out.
import { Router } from 'express';
import { viewerOf } from '../locals.ts';
import type { Request, Response } from 'express';
import type { DomainContext } from '../../domain/context.ts';
import { authenticate, inviteUsable, registerUser, signInProblem, SIGNUP_REASON_MAX_LENGTH } from '../../domain/accounts.ts';
import type { UserRecord } from '../../domain/accounts.ts';
import { ForbiddenError, ValidationError } from '../../errors.ts';
import { localReturnPath, queryParam, readForm } from '../forms.ts';
import { endSession } from '../middleware/session.ts';
import { loginThrottle } from '../middleware/throttle.ts';
import { registrationLimit } from '../middleware/action-limits.ts';
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

type RegisterValues = { nickname: string; email: string; reason: string };

function renderRegister(res: Response, status: number, values: RegisterValues, errors: Record<string, string> = {}, invite?: string) {
  const approval = res.app.locals.registrationMode === 'approval';
  const action = invite ? `/main/register/${encodeURIComponent(invite)}` : '/main/register';
  res.status(status).render('auth/register', { title: 'Register', values, errors, action, approval, reasonMaxLength: SIGNUP_REASON_MAX_LENGTH });
}

function renderLogin(res: Response, status: number, values: { nickname: string; returnTo: string }, error?: string, recovered = false) {
  res.status(status).render('auth/login', { title: 'Sign in', values, error, recovered });
}

/** /main/register, /main/login and /main/logout. */
export function authRoutes(ctx: DomainContext, loginLimits: LoginLimits, router: Router = Router()): Router {
  const mode = ctx.config.registration;
  const empty = { nickname: '', email: '', reason: '' };

  router.get('/main/register', (_req, res) => {
    if (mode === 'closed') throw new ForbiddenError('Registration is closed on this site.');
    if (mode === 'invite') throw new ForbiddenError('This site accepts new accounts by invitation only. Ask someone here for an invite link.');
    renderRegister(res, 200, empty);
  });

  router.get('/main/register/:code', async (req, res) => {
    if (mode !== 'invite') return res.redirect(303, '/main/register');
    const code = String(req.params.code);
    if (!(await inviteUsable(ctx, code))) throw new ForbiddenError('This invite link has already been used or has expired. Ask for a new one.');
    renderRegister(res, 200, empty, {}, code);
  });

  const register = async (req: Request, res: Response, inviteCode: string | undefined) => {
    const { fields, invalid } = readForm(req.body, ['nickname', 'password', 'confirm', 'email', 'reason']);
    const values = { nickname: fields.nickname, email: fields.email, reason: fields.reason };
    try {
      if (invalid) throw invalid;
      const user = await registerUser(ctx, {
        nickname: fields.nickname,
        password: fields.password,
        confirm: req.body?.confirm === undefined ? undefined : fields.confirm,
        email: fields.email,
        reason: fields.reason,
        inviteCode,
      });
      if (!user.approved) return res.status(202).render('auth/pending', { title: 'Waiting for approval', nickname: user.nickname });
      await signIn(req, user);
      res.redirect(303, `/${user.nickname}/all`);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      renderRegister(res, error.status, values, error.fields, inviteCode);
    }
  };
  router.post('/main/register', registrationLimit(ctx), (req, res) => register(req, res, undefined));
  router.post('/main/register/:code', registrationLimit(ctx), (req, res) => register(req, res, String(req.params.code)));

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
    const problem = signInProblem(user); // told only to someone who knows the password
    if (problem) return renderLogin(res, 403, { nickname: fields.nickname, returnTo }, problem);
    await signIn(req, user);
    res.redirect(303, returnTo || `/${user.nickname}/all`);
  });

  router.post('/main/logout', async (req, res) => {
    await endSession(ctx.config, req, res);
    res.redirect(303, '/');
  });

  return router;
}
