// Posting, showing and deleting notices.
import { Router } from 'express';
import { viewerOf } from '../locals.ts';
import type { Response } from 'express';
import type { DomainContext } from '../../domain/context.ts';
import { deleteNotice, getNotice, postNotice } from '../../domain/notices.ts';
import { GoneError, ValidationError } from '../../errors.ts';
import { formFields, localReturnPath, queryParam, readForm } from '../forms.ts';
import { requireUser } from '../middleware/require-user.ts';
import { noticeLimit } from '../middleware/action-limits.ts';
import { noticeView } from '../presenters/notices.ts';
import { presentNotices } from '../notice-lists.ts';

export type PostFormView = { content: string; inReplyTo: string; returnTo: string; maxLength: number; error?: string };

/** The post form with nothing typed yet. */
export function emptyPostForm(ctx: DomainContext, returnTo: string): PostFormView {
  return { content: '', inReplyTo: '', returnTo, maxLength: ctx.config.noticeMaxLength };
}

function renderPostForm(res: Response, status: number, form: PostFormView, replyingTo?: ReturnType<typeof noticeView>) {
  res.status(status).render('notice/new', { title: replyingTo ? 'Reply' : 'New notice', form, replyingTo });
}

/** /notice/new, /notice/:id and /notice/delete/:id. */
export function noticeRoutes(ctx: DomainContext): Router {
  const router = Router();

  // The reply link of every notice leads here: the form, prefilled, with the notice answered.
  router.get('/notice/new', requireUser, async (req, res) => {
    const form = emptyPostForm(ctx, '/');
    const inReplyTo = queryParam(req.query, 'inreplyto');
    if (inReplyTo === undefined) return renderPostForm(res, 200, form);
    const replied = await getNotice(ctx, inReplyTo);
    form.inReplyTo = String(replied.id);
    form.content = `@${replied.author.nickname} `;
    form.returnTo = `/conversation/${replied.conversationId}`; // the reply is seen in its thread
    renderPostForm(res, 200, form, noticeView(replied, res.locals.viewer));
  });

  router.post('/notice/new', requireUser, noticeLimit(ctx), async (req, res) => {
    const { fields, invalid } = readForm(req.body, ['content', 'inreplyto', 'returnto']);
    const returnTo = localReturnPath(fields.returnto, `/${viewerOf(res).nickname}/all`);
    try {
      if (invalid) throw invalid;
      await postNotice(ctx, viewerOf(res).id, { content: fields.content, inReplyTo: fields.inreplyto });
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      const form = { content: fields.content, inReplyTo: fields.inreplyto, returnTo, maxLength: ctx.config.noticeMaxLength, error: error.message };
      return renderPostForm(res, error.status, form);
    }
    res.redirect(303, returnTo);
  });

  router.get('/notice/:id', async (req, res) => {
    const notice = await getNotice(ctx, String(req.params.id));
    const [view] = await presentNotices(ctx, req, res, [notice]); // a repeat's page shows the original
    if (!view) throw new GoneError('This notice has been removed.');
    res.render('notice/show', { title: `Notice by ${view.author.handle}`, notice: view });
  });

  // Without JavaScript a delete button cannot ask "are you sure?", so this page does.
  router.get('/notice/delete/:id', requireUser, async (req, res) => {
    const notice = noticeView(await getNotice(ctx, String(req.params.id)), res.locals.viewer);
    res.render('notice/delete', { title: 'Delete notice', notice });
  });

  router.post('/notice/delete/:id', requireUser, async (req, res) => {
    const notice = await deleteNotice(ctx, viewerOf(res).id, String(req.params.id));
    const fields = formFields(req.body, ['returnto']);
    res.redirect(303, localReturnPath(fields.returnto, `/${notice.author.nickname}`));
  });

  return router;
}
