// The tag cloud page.
import { Router } from 'express';
import type { DomainContext } from '../../domain/context.ts';
import { CLOUD_WINDOW, tagCloud } from '../../domain/tag-cloud.ts';

/** GET /tags. */
export function tagRoutes(ctx: DomainContext, router: Router = Router()): Router {

  router.get('/tags', async (_req, res) => {
    const tags = await tagCloud(ctx);
    res.render('tags/cloud', {
      title: 'Tags',
      days: CLOUD_WINDOW.days,
      tags: tags.map((t) => ({ ...t, url: `/tag/${encodeURIComponent(t.tag)}` })),
    });
  });

  return router;
}
