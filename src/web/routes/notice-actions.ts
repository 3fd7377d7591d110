// The favorite and repeat buttons of every notice (Laconica's and StatusNet's paths, field
// `notice`), each a plain form that comes back to the page it was on; and /favorited, the popular
// notices.
import { Router } from 'express';
import type { Request, Response } from 'express';
import type { DomainContext } from '../../domain/context.ts';
import { favoriteNotice, popularNotices, unfavoriteNotice } from '../../domain/favorites.ts';
import type { NoticeRecord } from '../../domain/notices.ts';
import { repeatNotice, unrepeatNotice } from '../../domain/repeats.ts';
import { formFields, localReturnPath } from '../forms.ts';
import { viewerOf } from '../locals.ts';
import { noticeLimit } from '../middleware/action-limits.ts';
import { requireUser } from '../middleware/require-user.ts';
import { presentNotices } from '../notice-lists.ts';
import { cursorFrom, olderUrl } from '../paging.ts';

type Action = (ctx: DomainContext, userId: number, rawNoticeId: string) => Promise<NoticeRecord>;

// Parse the form, act, and go back where the button was (else to the notice).
function act(ctx: DomainContext, action: Action) {
  return async (req: Request, res: Response) => {
    const { notice, returnto } = formFields(req.body, ['notice', 'returnto']);
    const done = await action(ctx, viewerOf(res).id, notice);
    res.redirect(303, localReturnPath(returnto, `/notice/${done.id}`));
  };
}

/** POST /main/favor, /main/disfavor, /main/repeat and /main/unrepeat; GET /favorited. */
export function noticeActionRoutes(ctx: DomainContext, router: Router = Router()): Router {

  router.post('/main/favor', requireUser, act(ctx, favoriteNotice));
  router.post('/main/disfavor', requireUser, act(ctx, unfavoriteNotice));
  router.post('/main/repeat', requireUser, noticeLimit(ctx), act(ctx, repeatNotice)); // a repeat is a notice: the same hourly allowance
  router.post('/main/unrepeat', requireUser, act(ctx, unrepeatNotice));

  router.get('/favorited', async (req, res) => {
    const page = await popularNotices(ctx, cursorFrom(req.query));
    res.render('timeline/favorited', {
      title: 'Popular notices',
      notices: await presentNotices(ctx, req, res, page.notices),
      olderUrl: olderUrl('/favorited', page.olderBefore),
    });
  });

  return router;
}
