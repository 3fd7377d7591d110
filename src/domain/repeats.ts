// Repeats (StatusNet 0.9): a person passes someone else's notice on to their own subscribers. A
// repeat is a notice of its own pointing at the original, so it is in the repeater's stream, fans
// out to their subscribers' home timelines and is distributed like a notice (ActivityPub sends an
// Announce, OMB 0.1 an ordinary notice "RT @author: text"). Repeats made on other servers arrive here too.
import { ForbiddenError, ValidationError } from '../errors.ts';
import { insertHomeEntry } from '../db/home-timelines.ts';
import { isProfileSuspended } from '../db/moderation.ts';
import { getProfileById } from '../db/profiles.ts';
import { hasLocalSubscribers } from '../db/subscriptions.ts';
import type { NoticeRecord } from '../db/records.ts';
import { deleteRemoteRepeatByUri, deleteRepeat, insertRepeat } from '../db/repeats.ts';
import type { Db, DomainContext } from './context.ts';
import { NOTICE_DISTRIBUTE_JOB, NOTICE_FANOUT_JOB, NOTICE_RETRACT_JOB } from './jobs.ts';
import { escapeHtml } from './notice-text.ts';
import { authorHandle, findActionableNotice, noticeToActOn } from './notice-targets.ts';

/** The text a repeat carries, as StatusNet wrote it (feeds and OMB show it; pages show the original). */
export function repeatText(original: NoticeRecord): string {
  return `RT @${authorHandle(original.author)}: ${original.content}`;
}

// The same as HTML: the original's rendered HTML after an escaped "RT @author:".
function repeatHtml(original: NoticeRecord): string {
  return `RT @${escapeHtml(authorHandle(original.author))}: ${original.rendered}`;
}

/**
 * A local user repeats a notice (a repeat of a repeat repeats the original). Refused with 403 for
 * their own notice and a silenced person's, 409 when they repeated it already; nothing is written
 * then. Returns the original.
 */
export async function repeatNotice(ctx: DomainContext, userId: number, rawNoticeId: string): Promise<NoticeRecord> {
  const original = await noticeToActOn(ctx.db, rawNoticeId);
  if (original.author.id === userId) throw new ForbiddenError('You cannot repeat your own notice.');
  // Silencing keeps a person's notices from spreading beyond those who chose to read them.
  if ((await getProfileById(ctx.db, original.author.id))?.silencedAt) throw new ForbiddenError('This notice cannot be repeated.');
  await ctx.db.transaction(async (trx) => {
    const id = await insertRepeat(trx, { profileId: userId, repeatOf: original.id, isLocal: true, uri: null, content: repeatText(original), rendered: repeatHtml(original), source: 'web' });
    if (id === undefined) throw new ValidationError({ notice: 'You have already repeated this notice.' }, 409);
    await insertHomeEntry(trx, userId, id); // the repeater sees it at once; subscribers via the job
    await ctx.jobs.send(trx, NOTICE_FANOUT_JOB, { noticeId: id });
    await ctx.jobs.send(trx, NOTICE_DISTRIBUTE_JOB, { noticeId: id });
  });
  return original;
}

/** A local user takes back their repeat of a notice; 409 when they have none. Other servers are told it is gone. Returns the original. */
export async function unrepeatNotice(ctx: DomainContext, userId: number, rawNoticeId: string): Promise<NoticeRecord> {
  const original = await noticeToActOn(ctx.db, rawNoticeId);
  await ctx.db.transaction(async (trx) => {
    const id = await deleteRepeat(trx, userId, original.id);
    if (id === undefined) throw new ValidationError({ notice: 'You have not repeated this notice.' }, 409);
    await ctx.jobs.send(trx, NOTICE_RETRACT_JOB, { noticeId: id, authorId: userId, repeatOf: original.id });
  });
  return original;
}

/** Whether a remote profile's repeats are wanted here: someone here subscribes to them. */
export function isFollowedHere(db: Db, profileId: number): Promise<boolean> {
  return hasLocalSubscribers(db, profileId);
}

/**
 * A remote profile repeated a notice we have (its server verified who sent it): stored once under
 * the URI it was made with, and fanned out to that profile's local subscribers. Undefined when the
 * notice is not one anybody may see, the repeat is already known, or it concerns nobody here (not
 * our notice, and nobody here subscribes to the repeater).
 */
export async function receiveRemoteRepeat(ctx: DomainContext, trx: Db, input: { profileId: number; noticeId: number; uri: string; source: string }): Promise<number | undefined> {
  const original = await findActionableNotice(trx, input.noticeId);
  if (!original) return undefined;
  if (!original.isLocal && !(await isFollowedHere(trx, input.profileId))) return undefined;
  if (await isProfileSuspended(trx, input.profileId)) return undefined;
  const id = await insertRepeat(trx, { profileId: input.profileId, repeatOf: original.id, isLocal: false, uri: input.uri, content: repeatText(original), rendered: repeatHtml(original), source: input.source });
  if (id !== undefined) await ctx.jobs.send(trx, NOTICE_FANOUT_JOB, { noticeId: id });
  return id;
}

/** A remote profile takes back a repeat it made under this URI; whether one went. */
export function withdrawRemoteRepeat(trx: Db, profileId: number, uri: string): Promise<boolean> {
  return deleteRemoteRepeatByUri(trx, profileId, uri);
}
