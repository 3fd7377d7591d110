// /settings/email: the address (confirmed, and one waiting for confirmation) and which emails to
// get; /main/confirmaddress/:token (Laconica's path): the confirmation link's page and its button.
import { Router } from 'express';
import type { Response } from 'express';
import type { DomainContext } from '../../domain/context.ts';
import { addressOfConfirmation, changeAddress, confirmAddress, emailSettingsOf, resendConfirmation, saveNotificationSwitches } from '../../domain/email-addresses.ts';
import type { EmailSettingsRecord } from '../../domain/email-addresses.ts';
import { ValidationError } from '../../errors.ts';
import { formFields, queryParam } from '../forms.ts';
import { viewerOf } from '../locals.ts';
import { requireUser } from '../middleware/require-user.ts';
import { confirmationThrottle } from '../middleware/throttle.ts';

const MESSAGES: Readonly<Record<string, string>> = {
  pending: 'We sent a confirmation link to the new address. Follow it to start using the address.',
  resent: 'We sent the confirmation link again.',
  removed: 'Your email address has been removed.',
  unchanged: 'Your email address stays as it is.',
  notifications: 'Your email notifications have been saved.',
  confirmed: 'Your email address is confirmed.',
};

function render(res: Response, status: number, settings: EmailSettingsRecord, address: string, errors: Record<string, string> = {}, message?: string) {
  res.status(status).render('settings/email', { title: 'Email settings', settings, address, errors, message });
}

/** GET and POST /settings/email and its parts, and the confirmation link. */
export function emailSettingsRoutes(ctx: DomainContext, router: Router = Router()): Router {
  const throttle = confirmationThrottle(ctx);

  router.get('/settings/email', requireUser, async (req, res) => {
    const settings = await emailSettingsOf(ctx, viewerOf(res).id);
    render(res, 200, settings, settings.pendingEmail ?? settings.email ?? '', {}, MESSAGES[queryParam(req.query, 'done') ?? '']);
  });

  router.post('/settings/email', requireUser, throttle, async (req, res) => {
    const { email } = formFields(req.body, ['email']);
    const userId = viewerOf(res).id;
    try {
      const outcome = await changeAddress(ctx, userId, email);
      res.redirect(303, `/settings/email?done=${outcome}`);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      render(res, error.status, await emailSettingsOf(ctx, userId), email, error.fields);
    }
  });

  router.post('/settings/email/resend', requireUser, throttle, async (_req, res) => {
    const sent = await resendConfirmation(ctx, viewerOf(res).id);
    res.redirect(303, sent ? '/settings/email?done=resent' : '/settings/email');
  });

  router.post('/settings/email/notifications', requireUser, async (req, res) => {
    const fields = formFields(req.body, ['subscriber', 'mention', 'message', 'favorite']);
    await saveNotificationSwitches(ctx, viewerOf(res).id, { subscriber: fields.subscriber === 'on', mention: fields.mention === 'on', message: fields.message === 'on', favorite: fields.favorite === 'on' });
    res.redirect(303, '/settings/email?done=notifications');
  });

  router.get('/main/confirmaddress/:token', async (req, res) => {
    const address = await addressOfConfirmation(ctx, req.params.token);
    res.render('settings/confirm-address', { title: 'Confirm your email address', token: req.params.token, address });
  });

  router.post('/main/confirmaddress/:token', async (req, res) => {
    const { nickname, address } = await confirmAddress(ctx, req.params.token);
    if (res.locals.viewer?.nickname === nickname) return res.redirect(303, '/settings/email?done=confirmed');
    res.render('settings/address-confirmed', { title: 'Email address confirmed', nickname, address });
  });

  return router;
}
