// RSS and Atom feeds, answered with 304 when the reader's copy is current.
import { Router } from 'express';
import type { NextFunction, Request, Response } from 'express';
import type { DomainContext } from '../../domain/context.ts';
import { favoritesFeed, feedEntries, feedValidators, profileFeed, publicFeed, repliesFeed, searchFeed, tagFeed } from '../../domain/feeds.ts';
import type { FeedSubject } from '../../domain/feeds.ts';
import { looksLikeNickname } from '../../domain/nicknames.ts';
import { isNotModified } from '../conditional.ts';
import { queryParam } from '../forms.ts';
import { FEED_TYPES, toAtom, toRss } from '../presenters/feeds.ts';
import type { FeedFormat } from '../presenters/feeds.ts';

/** /rss, /atom and the same under /:nickname, /:nickname/replies, /:nickname/favorites, /tag/:tag and /search/notice. */
export function feedRoutes(ctx: DomainContext, router: Router = Router()): Router {

  // Only a possible nickname reaches the per-person feeds; anything else is someone else's 404.
  router.param('nickname', (_req: Request, _res: Response, next: NextFunction, nickname: string) => {
    if (!looksLikeNickname(nickname)) return next('route');
    next();
  });

  async function serve(req: Request, res: Response, subject: FeedSubject, format: FeedFormat): Promise<void> {
    // The validators come first, from one small query; the entries are read only when needed.
    const { etag, lastModified } = await feedValidators(ctx, subject, format);
    res.set('ETag', etag);
    if (lastModified) res.set('Last-Modified', lastModified.toUTCString());
    res.set('Cache-Control', 'no-cache'); // readers may keep a copy but must ask again each time
    if (isNotModified(req, etag, lastModified)) {
      res.status(304).end();
      return;
    }
    const notices = await feedEntries(ctx, subject);
    const search = Object.keys(subject.query).length > 0 ? `?${new URLSearchParams(subject.query).toString()}` : '';
    const base = ctx.config.publicUrl;
    const document = {
      title: subject.title,
      selfUrl: `${base}${subject.feedPath}/${format}${search}`,
      pageUrl: `${base}${subject.pagePath}${search}`,
      updated: notices[0]?.createdAt ?? lastModified ?? new Date(),
      notices,
      publicUrl: base,
    };
    res.type(`${FEED_TYPES[format]}; charset=utf-8`).send(format === 'rss' ? toRss(document) : toAtom(document));
  }

  for (const format of ['rss', 'atom'] as const) {
    router.get(`/${format}`, (req, res) => serve(req, res, publicFeed(ctx), format));
    router.get(`/tag/:tag/${format}`, (req, res) => serve(req, res, tagFeed(ctx, req.params.tag), format));
    router.get(`/search/notice/${format}`, async (req, res) => serve(req, res, await searchFeed(ctx, queryParam(req.query, 'q')), format));
    router.get(`/:nickname/${format}`, async (req, res) => serve(req, res, await profileFeed(ctx, req.params.nickname), format));
    router.get(`/:nickname/replies/${format}`, async (req, res) => serve(req, res, await repliesFeed(ctx, req.params.nickname), format));
    router.get(`/:nickname/favorites/${format}`, async (req, res) => serve(req, res, await favoritesFeed(ctx, req.params.nickname), format));
  }

  return router;
}
