// Notice records -> what the notice partial shows.
import type { NoticeRecord } from '../../domain/notices.ts';
import { canDeleteNotice } from '../../domain/notices.ts';
import type { UserRecord } from '../../domain/accounts.ts';
import { authorView } from './profiles.ts';
import type { AuthorView } from './profiles.ts';
import { attachmentViews } from './attachments.ts';
import type { AttachmentView } from './attachments.ts';

export type NoticeView = {
  id: number;
  html: string;
  /** A content warning: the text is folded away behind it (plain text, escaped by the view). */
  summary: string | undefined;
  author: AuthorView;
  permalink: string;
  createdAtIso: string;
  createdAtText: string;
  /** Link to the thread, when the notice belongs to one. */
  contextUrl: string | undefined;
  /** Link that opens the post form as a reply, for signed-in viewers. */
  replyUrl: string | undefined;
  /** Where the delete form posts, when the viewer may delete it. */
  deleteUrl: string | undefined;
  /** The report form for this notice, for signed-in viewers other than its author. */
  reportUrl: string | undefined;
  /** Its pictures, as thumbnails linking to their pages (or links to remote ones not copied yet). */
  attachments: AttachmentView[];
  /** Who repeated it, when the list holds their repeat of it. */
  repeatedBy: AuthorView | undefined;
  favoriteCount: number;
  /** The favorite and repeat buttons, for a signed-in viewer of a list that knows their state. */
  actions: NoticeActions | undefined;
};

export type NoticeActions = {
  /** The notice the buttons act on (the original, for a repeat). */
  noticeId: number;
  favorited: boolean;
  /** Whether the viewer repeated it; undefined when they cannot (their own notice). */
  repeated: boolean | undefined;
  /** Where the buttons lead back to: the page, at this notice. */
  returnTo: string;
};

/** How a notice is listed: its place in the list (a repeat's own id), who repeated it, and the viewer's marks. */
export type ListedContext = { listedId: number; repeater: NoticeRecord['author'] | undefined; favorited: boolean; repeated: boolean; returnTo: string };

const UNITS: [number, string][] = [
  [60, 'second'],
  [60, 'minute'],
  [24, 'hour'],
  [30, 'day'],
  [12, 'month'],
];

/** "about 5 minutes ago", as Laconica showed times. */
export function relativeTime(date: Date, now: Date = new Date()): string {
  let amount = Math.max(0, (now.getTime() - date.getTime()) / 1000);
  if (amount < 60) return 'a few seconds ago';
  for (const [size, unit] of UNITS) {
    if (amount < size) {
      const rounded = Math.round(amount);
      return `about ${rounded} ${unit}${rounded === 1 ? '' : 's'} ago`;
    }
    amount /= size;
  }
  const years = Math.round(amount);
  return `about ${years} year${years === 1 ? '' : 's'} ago`;
}

/** The view model of one notice for this viewer; `listed` adds who repeated it and the buttons. */
export function noticeView(notice: NoticeRecord, viewer: UserRecord | undefined, now: Date = new Date(), listed?: ListedContext): NoticeView {
  const isThread = notice.inReplyTo !== null || notice.conversationId !== notice.id;
  return {
    id: listed?.listedId ?? notice.id,
    html: notice.rendered,
    summary: notice.summary ?? undefined,
    author: authorView(notice.author),
    permalink: notice.isLocal || !notice.url ? `/notice/${notice.id}` : notice.url,
    createdAtIso: notice.createdAt.toISOString(),
    createdAtText: relativeTime(notice.createdAt, now),
    contextUrl: isThread ? `/conversation/${notice.conversationId}#notice-${notice.id}` : undefined,
    replyUrl: viewer ? `/notice/new?inreplyto=${notice.id}` : undefined,
    deleteUrl: canDeleteNotice(viewer, notice) ? `/notice/delete/${notice.id}` : undefined,
    reportUrl: viewer && viewer.id !== notice.author.id ? `/main/report?notice=${notice.id}` : undefined,
    attachments: attachmentViews(notice.attachments),
    repeatedBy: listed?.repeater ? authorView(listed.repeater) : undefined,
    favoriteCount: notice.favoriteCount,
    actions:
      viewer && listed
        ? { noticeId: notice.id, favorited: listed.favorited, repeated: viewer.id === notice.author.id ? undefined : listed.repeated, returnTo: listed.returnTo }
        : undefined,
  };
}

/** View models for a list of notices. */
export function noticeViews(notices: readonly NoticeRecord[], viewer: UserRecord | undefined): NoticeView[] {
  const now = new Date();
  return notices.map((notice) => noticeView(notice, viewer, now));
}
