// Blocking and muting (Laconica's /main/block and /main/unblock, field `profile`), and the
// settings page that lists the people one blocks or mutes, each with its undo button.
import { Router } from 'express';
import type { Response } from 'express';
import type { DomainContext } from '../../domain/context.ts';
import { blockedPeople, blockPerson, blockTarget, mutePerson, unblockPerson, unmutePerson } from '../../domain/blocks.ts';
import type { ProfileRecord } from '../../domain/lookups.ts';
import { formFields, localReturnPath, queryParam } from '../forms.ts';
import { viewerOf } from '../locals.ts';
import { requireUser } from '../middleware/require-user.ts';
import { cursorFrom, olderUrl } from '../paging.ts';
import { authorView } from '../presenters/profiles.ts';

type Action = (ctx: DomainContext, userId: number, rawProfileId: string) => Promise<ProfileRecord>;

/** GET /main/block (the confirmation), POST /main/block, /main/unblock, /main/mute, /main/unmute, GET /settings/blocks. */
export function blockRoutes(ctx: DomainContext, router: Router = Router()): Router {

  // Without JavaScript a button cannot ask "are you sure?": the profile's Block button opens this page.
  router.get('/main/block', requireUser, async (req, res) => {
    const target = await blockTarget(ctx, viewerOf(res).id, queryParam(req.query, 'profile') ?? '');
    const person = authorView(target);
    res.render('blocks/confirm', { title: `Block ${person.handle}?`, person, id: target.id, returnto: localReturnPath(queryParam(req.query, 'returnto'), person.url) });
  });

  const act = (path: string, action: Action) =>
    router.post(path, requireUser, async (req, res: Response) => {
      const fields = formFields(req.body, ['profile', 'returnto']);
      const target = await action(ctx, viewerOf(res).id, fields.profile);
      res.redirect(303, localReturnPath(fields.returnto, authorView(target).url));
    });
  act('/main/block', blockPerson);
  act('/main/unblock', unblockPerson);
  act('/main/mute', mutePerson);
  act('/main/unmute', unmutePerson);

  router.get('/settings/blocks', requireUser, async (req, res) => {
    const page = await blockedPeople(ctx, viewerOf(res).id, cursorFrom(req.query));
    res.render('settings/blocks', {
      title: 'Blocked and muted people',
      people: page.items.map((item) => ({ ...authorView(item.profile), id: item.profile.id, kind: item.kind })),
      olderUrl: olderUrl('/settings/blocks', page.olderBefore),
    });
  });

  return router;
}
