// RSS and Atom feeds: which notices each lists, and the validators that let readers ask cheaply.
import { createHash } from 'node:crypto';
import { NotFoundError, ValidationError } from '../errors.ts';
import { readFeedStamp } from '../db/feed-stamps.ts';
import type { NoticeSet } from '../db/feed-stamps.ts';
import { getLocalProfileByNickname } from '../db/profiles.ts';
import { checkNotSuspended } from './visibility.ts';
import type { NoticeRecord } from '../db/records.ts';
import { listFavoriteNotices } from '../db/favorites.ts';
import { searchNotices } from '../db/search.ts';
import { listMentionNotices, listProfileNotices, listPublicNotices, listTagNotices } from '../db/timelines.ts';
import type { DomainContext } from './context.ts';
import { showNotices } from './shown-notices.ts';
import { canonicalTag, isTag } from './notice-text.ts';
import { checkNoticeQuery, normalizeSearchText } from './search.ts';

/** How many entries a feed carries. */
export const FEED_SIZE = 20;
// Bump when the feed markup changes, so that readers' cached copies are replaced.
const FEED_FORMAT_VERSION = '2';
// Notices are stamped when their transaction starts, and HTTP dates have one-second resolution:
// a Last-Modified is only given out once no change in that second can still be committing.
const SETTLED_MS = 2000;

/** A feed: its notices, its title and where its HTML page and the feed itself live (paths). */
export type FeedSubject = { set: NoticeSet; title: string; pagePath: string; feedPath: string; query: Record<string, string> };

/** Validators of a feed's current content. */
export type FeedValidators = { etag: string; lastModified: Date | undefined };

/** The public timeline's feed. */
export function publicFeed(ctx: DomainContext): FeedSubject {
  return { set: { kind: 'public' }, title: `${ctx.config.siteName} public timeline`, pagePath: '/', feedPath: '', query: {} };
}

async function localProfileId(ctx: DomainContext, nickname: string): Promise<number> {
  const profile = await getLocalProfileByNickname(ctx.db, nickname);
  if (!profile) throw new NotFoundError(`There is nobody called “${nickname}” here.`);
  checkNotSuspended(profile);
  return profile.id;
}

/** A local user's notices; NotFoundError for nobody. */
export async function profileFeed(ctx: DomainContext, nickname: string): Promise<FeedSubject> {
  const set: NoticeSet = { kind: 'profile', profileId: await localProfileId(ctx, nickname) };
  return { set, title: `${nickname} on ${ctx.config.siteName}`, pagePath: `/${nickname}`, feedPath: `/${nickname}`, query: {} };
}

/** Notices that mention a local user; NotFoundError for nobody. */
export async function repliesFeed(ctx: DomainContext, nickname: string): Promise<FeedSubject> {
  const set: NoticeSet = { kind: 'mentions', profileId: await localProfileId(ctx, nickname) };
  const path = `/${nickname}/replies`;
  return { set, title: `Replies to ${nickname} on ${ctx.config.siteName}`, pagePath: path, feedPath: path, query: {} };
}

/** The notices a local user favorited, the latest favorite first; NotFoundError for nobody. */
export async function favoritesFeed(ctx: DomainContext, nickname: string): Promise<FeedSubject> {
  const set: NoticeSet = { kind: 'favorites', profileId: await localProfileId(ctx, nickname) };
  const path = `/${nickname}/favorites`;
  return { set, title: `${nickname}’s favorite notices on ${ctx.config.siteName}`, pagePath: path, feedPath: path, query: {} };
}

/** Notices with a tag (NotFoundError, like the tag page, when there are none: see feedValidators). */
export function tagFeed(ctx: DomainContext, rawTag: string): FeedSubject {
  const tag = canonicalTag(rawTag);
  if (!isTag(tag)) throw new NotFoundError('That is not a tag.');
  const path = `/tag/${encodeURIComponent(tag)}`;
  return { set: { kind: 'tag', tag }, title: `Notices tagged #${tag} on ${ctx.config.siteName}`, pagePath: path, feedPath: path, query: {} };
}

/** Notices matching a search; ValidationError for an empty, too long or unsearchable text. */
export async function searchFeed(ctx: DomainContext, raw: string | undefined): Promise<FeedSubject> {
  const text = normalizeSearchText(raw);
  if (text === '') throw new ValidationError({ q: 'A search feed needs words to search for: add ?q=… to its address.' });
  await checkNoticeQuery(ctx, text);
  const query = { q: text };
  return { set: { kind: 'search', text }, title: `Notices matching “${text}” on ${ctx.config.siteName}`, pagePath: '/search/notice', feedPath: '/search/notice', query };
}

/** The ETag and Last-Modified of a feed in this format, from one small query; 404 for a tag nobody uses. */
export async function feedValidators(ctx: DomainContext, subject: FeedSubject, format: string): Promise<FeedValidators> {
  const stamp = await readFeedStamp(ctx.db, subject.set, FEED_SIZE);
  if (subject.set.kind === 'tag' && stamp.ids.length === 0) throw new NotFoundError(`No notices are tagged #${subject.set.tag}.`);
  // Notices change only by an edit, which moves the stamp like a new notice does, so their ids,
  // the latest change and the settings that appear in the feed describe the whole document.
  const hash = createHash('sha256')
    .update([FEED_FORMAT_VERSION, format, ctx.config.siteName, ctx.config.publicUrl, subject.title, stamp.ids.join(','), stamp.lastModified?.getTime() ?? ''].join('\n'))
    .digest('base64url')
    .slice(0, 27);
  const settled = stamp.lastModified !== undefined && stamp.now.getTime() - stamp.lastModified.getTime() >= SETTLED_MS;
  return { etag: `"${hash}"`, lastModified: settled ? stamp.lastModified : undefined };
}

/** The newest notices of a feed; a repeat carries the content warning of the notice it repeats (its text does too). */
export async function feedEntries(ctx: DomainContext, subject: FeedSubject): Promise<NoticeRecord[]> {
  const shown = await showNotices(ctx, await listFeedNotices(ctx, subject), undefined); // no query when no repeat is among them
  return shown.map(({ listed, shown: original }) => (listed.repeatOf === null ? listed : { ...listed, summary: original.summary }));
}

function listFeedNotices(ctx: DomainContext, subject: FeedSubject): Promise<NoticeRecord[]> {
  const page = { before: undefined, limit: FEED_SIZE };
  const set = subject.set;
  switch (set.kind) {
    case 'public':
      return listPublicNotices(ctx.db, page);
    case 'profile':
      return listProfileNotices(ctx.db, set.profileId, page);
    case 'mentions':
      return listMentionNotices(ctx.db, set.profileId, page);
    case 'tag':
      return listTagNotices(ctx.db, set.tag, page);
    case 'search':
      return searchNotices(ctx.db, set.text, page);
    case 'favorites':
      return listFavoriteNotices(ctx.db, set.profileId, page);
  }
}
