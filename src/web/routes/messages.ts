// Direct messages: the form, the inbox and outbox, one message, and deleting one from your box.
// Every page is for its owner only: anyone else gets a 404, as if there were nothing there.
import { Router } from 'express';
import type { NextFunction, Request, Response } from 'express';
import type { DomainContext } from '../../domain/context.ts';
import { deleteMessage, messageBox, messageForViewer, sendMessage } from '../../domain/messages.ts';
import type { Box, MessageReach } from '../../domain/messages.ts';
import { looksLikeNickname } from '../../domain/nicknames.ts';
import { ValidationError } from '../../errors.ts';
import { queryParam, readForm } from '../forms.ts';
import { viewerOf } from '../locals.ts';
import { messageLimit } from '../middleware/action-limits.ts';
import { requireUser } from '../middleware/require-user.ts';
import { cursorFrom, olderUrl } from '../paging.ts';
import { messageView, messageViews } from '../presenters/messages.ts';

export type MessageFormView = { to: string; content: string; maxLength: number; errors: Record<string, string> };

function renderForm(res: Response, status: number, form: MessageFormView): void {
  res.status(status).render('message/new', { title: 'New direct message', form });
}

const DONE: Readonly<Record<string, string>> = { sent: 'Your direct message was sent.', deleted: 'The message was deleted from your box.' };

/** GET and POST /message/new, /:nickname/inbox and /outbox, /message/:id and /message/delete/:id; `reach` says who elsewhere can be sent one. */
export function messageRoutes(ctx: DomainContext, reach: MessageReach, router: Router = Router()): Router {

  // Only possible nicknames and ids reach the handlers; anything else is someone else's page or a 404.
  router.param('nickname', (_req: Request, _res: Response, next: NextFunction, nickname: string) => (looksLikeNickname(nickname) ? next() : next('route')));
  router.param('id', (_req: Request, _res: Response, next: NextFunction, id: string) => (/^\d{1,18}$/.test(id) ? next() : next('route')));

  router.get('/message/new', requireUser, (req, res) => {
    const to = (queryParam(req.query, 'to') ?? '').slice(0, 400);
    renderForm(res, 200, { to, content: '', maxLength: ctx.config.noticeMaxLength, errors: {} });
  });

  router.post('/message/new', requireUser, messageLimit(ctx), async (req, res) => {
    const { fields, invalid } = readForm(req.body, ['to', 'content']);
    try {
      if (invalid) throw invalid;
      await sendMessage(ctx, viewerOf(res).id, { to: fields.to, content: fields.content }, reach);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      return renderForm(res, error.status, { to: fields.to, content: fields.content, maxLength: ctx.config.noticeMaxLength, errors: { ...error.fields } });
    }
    res.redirect(303, `/${viewerOf(res).nickname}/outbox?done=sent`);
  });

  for (const box of ['inbox', 'outbox'] as const satisfies readonly Box[]) {
    router.get(`/:nickname/${box}`, requireUser, async (req, res) => {
      const page = await messageBox(ctx, viewerOf(res).id, String(req.params.nickname), box, cursorFrom(req.query));
      res.render('message/box', {
        title: box === 'inbox' ? 'Inbox' : 'Outbox',
        box,
        nickname: page.owner.nickname,
        messages: messageViews(page.messages, box),
        olderUrl: olderUrl(`/${page.owner.nickname}/${box}`, page.olderBefore),
        done: DONE[queryParam(req.query, 'done') ?? ''],
      });
    });
  }

  router.get('/message/:id', requireUser, async (req, res) => {
    const { message, box } = await messageForViewer(ctx, viewerOf(res).id, String(req.params.id));
    const view = messageView(message, box);
    res.render('message/show', { title: `Direct message ${view.direction.toLowerCase()} ${view.other.handle}`, message: view });
  });

  // Without JavaScript a delete button cannot ask "are you sure?", so this page does.
  router.get('/message/delete/:id', requireUser, async (req, res) => {
    const { message, box } = await messageForViewer(ctx, viewerOf(res).id, String(req.params.id));
    res.render('message/delete', { title: 'Delete message', message: messageView(message, box), box });
  });

  router.post('/message/delete/:id', requireUser, async (req, res) => {
    const box = await deleteMessage(ctx, viewerOf(res).id, String(req.params.id));
    res.redirect(303, `/${viewerOf(res).nickname}/${box}?done=deleted`);
  });

  return router;
}
