// The page of one picture (/attachment/:id, at its full size with its description, as Laconica's
// attachment pages) and the picture files (/attachments/<key>.<ext>), served as avatars are.
import { Router } from 'express';
import type { Response } from 'express';
import type { DomainContext } from '../../domain/context.ts';
import { getAttachment, pictureFile } from '../../domain/attachment-pages.ts';
import { attachmentView } from '../presenters/attachments.ts';
import { noticeView } from '../presenters/notices.ts';

// A file name holds the random key of its content, which never changes: it may be cached for ever.
const FOREVER = 'public, max-age=31536000, immutable';

function send(res: Response, file: string, mediaType: string): Promise<void> {
  return new Promise((resolve, reject) => {
    res.sendFile(file, { cacheControl: false, headers: { 'Content-Type': mediaType, 'Cache-Control': FOREVER, 'X-Content-Type-Options': 'nosniff' } }, (error) => {
      if (error) reject(error);
      else resolve();
    });
  });
}

/** GET /attachment/:id and GET /attachments/:file. */
export function attachmentRoutes(ctx: DomainContext, router: Router = Router()): Router {

  router.get('/attachment/:id', async (req, res) => {
    const { attachment, notice, number } = await getAttachment(ctx, req.params.id);
    const view = noticeView(notice, res.locals.viewer);
    const picture = attachmentView(attachment, number, notice.attachments.length);
    const title = notice.attachments.length > 1 ? `Picture ${number} of ${notice.attachments.length} by ${view.author.handle}` : `Picture by ${view.author.handle}`;
    res.render('notice/attachment', { title, picture, notice: view });
  });

  router.get('/attachments/:file', async (req, res) => {
    const { file, mediaType } = await pictureFile(ctx, req.params.file);
    await send(res, file, mediaType);
  });

  return router;
}
