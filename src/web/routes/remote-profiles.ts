// Pages of people on other servers, as this site knows them.
import { Router } from 'express';
import type { DomainContext } from '../../domain/context.ts';
import { remoteProfileTimeline, unsubscribeFromRemote } from '../../domain/remote-profiles.ts';
import { viewerSubscribes } from '../../domain/subscriptions.ts';
import { viewerBlockKind } from '../../domain/blocks.ts';
import { canMessage, recipientAddress } from '../../domain/messages.ts';
import type { MessageReach } from '../../domain/messages.ts';
import { viewerOf } from '../locals.ts';
import { requireUser } from '../middleware/require-user.ts';
import { cursorFrom, olderUrl } from '../paging.ts';
import { presentNotices } from '../notice-lists.ts';
import { profileHeaderView } from '../presenters/profiles.ts';

/** GET /remote/:id and POST /remote/:id/unsubscribe; `reach` says whether a direct message can get to them. */
export function remoteProfileRoutes(ctx: DomainContext, reach: MessageReach, router: Router = Router()): Router {

  router.get('/remote/:id', async (req, res) => {
    const timeline = await remoteProfileTimeline(ctx, req.params.id, cursorFrom(req.query));
    const viewer = res.locals.viewer;
    const profile = profileHeaderView(timeline.profile, timeline.counts);
    res.render('profile/remote', {
      title: `${profile.displayName} (${profile.handle})`,
      profile,
      id: timeline.profile.id,
      subscribed: await viewerSubscribes(ctx, viewer?.id, timeline.profile.id),
      block: viewer ? { id: timeline.profile.id, kind: await viewerBlockKind(ctx, viewer.id, timeline.profile.id) } : undefined,
      messageUrl: (await canMessage(ctx, viewer?.id, timeline.profile, reach)) ? `/message/new?to=${encodeURIComponent(recipientAddress(timeline.profile))}` : undefined,
      notices: await presentNotices(ctx, req, res, timeline.page.notices),
      olderUrl: olderUrl(`/remote/${timeline.profile.id}`, timeline.page.olderBefore),
    });
  });

  router.post('/remote/:id/unsubscribe', requireUser, async (req, res) => {
    const profile = await unsubscribeFromRemote(ctx, viewerOf(res).id, String(req.params.id));
    res.redirect(303, `/remote/${profile.id}`);
  });

  return router;
}
