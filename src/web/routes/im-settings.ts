// /settings/im: the Jabber (XMPP) address (confirmed, and one waiting for confirmation), what the
// chat bot sends and takes, and removing the address; /main/confirmim/:token: the confirmation
// link's page and its button. The pages only change rows and queue messages: the bot itself runs
// in a worker.
import { Router } from 'express';
import type { Response } from 'express';
import type { DomainContext } from '../../domain/context.ts';
import { botJid, changeImAddress, confirmImAddress, imEnabled, imSettingsOf, jidOfConfirmation, removeImAddress, resendImConfirmation, saveImSwitches } from '../../domain/im-addresses.ts';
import type { ImSettingsRecord } from '../../domain/im-addresses.ts';
import { ValidationError } from '../../errors.ts';
import { formFields, queryParam } from '../forms.ts';
import { viewerOf } from '../locals.ts';
import { requireUser } from '../middleware/require-user.ts';
import { confirmationThrottle } from '../middleware/throttle.ts';

const MESSAGES: Readonly<Record<string, string>> = {
  pending: 'The bot sent a confirmation link to that address. Open it to start using the address.',
  resent: 'The bot sent the confirmation link again.',
  unchanged: 'Your Jabber ID stays as it is.',
  switches: 'Your IM settings have been saved.',
  removed: 'Your Jabber ID has been removed: the bot no longer sends to it or takes notices from it.',
  confirmed: 'Your Jabber ID is confirmed.',
};

function render(res: Response, ctx: DomainContext, status: number, settings: ImSettingsRecord, jid: string, errors: Record<string, string> = {}, message?: string) {
  res.status(status).render('settings/im', { title: 'IM settings', enabled: imEnabled(ctx), bot: botJid(ctx), settings, jid, errors, message });
}

const on = (value: string) => value === 'on';

/** GET and POST /settings/im and its parts, and the confirmation link. */
export function imSettingsRoutes(ctx: DomainContext, router: Router = Router()): Router {
  const throttle = confirmationThrottle(ctx);

  router.get('/settings/im', requireUser, async (req, res) => {
    const settings = await imSettingsOf(ctx, viewerOf(res).id);
    render(res, ctx, 200, settings, settings.pendingJid ?? settings.jid ?? '', {}, MESSAGES[queryParam(req.query, 'done') ?? '']);
  });

  router.post('/settings/im', requireUser, throttle, async (req, res) => {
    const { jid } = formFields(req.body, ['jid']);
    const userId = viewerOf(res).id;
    try {
      res.redirect(303, `/settings/im?done=${await changeImAddress(ctx, userId, jid)}`);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      render(res, ctx, error.status, await imSettingsOf(ctx, userId), jid, error.fields);
    }
  });

  router.post('/settings/im/resend', requireUser, throttle, async (_req, res) => {
    const sent = await resendImConfirmation(ctx, viewerOf(res).id);
    res.redirect(303, sent ? '/settings/im?done=resent' : '/settings/im');
  });

  router.post('/settings/im/switches', requireUser, async (req, res) => {
    const fields = formFields(req.body, ['notices', 'replies', 'post', 'echo', 'paused']);
    const userId = viewerOf(res).id;
    try {
      await saveImSwitches(ctx, userId, { notices: on(fields.notices), replies: on(fields.replies), post: on(fields.post), echo: on(fields.echo) }, on(fields.paused));
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      const settings = await imSettingsOf(ctx, userId);
      return render(res, ctx, error.status, settings, settings.pendingJid ?? settings.jid ?? '', error.fields);
    }
    res.redirect(303, '/settings/im?done=switches');
  });

  router.post('/settings/im/remove', requireUser, async (_req, res) => {
    const removed = await removeImAddress(ctx, viewerOf(res).id);
    res.redirect(303, removed ? '/settings/im?done=removed' : '/settings/im');
  });

  router.get('/main/confirmim/:token', async (req, res) => {
    const jid = await jidOfConfirmation(ctx, req.params.token);
    res.render('settings/confirm-im', { title: 'Confirm your Jabber ID', token: req.params.token, jid });
  });

  router.post('/main/confirmim/:token', async (req, res) => {
    const { nickname, jid } = await confirmImAddress(ctx, req.params.token);
    if (res.locals.viewer?.nickname === nickname) return res.redirect(303, '/settings/im?done=confirmed');
    res.render('settings/im-confirmed', { title: 'Jabber ID confirmed', nickname, jid });
  });

  return router;
}
