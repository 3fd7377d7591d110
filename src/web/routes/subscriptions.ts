// Subscribing to and unsubscribing from local people.
import { Router } from 'express';
import { viewerOf } from '../locals.ts';
import type { DomainContext } from '../../domain/context.ts';
import { subscribe, unsubscribe } from '../../domain/subscriptions.ts';
import { formFields, localReturnPath } from '../forms.ts';
import { requireUser } from '../middleware/require-user.ts';

/** POST /main/subscribe and /main/unsubscribe. */
export function subscriptionRoutes(ctx: DomainContext, router: Router = Router()): Router {

  router.post('/main/subscribe', requireUser, async (req, res) => {
    const fields = formFields(req.body, ['subscribeto', 'returnto']);
    const target = await subscribe(ctx, viewerOf(res).id, fields.subscribeto);
    res.redirect(303, localReturnPath(fields.returnto, `/${target.nickname}`));
  });

  router.post('/main/unsubscribe', requireUser, async (req, res) => {
    const fields = formFields(req.body, ['unsubscribeto', 'returnto']);
    const target = await unsubscribe(ctx, viewerOf(res).id, fields.unsubscribeto);
    res.redirect(303, localReturnPath(fields.returnto, `/${target.nickname}`));
  });

  return router;
}
