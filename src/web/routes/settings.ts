// Account settings.
import { Router } from 'express';
import { viewerOf } from '../locals.ts';
import type { Response } from 'express';
import type { DomainContext } from '../../domain/context.ts';
import { changePassword } from '../../domain/accounts.ts';
import { ValidationError } from '../../errors.ts';
import { readForm } from '../forms.ts';
import { requireUser } from '../middleware/require-user.ts';
import { passwordCheckThrottle } from '../middleware/throttle.ts';
import type { LoginLimits } from '../middleware/throttle.ts';

function renderPassword(res: Response, status: number, errors: Record<string, string> = {}, saved = false, sessionsEnded = 0) {
  res.status(status).render('settings/password', { title: 'Change password', errors, saved, sessionsEnded });
}

/** /settings/password. */
export function settingsRoutes(ctx: DomainContext, loginLimits: LoginLimits, router: Router = Router()): Router {

  router.get('/settings/password', requireUser, (_req, res) => renderPassword(res, 200));

  router.post('/settings/password', requireUser, passwordCheckThrottle(ctx, loginLimits), async (req, res) => {
    const { fields, invalid } = readForm(req.body, ['current', 'password', 'confirm']);
    let sessionsEnded: number;
    try {
      if (invalid) throw invalid;
      const change = { current: fields.current, password: fields.password, confirm: fields.confirm };
      sessionsEnded = await changePassword(ctx, viewerOf(res).id, change, req.sessionID);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      return renderPassword(res, error.status, error.fields);
    }
    renderPassword(res, 200, {}, true, sessionsEnded);
  });

  return router;
}
