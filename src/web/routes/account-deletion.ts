// /settings/delete: a person deletes their own account, confirming with their password.
import { Router } from 'express';
import type { Response } from 'express';
import type { DomainContext } from '../../domain/context.ts';
import { deleteOwnAccount } from '../../domain/account-deletion.ts';
import { ValidationError } from '../../errors.ts';
import { readForm } from '../forms.ts';
import { viewerOf } from '../locals.ts';
import { requireUser } from '../middleware/require-user.ts';
import { endSession } from '../middleware/session.ts';
import { passwordCheckThrottle } from '../middleware/throttle.ts';
import type { LoginLimits } from '../middleware/throttle.ts';

function renderForm(res: Response, status: number, errors: Record<string, string> = {}) {
  res.status(status).render('settings/delete', { title: 'Delete your account', errors });
}

/** GET and POST /settings/delete. */
export function accountDeletionRoutes(ctx: DomainContext, loginLimits: LoginLimits, router: Router = Router()): Router {

  router.get('/settings/delete', requireUser, (_req, res) => renderForm(res, 200));

  // A wrong password counts as a failed sign-in of the account, as on the password page.
  router.post('/settings/delete', requireUser, passwordCheckThrottle(ctx, loginLimits), async (req, res) => {
    const { fields, invalid } = readForm(req.body, ['password']);
    let nickname: string;
    try {
      if (invalid) throw invalid;
      nickname = (await deleteOwnAccount(ctx, viewerOf(res).id, fields.password)).user.nickname;
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      return renderForm(res, error.status, error.fields);
    }
    await endSession(ctx.config, req, res);
    res.locals.me = undefined;
    res.locals.viewer = undefined;
    res.status(200).render('settings/deleted', { title: 'Account deleted', nickname });
  });

  return router;
}
