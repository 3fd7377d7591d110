// Posting, showing and deleting notices.
import { Router } from 'express';
import { viewerOf } from '../locals.ts';
import type { Request, Response } from 'express';
import type { DomainContext } from '../../domain/context.ts';
import { deleteNotice, getNotice, postNotice } from '../../domain/notices.ts';
import { GoneError, ValidationError } from '../../errors.ts';
import { formFields, localReturnPath, queryParam, readForm } from '../forms.ts';
import { requireUser } from '../middleware/require-user.ts';
import { noticeLimit } from '../middleware/action-limits.ts';
import { noticeView } from '../presenters/notices.ts';
import { presentNotices } from '../notice-lists.ts';
import { ALT_FIELDS, PICTURE_FIELDS, POST_NOTICE_PATH } from '../middleware/picture-upload.ts';
import { ALT_MAX_LENGTH } from '../../domain/picture-uploads.ts';
import type { PictureUpload } from '../../domain/picture-uploads.ts';

export type PostFormView = {
  content: string;
  inReplyTo: string;
  returnTo: string;
  maxLength: number;
  error?: string;
  /** What was typed as each picture's description (files cannot be given back to a browser). */
  alts: string[];
  /** Whether the refused post had pictures, which must be chosen again. */
  chooseAgain?: boolean;
  pictures: { maxKb: number; altMaxLength: number };
};

/** The post form with nothing typed yet. */
export function emptyPostForm(ctx: DomainContext, returnTo: string): PostFormView {
  return { content: '', inReplyTo: '', returnTo, maxLength: ctx.config.noticeMaxLength, alts: ALT_FIELDS.map(() => ''), pictures: pictureLimits(ctx) };
}

function pictureLimits(ctx: DomainContext): PostFormView['pictures'] {
  return { maxKb: Math.floor(ctx.config.pictureMaxBytes / 1024), altMaxLength: ALT_MAX_LENGTH };
}

// Each picture slot of a multipart post: its file, if one was chosen, and its description.
function pictureSlots(req: Request, alts: readonly string[]): PictureUpload[] {
  const files = (req.files ?? {}) as Record<string, Express.Multer.File[] | undefined>;
  return PICTURE_FIELDS.map((name, i) => ({ bytes: files[name]?.[0]?.buffer, alt: alts[i] ?? '' }));
}

function renderPostForm(res: Response, status: number, form: PostFormView, replyingTo?: ReturnType<typeof noticeView>) {
  res.status(status).render('notice/new', { title: replyingTo ? 'Reply' : 'New notice', form, replyingTo });
}

/** /notice/new, /notice/:id and /notice/delete/:id. */
export function noticeRoutes(ctx: DomainContext, router: Router = Router()): Router {

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

  router.post(POST_NOTICE_PATH, requireUser, noticeLimit(ctx), async (req, res) => {
    const { fields, invalid } = readForm(req.body, ['content', 'inreplyto', 'returnto', ...ALT_FIELDS]);
    const returnTo = localReturnPath(fields.returnto, `/${viewerOf(res).nickname}/all`);
    const alts = ALT_FIELDS.map((name) => fields[name]);
    const pictures = pictureSlots(req, alts);
    try {
      if (res.locals.uploadProblem) throw new ValidationError({ pictures: res.locals.uploadProblem.message }, res.locals.uploadProblem.status);
      if (invalid) throw invalid;
      await postNotice(ctx, viewerOf(res).id, { content: fields.content, inReplyTo: fields.inreplyto, pictures });
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      const chooseAgain = res.locals.uploadProblem !== undefined || pictures.some((slot) => slot.bytes !== undefined);
      const form = { content: fields.content, inReplyTo: fields.inreplyto, returnTo, maxLength: ctx.config.noticeMaxLength, error: error.message, alts, pictures: pictureLimits(ctx), chooseAgain };
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
