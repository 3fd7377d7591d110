// Password recovery (Laconica's /main/recoverpassword): ask for a link by nickname or address, then
// follow it to choose a new password. The link's page only shows a form (mail scanners that open
// links use nothing up); the form's POST sets the password.
import { Router } from 'express';
import type { Response } from 'express';
import type { DomainContext } from '../../domain/context.ts';
import { checkRecoveryLink, recoverPassword, requestPasswordRecovery } from '../../domain/password-recovery.ts';
import { ValidationError } from '../../errors.ts';
import { formFields } from '../forms.ts';
import { recoveryThrottle } from '../middleware/throttle.ts';
import type { RecoveryLimits } from '../middleware/throttle.ts';

function renderRequest(res: Response, status: number, login: string, sent = false, errors: Record<string, string> = {}) {
  res.status(status).render('auth/recover', { title: 'Recover your password', login, sent, errors });
}

function renderReset(res: Response, status: number, token: string, errors: Record<string, string> = {}) {
  res.status(status).render('auth/reset-password', { title: 'Choose a new password', token, errors });
}

/** GET and POST /main/recoverpassword, and /main/recoverpassword/:token. */
export function passwordRecoveryRoutes(ctx: DomainContext, limits: RecoveryLimits, router: Router = Router()): Router {

  router.get('/main/recoverpassword', (_req, res) => renderRequest(res, 200, ''));

  router.post('/main/recoverpassword', ...recoveryThrottle(ctx, limits), async (req, res) => {
    const { login } = formFields(req.body, ['login']);
    if (login.trim() === '') return renderRequest(res, 400, login, false, { login: 'Give your nickname or your email address.' });
    await requestPasswordRecovery(ctx, login);
    // The same answer whether or not the nickname or address belongs to anyone.
    renderRequest(res, 200, login, true);
  });

  router.get('/main/recoverpassword/:token', async (req, res) => {
    await checkRecoveryLink(ctx, req.params.token);
    renderReset(res, 200, req.params.token);
  });

  router.post('/main/recoverpassword/:token', async (req, res) => {
    const fields = formFields(req.body, ['password', 'confirm']);
    try {
      await recoverPassword(ctx, req.params.token, { password: fields.password, confirm: fields.confirm });
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      return renderReset(res, error.status, req.params.token, error.fields);
    }
    res.redirect(303, '/main/login?recovered=1');
  });

  return router;
}
