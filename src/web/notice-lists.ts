// Notices as a page lists them for its reader: repeats show their originals, and a signed-in
// reader gets the favorite and repeat buttons in their current state (one query per page).
import type { Request, Response } from 'express';
import type { DomainContext } from '../domain/context.ts';
import type { NoticeRecord } from '../domain/notices.ts';
import { showNotices } from '../domain/shown-notices.ts';
import { noticeView } from './presenters/notices.ts';
import type { NoticeView } from './presenters/notices.ts';

/** View models of a page's notices for the request's viewer; buttons lead back to this page, at their notice. */
export async function presentNotices(ctx: DomainContext, req: Request, res: Response, notices: readonly NoticeRecord[]): Promise<NoticeView[]> {
  const viewer = res.locals.viewer;
  const shown = await showNotices(ctx, notices, viewer?.id);
  const now = new Date();
  return shown.map(({ listed, shown: notice, favorited, repeated }) =>
    noticeView(notice, viewer, now, {
      listedId: listed.id,
      repeater: listed.repeatOf !== null ? listed.author : undefined,
      favorited,
      repeated,
      returnTo: `${req.originalUrl}#notice-${listed.id}`,
    }),
  );
}
