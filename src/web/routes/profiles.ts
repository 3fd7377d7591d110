// A person's pages: their notices, home timeline, replies, subscriptions and subscribers.
import { Router } from 'express';
import type { NextFunction, Request, Response } from 'express';
import type { DomainContext } from '../../domain/context.ts';
import { looksLikeNickname } from '../../domain/nicknames.ts';
import { homeTimeline, profileTimeline, repliesTimeline } from '../../domain/timelines.ts';
import { favoritesTimeline } from '../../domain/favorites.ts';
import type { ProfileTimeline } from '../../domain/timelines.ts';
import { subscribersOf, subscriptionsOf, viewerSubscribes } from '../../domain/subscriptions.ts';
import { canMessage } from '../../domain/messages.ts';
import type { PeoplePage } from '../../domain/subscriptions.ts';
import { viewerBlockKind } from '../../domain/blocks.ts';
import { presentNotices } from '../notice-lists.ts';
import { authorView, profileHeaderView } from '../presenters/profiles.ts';
import { cursorFrom, olderUrl } from '../paging.ts';
import { feedLinks } from '../presenters/feed-links.ts';
import { emptyPostForm } from './notices.ts';
import { advertiseProfile } from '../locals.ts';

type Tab = 'notices' | 'all' | 'replies' | 'favorites' | 'subscriptions' | 'subscribers';

/** /:nickname and the pages below it; mounted last, as nicknames share the first path segment. */
export function profileRoutes(ctx: DomainContext): Router {
  const router = Router();

  // Only a possible nickname reaches the handlers; anything else is someone else's 404.
  router.param('nickname', (req: Request, _res: Response, next: NextFunction, nickname: string) => {
    if (!looksLikeNickname(nickname)) return next('route');
    next();
  });

  async function header(res: Response, timeline: { profile: ProfileTimeline['profile']; counts: ProfileTimeline['counts'] }, tab: Tab) {
    const viewer = res.locals.viewer;
    const [subscribed, messageable, blockKind] = await Promise.all([
      viewerSubscribes(ctx, viewer?.id, timeline.profile.id),
      canMessage(ctx, viewer?.id, timeline.profile), // they subscribe to the viewer
      viewerBlockKind(ctx, viewer?.id, timeline.profile.id),
    ]);
    return {
      canMessage: messageable,
      profile: profileHeaderView(timeline.profile, timeline.counts),
      tab,
      isSelf: viewer?.id === timeline.profile.id,
      canSubscribe: viewer !== undefined && viewer.id !== timeline.profile.id && blockKind !== 'block',
      subscribed,
      block: viewer !== undefined && viewer.id !== timeline.profile.id ? { id: timeline.profile.id, kind: blockKind } : undefined,
    };
  }

  const EMPTY: Partial<Record<Tab, string>> = { replies: 'Nobody has mentioned them yet.', favorites: 'No favorites yet.' };
  const FEED_TITLES: Partial<Record<Tab, (nickname: string) => string>> = { replies: (n) => `replies to ${n}`, favorites: (n) => `favorites of ${n}` };

  async function renderTimeline(req: Request, res: Response, timeline: ProfileTimeline, tab: Tab, path: string, title: string) {
    const notices = await presentNotices(ctx, req, res, timeline.page.notices);
    return header(res, timeline, tab).then((head) => {
      const ownHome = tab === 'all' && head.isSelf;
      res.render('profile/timeline', {
        title,
        head,
        notices,
        olderUrl: olderUrl(path, timeline.page.olderBefore),
        postForm: ownHome ? emptyPostForm(ctx, path) : undefined,
        emptyText: EMPTY[tab] ?? 'No notices yet.',
        feeds: tab === 'all' ? [] : feedLinks(path, (FEED_TITLES[tab] ?? ((n: string) => `notices by ${n}`))(timeline.profile.nickname)),
      });
    });
  }

  function renderPeople(res: Response, page: PeoplePage, tab: Tab, path: string, title: string) {
    return header(res, page, tab).then((head) => {
      res.render('profile/people', {
        title,
        head,
        people: page.people.map(authorView),
        olderUrl: olderUrl(path, page.olderBefore),
      });
    });
  }

  router.get('/:nickname', async (req, res) => {
    const nickname = req.params.nickname;
    const timeline = await profileTimeline(ctx, nickname, cursorFrom(req.query));
    advertiseProfile(res, timeline.profile.nickname);
    await renderTimeline(req, res, timeline, 'notices', `/${nickname}`, `${timeline.profile.fullname || nickname} (${nickname})`);
  });

  router.get('/:nickname/all', async (req, res) => {
    const nickname = req.params.nickname;
    const timeline = await homeTimeline(ctx, nickname, cursorFrom(req.query));
    await renderTimeline(req, res, timeline, 'all', `/${nickname}/all`, `${nickname} and friends`);
  });

  router.get('/:nickname/replies', async (req, res) => {
    const nickname = req.params.nickname;
    const timeline = await repliesTimeline(ctx, nickname, cursorFrom(req.query));
    await renderTimeline(req, res, timeline, 'replies', `/${nickname}/replies`, `Replies to ${nickname}`);
  });

  router.get('/:nickname/favorites', async (req, res) => {
    const nickname = req.params.nickname;
    const timeline = await favoritesTimeline(ctx, nickname, cursorFrom(req.query));
    await renderTimeline(req, res, timeline, 'favorites', `/${nickname}/favorites`, `${nickname}’s favorite notices`);
  });

  router.get('/:nickname/subscriptions', async (req, res) => {
    const nickname = req.params.nickname;
    const page = await subscriptionsOf(ctx, nickname, cursorFrom(req.query));
    await renderPeople(res, page, 'subscriptions', `/${nickname}/subscriptions`, `People ${nickname} subscribes to`);
  });

  router.get('/:nickname/subscribers', async (req, res) => {
    const nickname = req.params.nickname;
    const page = await subscribersOf(ctx, nickname, cursorFrom(req.query));
    await renderPeople(res, page, 'subscribers', `/${nickname}/subscribers`, `People subscribed to ${nickname}`);
  });

  return router;
}
