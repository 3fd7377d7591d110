// Timelines: pages of notices, 20 at a time, with keyset paging ("?before=<id>").
import { NotFoundError, ValidationError } from '../errors.ts';
import { getLocalProfileWithCounts } from '../db/profiles.ts';
import type { ProfileCounts } from '../db/profiles.ts';
import type { ProfileRecord, NoticeRecord } from '../db/records.ts';
import {
  listConversationNotices,
  listHomeNotices,
  listMentionNotices,
  listProfileNotices,
  listPublicNotices,
  listTagNotices,
} from '../db/timelines.ts';
import type { PageRequest } from '../db/timelines.ts';
import type { DomainContext } from './context.ts';
import { parseId } from './ids.ts';
import { checkNotSuspended } from './visibility.ts';
import { canonicalTag, isTag } from './notice-text.ts';
import { PAGE_SIZE, readKeysetPage } from './paging.ts';
import { threadOrder } from './thread-order.ts';

export type { ProfileRecord, ProfileCounts };

export { PAGE_SIZE };
const CONVERSATION_LIMIT = 500;

export type NoticePage = {
  notices: NoticeRecord[];
  /** Cursor for the next, older page; undefined on the last page. */
  olderBefore: number | undefined;
  /** Whether this page was asked for with a cursor (so it is not the first). */
  isContinuation: boolean;
};

export type ProfileTimeline = { profile: ProfileRecord; counts: ProfileCounts; page: NoticePage };

/** The cursor from "?before=", or ValidationError when it is not an id. */
export function parseCursor(raw: unknown): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  const id = typeof raw === 'string' ? parseId(raw) : undefined;
  if (id === undefined) throw new ValidationError({ before: 'The “before” parameter must be a notice id.' });
  return id;
}

/** One page of a keyset-paged notice list, by notice id; 404 past the end. */
export async function readPage(before: number | undefined, list: (page: PageRequest) => Promise<NoticeRecord[]>): Promise<NoticePage> {
  const { items, olderBefore, isContinuation } = await readKeysetPage(before, list, (notice) => notice.id, 'There are no older notices.');
  return { notices: items, olderBefore, isContinuation };
}

/** Every local notice, newest first. */
export function publicTimeline(ctx: DomainContext, before: number | undefined): Promise<NoticePage> {
  return readPage(before, (page) => listPublicNotices(ctx.db, page));
}

// A local profile with its header counts (one query), then one page of a list of its notices:
// two queries a page, each a round trip the page cannot do without.
async function withCounts(
  ctx: DomainContext,
  nickname: string,
  before: number | undefined,
  list: (db: DomainContext['db'], profileId: number, page: PageRequest) => Promise<NoticeRecord[]>,
): Promise<ProfileTimeline> {
  const found = await getLocalProfileWithCounts(ctx.db, nickname);
  if (!found) throw new NotFoundError(`There is nobody called “${nickname}” here.`);
  checkNotSuspended(found.profile);
  const page = await readPage(before, (p) => list(ctx.db, found.profile.id, p));
  return { ...found, page };
}

/** A local profile with its counts and its own notices. */
export async function profileTimeline(ctx: DomainContext, nickname: string, before: number | undefined): Promise<ProfileTimeline> {
  return withCounts(ctx, nickname, before, listProfileNotices);
}

/** A local user's home timeline: their notices and those of the people they subscribe to. */
export async function homeTimeline(ctx: DomainContext, nickname: string, before: number | undefined): Promise<ProfileTimeline> {
  return withCounts(ctx, nickname, before, listHomeNotices); // every local profile is a user's
}

/** Notices that mention a local user. */
export async function repliesTimeline(ctx: DomainContext, nickname: string, before: number | undefined): Promise<ProfileTimeline> {
  return withCounts(ctx, nickname, before, listMentionNotices);
}

/** Notices with a tag; NotFoundError when there are none. */
export async function tagTimeline(ctx: DomainContext, rawTag: string, before: number | undefined): Promise<{ tag: string; page: NoticePage }> {
  const tag = canonicalTag(rawTag);
  if (!isTag(tag)) throw new NotFoundError('That is not a tag.');
  const page = await readPage(before, (p) => listTagNotices(ctx.db, tag, p));
  if (page.notices.length === 0) throw new NotFoundError(`No notices are tagged #${tag}.`);
  return { tag, page };
}

/** The notices of a conversation, each after the one it answers (oldest first otherwise); NotFoundError when none is left. */
export async function conversation(ctx: DomainContext, rawId: string): Promise<NoticeRecord[]> {
  const id = parseId(rawId);
  const notices = id === undefined ? [] : await listConversationNotices(ctx.db, id, CONVERSATION_LIMIT);
  if (notices.length === 0) throw new NotFoundError('No such conversation.');
  return threadOrder(notices);
}
