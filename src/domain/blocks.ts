// Blocking and muting, by any signed-in person, of anyone here or on another server.
// A block ends the subscriptions between the two (both ways), refuses new ones (addSubscription
// asks subscription-rules.ts), keeps the person's notices off the blocker's home timeline and
// replies, and tells their server (ActivityPub's Block). A mute only hides their notices; they are
// not told. Both are read where those timelines are read (db/timelines.ts), so undoing one shows
// everything again.
import { NotFoundError, ValidationError } from '../errors.ts';
import { deleteBlock, getBlockKind, insertMute, listBlocked, upsertBlock } from '../db/blocks.ts';
import type { BlockedPerson, BlockKind } from '../db/blocks.ts';
import { getProfileById } from '../db/profiles.ts';
import type { ProfileRecord } from '../db/records.ts';
import type { Db, DomainContext } from './context.ts';
import { parseId } from './ids.ts';
import { BLOCK_DISTRIBUTE_JOB, SUBSCRIPTION_END_JOB } from './jobs.ts';
import { readKeysetPage } from './paging.ts';
import type { KeysetPage } from './paging.ts';
import { endSubscription } from './subscriptions.ts';

export type { BlockedPerson, BlockKind };

/** The person a block or mute form names by profile id; 404 when there is nobody by it, 400 for oneself. */
export async function blockTarget(ctx: DomainContext, userId: number, rawProfileId: string): Promise<ProfileRecord> {
  const id = parseId(rawProfileId.trim());
  const profile = id === undefined ? undefined : await getProfileById(ctx.db, id);
  if (!profile) throw new NotFoundError('There is nobody by that number here.');
  if (profile.id === userId) throw new ValidationError({ profile: 'You cannot block or mute yourself.' });
  return profile;
}

/** Blocks someone: subscriptions both ways end, and a remote person's server is told. */
export async function blockPerson(ctx: DomainContext, userId: number, rawProfileId: string): Promise<ProfileRecord> {
  const target = await blockTarget(ctx, userId, rawProfileId);
  await ctx.db.transaction(async (trx) => {
    if (!(await upsertBlock(trx, userId, target.id))) return; // already blocked
    // Our side of a remote subscription is withdrawn as an unsubscribe would (ActivityPub's Undo).
    if ((await endSubscription(trx, userId, target.id)) && !target.isLocal) {
      await ctx.jobs.send(trx, SUBSCRIPTION_END_JOB, { subscriberId: userId, subscribedId: target.id });
    }
    // Their subscription goes with its delivery credentials: nothing of ours reaches them any more.
    await endSubscription(trx, target.id, userId);
    if (!target.isLocal) await ctx.jobs.send(trx, BLOCK_DISTRIBUTE_JOB, { blockerId: userId, blockedId: target.id, undo: false });
  });
  return target;
}

/** Lifts a block (subscriptions it ended do not come back); a remote person's server is told. */
export async function unblockPerson(ctx: DomainContext, userId: number, rawProfileId: string): Promise<ProfileRecord> {
  const target = await blockTarget(ctx, userId, rawProfileId);
  await ctx.db.transaction(async (trx) => {
    if ((await deleteBlock(trx, userId, target.id, 'block')) && !target.isLocal) {
      await ctx.jobs.send(trx, BLOCK_DISTRIBUTE_JOB, { blockerId: userId, blockedId: target.id, undo: true });
    }
  });
  return target;
}

/** Mutes someone: their notices leave the user's timelines; nobody is told, subscriptions stay. */
export async function mutePerson(ctx: DomainContext, userId: number, rawProfileId: string): Promise<ProfileRecord> {
  const target = await blockTarget(ctx, userId, rawProfileId);
  await insertMute(ctx.db, userId, target.id); // a block already hides them: it stays a block
  return target;
}

/** Lifts a mute. */
export async function unmutePerson(ctx: DomainContext, userId: number, rawProfileId: string): Promise<ProfileRecord> {
  const target = await blockTarget(ctx, userId, rawProfileId);
  await deleteBlock(ctx.db, userId, target.id, 'mute');
  return target;
}

/** Whether the viewer blocks or mutes this person (undefined when neither, or nobody is signed in). */
export function viewerBlockKind(ctx: DomainContext, viewerId: number | undefined, profileId: number): Promise<BlockKind | undefined> {
  if (viewerId === undefined || viewerId === profileId) return Promise.resolve(undefined);
  return getBlockKind(ctx.db, viewerId, profileId);
}

/** A page of the people a user blocks or mutes. */
export function blockedPeople(ctx: DomainContext, userId: number, before: number | undefined): Promise<KeysetPage<BlockedPerson>> {
  return readKeysetPage(before, (page) => listBlocked(ctx.db, userId, page), (person) => person.profile.id, 'There is nobody further in this list.');
}

/** Someone on another server blocked a local user: the subscriptions between them end, both ways (their server has ended its side). */
export async function blockedByRemote(db: Db, remoteId: number, userId: number): Promise<void> {
  await endSubscription(db, remoteId, userId);
  await endSubscription(db, userId, remoteId);
}
