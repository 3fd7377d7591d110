// omb_notice_content for a notice with pictures: OMB 0.1 carries only plain text of at most 140
// characters, so pictures travel as links to their /attachment/:id pages after the text (as
// Laconica 0.8 put its attachments' links in the text). The text is shortened, never below a
// readable start, to make room; links that still do not fit are left out (the notice URL sent
// with every push leads to the notice, which shows them all).
import type { NoticeRecord } from '../../domain/lookups.ts';
import { attachmentPageUrl } from '../../domain/urls.ts';

/** The most code points omb_notice_content may hold. */
export const OMB_CONTENT_MAX = 140;
// The least of the text kept before a picture link is given up for it.
const MIN_TEXT = 40;

function codePoints(text: string): string[] {
  return [...text];
}

// The text in at most `room` code points, cut with an ellipsis when it does not fit.
function shorten(text: string[], room: number): string {
  if (text.length <= room) return text.join('');
  return `${text.slice(0, room - 1).join('').trimEnd()}…`;
}

/** The notice's text with links to its pictures' pages, in at most OMB_CONTENT_MAX code points (never empty). */
export function ombNoticeContent(publicUrl: string, notice: Pick<NoticeRecord, 'content' | 'attachments'>): string {
  const text = codePoints(notice.content);
  const links = notice.attachments.map((picture) => attachmentPageUrl(publicUrl, picture.id));
  for (let count = links.length; count > 0; count--) {
    const linked = links.slice(0, count).join(' ');
    const length = codePoints(linked).length;
    if (text.length === 0 && length <= OMB_CONTENT_MAX) return linked;
    const room = OMB_CONTENT_MAX - length - 1; // a space between text and links
    if (text.length > 0 && room >= Math.min(text.length, MIN_TEXT)) return `${shorten(text, room)} ${linked}`;
  }
  if (text.length > 0) return shorten(text, OMB_CONTENT_MAX);
  return links.length === 1 ? '(a picture)' : `(${links.length} pictures)`; // only with a site address too long for any link
}
