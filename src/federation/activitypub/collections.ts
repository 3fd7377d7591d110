// A local actor's outbox (her notices as Create activities), followers and following, paged by
// keyset cursors (the id to continue before), with their sizes.
import type { Federation } from '@fedify/fedify';
import type { FederationContext } from '../context.ts';
import { findLocalProfile } from '../../domain/lookups.ts';
import { localProfileCounts } from '../../domain/site-stats.ts';
import { profileTimeline } from '../../domain/timelines.ts';
import { listActorCollection } from '../../db/ap-actors.ts';
import { findNotice } from '../../domain/lookups.ts';
import { Note } from '@fedify/fedify/vocab';
import type { Announce, Create } from '@fedify/fedify/vocab';
import type { Context } from '@fedify/fedify';
import type { NoticeRecord } from '../../domain/lookups.ts';
import { showNotices } from '../../domain/shown-notices.ts';
import { toAnnounce } from './announces.ts';
import { addressingOf, addressingsOf } from './addressing.ts';
import { noticeId, toCreate, toNote } from './mapping.ts';
import { FOLLOWERS_PATH, FOLLOWING_PATH, INSTANCE_IDENTIFIER, NOTE_PATH, OUTBOX_PATH } from './paths.ts';

const PAGE_SIZE = 40;

// A page of an actor's notices as activities: Create(Note), each Note as /notice/:id serves it
// (inReplyTo, Mention tags), or Announce for a repeat (the originals, and the addressing of the
// Notes, read in one query each).
async function outboxItems(ctx: Context<FederationContext>, notices: readonly NoticeRecord[]): Promise<(Create | Announce)[]> {
  const [shown, addressings] = await Promise.all([showNotices(ctx.data, notices, undefined), addressingsOf(ctx, notices.filter((notice) => notice.repeatOf === null))]);
  return shown.flatMap(({ listed, shown: original }): (Create | Announce)[] => {
    if (listed.repeatOf === null) return [toCreate(ctx, listed, addressings.get(listed.id))];
    const object = noticeId(ctx.data.config.publicUrl, original);
    return object ? [toAnnounce(ctx, listed, object)] : [];
  });
}

// '' is the first page; otherwise a positive id to continue before. Anything else is no page.
function cursorValue(cursor: string): number | undefined | null {
  if (cursor === '') return undefined;
  return /^[1-9]\d{0,17}$/.test(cursor) ? Number(cursor) : null;
}

// The first page of an existing actor's collection; none (so a 404) for nobody.
async function firstCursor(ctx: { data: FederationContext }, identifier: string): Promise<string | null> {
  if (identifier === INSTANCE_IDENTIFIER) return '';
  return (await findLocalProfile(ctx.data.db, identifier)) ? '' : null;
}

/** Registers local notices as Notes (at their permalinks), the outbox, followers and following collections. */
export function registerCollections(federation: Federation<FederationContext>): void {
  federation.setObjectDispatcher(Note, NOTE_PATH, async (ctx, values) => {
    const id = cursorValue(values.id ?? '');
    const notice = typeof id === 'number' ? await findNotice(ctx.data.db, id) : undefined;
    if (!notice || !notice.isLocal || notice.repeatOf !== null) return null; // a repeat is an Announce, not a Note
    return toNote(ctx, notice, await addressingOf(ctx, notice));
  });

  federation
    .setOutboxDispatcher(OUTBOX_PATH, async (ctx, identifier, cursor) => {
      if (cursor === null) return null; // the collection itself: only its size and first page link
      const before = cursorValue(cursor);
      if (before === null || identifier === INSTANCE_IDENTIFIER) return identifier === INSTANCE_IDENTIFIER ? { items: [] } : null;
      const timeline = await profileTimeline(ctx.data, identifier, before).catch(() => undefined);
      if (!timeline) return null;
      const next = timeline.page.olderBefore;
      return { items: await outboxItems(ctx, timeline.page.notices), nextCursor: next === undefined ? null : String(next) };
    })
    .setCounter(async (ctx, identifier) => (identifier === INSTANCE_IDENTIFIER ? 0 : ((await localProfileCounts(ctx.data, identifier))?.notices ?? null)))
    .setFirstCursor(firstCursor);

  for (const direction of ['followers', 'following'] as const) {
    const dispatch = async (ctx: Parameters<Parameters<typeof federation.setFollowersDispatcher>[1]>[0], identifier: string, cursor: string | null) => {
      if (cursor === null) return null;
      const before = cursorValue(cursor);
      const profile = before === null ? undefined : await findLocalProfile(ctx.data.db, identifier);
      if (!profile) return null;
      const rows = await listActorCollection(ctx.data.db, profile.id, direction, { before: before ?? undefined, limit: PAGE_SIZE + 1 });
      const page = rows.slice(0, PAGE_SIZE);
      const ids = page.map((row) => (row.actorId ? new URL(row.actorId) : ctx.getActorUri(row.nickname)));
      return { items: ids, nextCursor: rows.length > PAGE_SIZE ? String(page[page.length - 1]!.profileId) : null };
    };
    const count = async (ctx: { data: FederationContext }, identifier: string) => {
      const counts = await localProfileCounts(ctx.data, identifier);
      return counts ? (direction === 'followers' ? counts.subscribers : counts.subscriptions) : null;
    };
    if (direction === 'followers') {
      federation
        .setFollowersDispatcher(FOLLOWERS_PATH, async (ctx, identifier, cursor) => {
          const page = await dispatch(ctx, identifier, cursor);
          return page && { ...page, items: page.items.map((id) => ({ id, inboxId: null })) };
        })
        .setCounter(count)
        .setFirstCursor(firstCursor);
    } else {
      federation.setFollowingDispatcher(FOLLOWING_PATH, dispatch).setCounter(count).setFirstCursor(firstCursor);
    }
  }
}
