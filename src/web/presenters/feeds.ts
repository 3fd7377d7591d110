// Feeds as RSS 2.0 and Atom 1.0 documents, every URL absolute and every string escaped. A notice
// behind a content warning keeps it in front wherever a reader may show the entry: the title names
// the warning instead of the text, the HTML opens with it (RSS description, Atom content), and
// Atom's summary (what readers show in lists and previews) is the warning alone.
import type { NoticeRecord } from '../../domain/notices.ts';
import { escapeHtml } from '../../domain/notice-text.ts';
import { noticeUrl, profileUrl } from '../../domain/urls.ts';
import { authorView } from './profiles.ts';
import { el, xmlDocument } from './xml.ts';
import { picturesHtml } from './attachments.ts';

export type FeedFormat = 'rss' | 'atom';

/** Media types of the two formats. */
export const FEED_TYPES: Record<FeedFormat, string> = { rss: 'application/rss+xml', atom: 'application/atom+xml' };

export type FeedDocument = {
  title: string;
  /** Absolute URL of this feed (with its search, if any). */
  selfUrl: string;
  /** Absolute URL of the HTML page that shows the same notices. */
  pageUrl: string;
  updated: Date;
  notices: NoticeRecord[];
  publicUrl: string;
};

type Entry = { id: string; title: string; warning: string | undefined; authorName: string; authorUri: string; date: Date; html: string };

const WARNING_LABEL = 'Content warning:';

const isHttp = (url: string | null): url is string => url !== null && /^https?:\/\//i.test(url);

function entryOf(notice: NoticeRecord, publicUrl: string): Entry {
  const author = authorView(notice.author);
  const local = notice.isLocal || !isHttp(notice.url);
  const authorUri = notice.author.isLocal ? profileUrl(publicUrl, notice.author.nickname) : isHttp(notice.author.profileUrl) ? notice.author.profileUrl : `${publicUrl}${author.url}`;
  const warning = notice.summary ? `${WARNING_LABEL} ${notice.summary}` : undefined;
  const text = notice.content || (notice.attachments.length === 1 ? 'a picture' : `${notice.attachments.length} pictures`);
  const body = notice.rendered + picturesHtml(publicUrl, notice.attachments);
  return {
    id: local ? noticeUrl(publicUrl, notice.id) : notice.url!,
    title: `${author.handle}: ${warning ?? text}`,
    warning,
    authorName: author.displayName === author.handle ? author.handle : `${author.displayName} (${author.handle})`,
    authorUri,
    date: notice.createdAt,
    // Feed readers drop or open <details>: the warning is a paragraph of its own, ruled off from the text.
    html: notice.summary ? `<p><strong>${WARNING_LABEL}</strong> ${escapeHtml(notice.summary)}</p><hr>${body}` : body,
  };
}

/** The feed as RSS 2.0 (with an atom:link to itself, as validators ask). */
export function toRss(feed: FeedDocument): string {
  const items = feed.notices.map((notice) => {
    const entry = entryOf(notice, feed.publicUrl);
    return el(
      'item',
      {},
      el('title', {}, entry.title),
      el('link', {}, entry.id),
      el('guid', { isPermaLink: 'true' }, entry.id),
      el('pubDate', {}, entry.date.toUTCString()),
      el('dc:creator', {}, entry.authorName),
      el('description', {}, entry.html),
    );
  });
  return xmlDocument(
    el(
      'rss',
      { version: '2.0', 'xmlns:atom': 'http://www.w3.org/2005/Atom', 'xmlns:dc': 'http://purl.org/dc/elements/1.1/' },
      el(
        'channel',
        {},
        el('title', {}, feed.title),
        el('link', {}, feed.pageUrl),
        el('description', {}, feed.title),
        el('atom:link', { href: feed.selfUrl, rel: 'self', type: FEED_TYPES.rss }),
        el('lastBuildDate', {}, feed.updated.toUTCString()),
        el('generator', {}, 'Ostrakon'),
        ...items,
      ),
    ),
  );
}

/** The feed as Atom 1.0. */
export function toAtom(feed: FeedDocument): string {
  const entries = feed.notices.map((notice) => {
    const entry = entryOf(notice, feed.publicUrl);
    return el(
      'entry',
      {},
      el('id', {}, entry.id),
      el('title', {}, entry.title),
      el('updated', {}, entry.date.toISOString()),
      el('published', {}, entry.date.toISOString()),
      el('author', {}, el('name', {}, entry.authorName), el('uri', {}, entry.authorUri)),
      el('link', { rel: 'alternate', type: 'text/html', href: entry.id }),
      entry.warning === undefined ? undefined : el('summary', { type: 'text' }, entry.warning),
      el('content', { type: 'html' }, entry.html),
    );
  });
  return xmlDocument(
    el(
      'feed',
      { xmlns: 'http://www.w3.org/2005/Atom' },
      el('id', {}, feed.selfUrl),
      el('title', {}, feed.title),
      el('updated', {}, feed.updated.toISOString()),
      el('link', { rel: 'self', type: FEED_TYPES.atom, href: feed.selfUrl }),
      el('link', { rel: 'alternate', type: 'text/html', href: feed.pageUrl }),
      el('generator', {}, 'Ostrakon'),
      ...entries,
    ),
  );
}
