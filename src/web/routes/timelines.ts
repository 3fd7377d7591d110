// The public timeline, tag pages and conversations.
import { Router } from 'express';
import type { DomainContext } from '../../domain/context.ts';
import { conversation, publicTimeline, tagTimeline } from '../../domain/timelines.ts';
import { presentNotices } from '../notice-lists.ts';
import { cursorFrom, olderUrl } from '../paging.ts';
import { feedLinks } from '../presenters/feed-links.ts';
import { emptyPostForm } from './notices.ts';

/** GET /, /tag/:tag and /conversation/:id. */
export function timelineRoutes(ctx: DomainContext, router: Router = Router()): Router {

  router.get('/', async (req, res) => {
    const page = await publicTimeline(ctx, cursorFrom(req.query));
    res.render('timeline/public', {
      title: 'Public timeline',
      notices: await presentNotices(ctx, req, res, page.notices),
      olderUrl: olderUrl('/', page.olderBefore),
      postForm: res.locals.viewer ? emptyPostForm(ctx, '/') : undefined,
      feeds: feedLinks('', 'the public timeline'),
    });
  });

  router.get('/tag/:tag', async (req, res) => {
    const { tag, page } = await tagTimeline(ctx, req.params.tag, cursorFrom(req.query));
    res.render('timeline/tag', {
      title: `Notices tagged #${tag}`,
      tag,
      notices: await presentNotices(ctx, req, res, page.notices),
      olderUrl: olderUrl(`/tag/${encodeURIComponent(tag)}`, page.olderBefore),
      feeds: feedLinks(`/tag/${encodeURIComponent(tag)}`, `notices tagged #${tag}`),
    });
  });

  router.get('/conversation/:id', async (req, res) => {
    const notices = await conversation(ctx, req.params.id);
    res.render('timeline/conversation', { title: 'Conversation', notices: await presentNotices(ctx, req, res, notices) });
  });

  return router;
}
