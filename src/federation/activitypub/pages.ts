// Browser pages of the ActivityPub module: the "subscribe to someone on another server" form.
// Mounted behind the session, CSRF check and current user.
import express from 'express';
import type { Router } from 'express';
import type { FederationContext } from '../context.ts';
import { OutboundError } from '../http-client.ts';
import { followRemote } from './follow.ts';
import { LookupError } from './lookup.ts';
import { RemoteOriginError } from '../../domain/remote-origins.ts';
import { SubscriptionRefusedError } from '../../domain/subscription-rules.ts';

const TITLE = 'Subscribe to someone on another server';

/** GET and POST /main/follow. */
export function activityPubPages(ctx: FederationContext): Router {
  const router = express.Router();

  router.get('/main/follow', (req, res) => {
    if (!res.locals.viewer) return res.redirect(303, `/main/login?returnto=${encodeURIComponent(req.originalUrl)}`);
    const handle = typeof req.query.handle === 'string' ? req.query.handle.slice(0, 500) : '';
    res.render('activitypub/follow', { title: TITLE, values: { handle }, error: undefined });
  });

  router.post('/main/follow', async (req, res) => {
    const viewer = res.locals.viewer as { id: number } | undefined;
    if (!viewer) return res.status(403).render('errors/403', { title: 'Sign in first', status: 403, message: 'Sign in first.' });
    const handle = typeof req.body?.handle === 'string' ? req.body.handle.slice(0, 500) : '';
    try {
      const profileId = await followRemote(ctx, viewer.id, handle);
      res.redirect(303, `/remote/${profileId}`);
    } catch (error) {
      // Whatever the other server did wrong is told to the person, on the form, as a 400.
      if (!(error instanceof LookupError || error instanceof OutboundError || error instanceof RemoteOriginError || error instanceof SubscriptionRefusedError)) throw error;
      res.status(error instanceof SubscriptionRefusedError ? 403 : 400).render('activitypub/follow', { title: TITLE, values: { handle }, error: error.message });
    }
  });

  return router;
}
