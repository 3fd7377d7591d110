// /settings/invites: people who may invite (admins, and everyone with INVITES_BY_USERS=true) make
// invite links and see what became of them.
import { Router } from 'express';
import type { DomainContext } from '../../domain/context.ts';
import { createInvite, inviteList, mayInvite } from '../../domain/invites.ts';
import { ForbiddenError } from '../../errors.ts';
import { formFields } from '../forms.ts';
import { viewerOf } from '../locals.ts';
import { requireUser } from '../middleware/require-user.ts';
import { cursorFrom } from '../paging.ts';
import { inviteView } from '../presenters/admin.ts';

const PAGE = 50;

/** GET and POST /settings/invites. */
export function inviteRoutes(ctx: DomainContext, router: Router = Router()): Router {

  router.get('/settings/invites', requireUser, async (req, res) => {
    const viewer = viewerOf(res);
    if (!mayInvite(ctx, viewer)) throw new ForbiddenError('Only admins can invite people to this site.');
    const rows = await inviteList(ctx, viewer, { mine: true, before: cursorFrom(req.query), limit: PAGE + 1 });
    const items = rows.slice(0, PAGE);
    const olderUrl = rows.length > PAGE ? `/settings/invites?before=${items[items.length - 1]!.id}` : undefined;
    const invites = items.map((i) => inviteView(ctx.config.publicUrl, i));
    res.render('invites/list', { title: 'Invites', action: '/settings/invites', invites, olderUrl, mode: ctx.config.registration, admin: false });
  });

  router.post('/settings/invites', requireUser, async (req, res) => {
    formFields(req.body, []);
    await createInvite(ctx, viewerOf(res));
    res.redirect(303, '/settings/invites');
  });

  return router;
}
