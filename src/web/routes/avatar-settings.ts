// /settings/avatar: upload a new picture, or remove it. The multipart body was read (and its CSRF
// token checked) before this router runs; see middleware/avatar-upload.ts.
import { Router } from 'express';
import type { Response } from 'express';
import type { DomainContext } from '../../domain/context.ts';
import { removeLocalAvatar, setLocalAvatar } from '../../domain/avatars.ts';
import { ValidationError } from '../../errors.ts';
import { viewerOf } from '../locals.ts';
import { AVATAR_UPLOAD_PATH } from '../middleware/avatar-upload.ts';
import { requireUser } from '../middleware/require-user.ts';
import { authorView } from '../presenters/profiles.ts';

function render(res: Response, status: number, maxBytes: number, error?: string, saved?: 'saved' | 'removed') {
  res.status(status).render('settings/avatar', {
    title: 'Avatar',
    current: authorView(viewerOf(res)),
    errors: error ? { avatar: error } : {},
    saved,
    maxKb: Math.floor(maxBytes / 1024),
  });
}

/** GET and POST /settings/avatar, and POST /settings/avatar/delete. */
export function avatarSettingsRoutes(ctx: DomainContext, router: Router = Router()): Router {
  const maxBytes = ctx.config.avatarMaxBytes;

  router.get(AVATAR_UPLOAD_PATH, requireUser, (req, res) => {
    const saved = req.query.saved === '1' ? 'saved' : req.query.removed === '1' ? 'removed' : undefined;
    render(res, 200, maxBytes, undefined, saved);
  });

  router.post(AVATAR_UPLOAD_PATH, requireUser, async (req, res) => {
    const problem = res.locals.uploadProblem;
    if (problem) return render(res, problem.status, maxBytes, problem.message);
    try {
      await setLocalAvatar(ctx, viewerOf(res).id, req.file?.buffer);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      return render(res, error.status, maxBytes, error.fields.avatar ?? error.message);
    }
    res.redirect(303, `${AVATAR_UPLOAD_PATH}?saved=1`);
  });

  router.post(`${AVATAR_UPLOAD_PATH}/delete`, requireUser, async (_req, res) => {
    await removeLocalAvatar(ctx, viewerOf(res).id);
    res.redirect(303, `${AVATAR_UPLOAD_PATH}?removed=1`);
  });

  return router;
}
