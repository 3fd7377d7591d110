// Favorites (Laconica 0.6): people mark the notices they like. The notice's author may be told by
// email; a notice from another server has its author's server told (a protocol-neutral job that
// ActivityPub sends as a Like; OMB 0.1 cannot say it). Favorites from other servers arrive here too.
import { NotFoundError, ValidationError } from '../errors.ts';
import { deleteFavorite, deleteFavoriteByUri, insertFavorite, listFavoriteNotices, listPopularNotices } from '../db/favorites.ts';
import type { FavoriteEntry } from '../db/favorites.ts';
import { isProfileSuspended } from '../db/moderation.ts';
import { getLocalProfileWithCounts } from '../db/profiles.ts';
import type { NoticeRecord } from '../db/records.ts';
import type { Db, DomainContext } from './context.ts';
import { queueFavoriteNotification } from './email-notifications.ts';
import { FAVORITE_DISTRIBUTE_JOB, FAVORITE_RETRACT_JOB } from './jobs.ts';
import { findActionableNotice, noticeToActOn } from './notice-targets.ts';
import { readKeysetPage } from './paging.ts';
import type { NoticePage, ProfileTimeline } from './timelines.ts';
import { readPage } from './timelines.ts';
import { checkNotSuspended } from './visibility.ts';

/** A local user favorites a notice (a repeat's original); 409 when they already do, nothing written. Returns the notice. */
export async function favoriteNotice(ctx: DomainContext, userId: number, rawNoticeId: string): Promise<NoticeRecord> {
  const notice = await noticeToActOn(ctx.db, rawNoticeId);
  await ctx.db.transaction(async (trx) => {
    const favoriteId = await insertFavorite(trx, { profileId: userId, noticeId: notice.id, uri: null });
    if (favoriteId === undefined) throw new ValidationError({ notice: 'You have already added this notice to your favorites.' }, 409);
    await queueFavoriteNotification(ctx, trx, userId, notice);
    // Only a notice from another server has anyone elsewhere to tell.
    if (!notice.isLocal) await ctx.jobs.send(trx, FAVORITE_DISTRIBUTE_JOB, { favoriteId, profileId: userId, noticeId: notice.id });
  });
  return notice;
}

/** A local user takes a notice out of their favorites; 409 when it is not one of them. Returns the notice. */
export async function unfavoriteNotice(ctx: DomainContext, userId: number, rawNoticeId: string): Promise<NoticeRecord> {
  const notice = await noticeToActOn(ctx.db, rawNoticeId);
  await ctx.db.transaction(async (trx) => {
    const favoriteId = await deleteFavorite(trx, userId, notice.id);
    if (favoriteId === undefined) throw new ValidationError({ notice: 'This notice is not among your favorites.' }, 409);
    if (!notice.isLocal) await ctx.jobs.send(trx, FAVORITE_RETRACT_JOB, { favoriteId, profileId: userId, noticeId: notice.id });
  });
  return notice;
}

/**
 * A remote profile favorites a local notice (its server verified who sent it): stored once however
 * often it arrives, the author told by email; false when the notice is not a local one anybody may
 * see, or the favorite is already known.
 */
export async function receiveRemoteFavorite(ctx: DomainContext, trx: Db, input: { profileId: number; noticeId: number; uri: string }): Promise<boolean> {
  const notice = await findActionableNotice(trx, input.noticeId);
  if (!notice || !notice.isLocal || notice.id !== input.noticeId) return false;
  if (await isProfileSuspended(trx, input.profileId)) return false; // a suspended person's favorites count for nothing
  const favoriteId = await insertFavorite(trx, { profileId: input.profileId, noticeId: notice.id, uri: input.uri });
  if (favoriteId === undefined) return false;
  await queueFavoriteNotification(ctx, trx, input.profileId, notice);
  return true;
}

/** A remote profile takes back a favorite, named by the notice or by the URI it was made under; whether one went. */
export async function withdrawRemoteFavorite(trx: Db, profileId: number, target: { noticeId?: number; uri?: string }): Promise<boolean> {
  if (target.noticeId !== undefined && (await deleteFavorite(trx, profileId, target.noticeId)) !== undefined) return true;
  return target.uri !== undefined && deleteFavoriteByUri(trx, profileId, target.uri);
}

/** A page of the notices a local user favorited (the cursor is a favorite's id), with their profile header. */
export async function favoritesTimeline(ctx: DomainContext, nickname: string, before: number | undefined): Promise<ProfileTimeline> {
  const found = await getLocalProfileWithCounts(ctx.db, nickname);
  if (!found) throw new NotFoundError(`There is nobody called “${nickname}” here.`);
  checkNotSuspended(found.profile);
  const page = await readKeysetPage<FavoriteEntry>(before, (p) => listFavoriteNotices(ctx.db, found.profile.id, p), (entry) => entry.favoriteId, 'There are no older favorites.');
  return { ...found, page: { notices: page.items, olderBefore: page.olderBefore, isContinuation: page.isContinuation } };
}

/** The favorited notices, most popular first: favorites weigh less as they age. */
export function popularNotices(ctx: DomainContext, before: number | undefined): Promise<NoticePage> {
  return readPage(before, (page) => listPopularNotices(ctx.db, page));
}
