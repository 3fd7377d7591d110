// Posting, reading and deleting notices.
import { ForbiddenError, GoneError, NotFoundError, ValidationError } from '../errors.ts';
import { isProfileSuspended, insertLogEntry } from '../db/moderation.ts';
import { hasRecentDuplicate } from '../db/notice-limits.ts';
import { deleteNoticeById, getLatestNoticeIdOfProfile, getNoticeById, insertMentions, insertNotice, insertNoticeTags, listAddressedProfileIds } from '../db/notices.ts';
import { insertHomeEntry } from '../db/home-timelines.ts';
import { insertStoredPictures } from '../db/attachments.ts';
import { getUserById } from '../db/users.ts';
import type { NoticeRecord } from '../db/records.ts';
import type { Db, DomainContext } from './context.ts';
import { queueMentionNotifications } from './email-notifications.ts';
import { NOTICE_DISTRIBUTE_JOB, NOTICE_FANOUT_JOB, NOTICE_RETRACT_JOB } from './jobs.ts';
import { codePointLength, mentionedNicknames, noticeTags, renderNoticeHtml, tokenizeNotice } from './notice-text.ts';
import { parseId } from './ids.ts';
import { mentionHref, resolveMentions } from './mentions.ts';
import { hasControlCharacters } from './text-rules.ts';
import { tagUrl } from './urls.ts';
import { checkPictureSlots, convertPictures, removeDetachedPictures, withPictureFiles, writePictures } from './picture-uploads.ts';
import type { PictureUpload } from './picture-uploads.ts';

export type { NoticeRecord };

export type NewNoticeInput = { content: string; inReplyTo?: string; source?: string; pictures?: readonly PictureUpload[] };

// A notice may be pictures alone: its text may then be empty.
function cleanContent(ctx: DomainContext, raw: string, hasPictures: boolean): string {
  const content = raw.replace(/\r\n?/g, '\n').trim();
  if (content === '' && !hasPictures) throw new ValidationError({ content: 'Write something first, or attach a picture: the notice is empty.' });
  if (hasControlCharacters(content)) throw new ValidationError({ content: 'The notice contains control characters that cannot be stored.' });
  const length = codePointLength(content);
  const max = ctx.config.noticeMaxLength;
  if (length > max) throw new ValidationError({ content: `That is too long: ${length} characters, and a notice can have at most ${max}.` });
  return content;
}

/** Saves a new notice by a local user (with its pictures), indexes it and queues its fan-out; returns its id. */
export async function postNotice(ctx: DomainContext, authorId: number, input: NewNoticeInput): Promise<number> {
  const slots = checkPictureSlots(input.pictures ?? []);
  const content = cleanContent(ctx, input.content, slots.length > 0);
  const author = await getUserById(ctx.db, authorId);
  if (!author) throw new ForbiddenError('Sign in first.');
  const minutes = ctx.config.duplicateNoticeMinutes;
  // The same words with new pictures are a new notice (and pictures alone have no words to compare).
  if (minutes > 0 && slots.length === 0 && (await hasRecentDuplicate(ctx.db, author.id, content, minutes))) {
    throw new ValidationError({ content: `You posted exactly this a moment ago. The same text can be posted again after ${minutes} minute(s).` }, 409);
  }

  let repliedTo: NoticeRecord | undefined;
  if (input.inReplyTo !== undefined && input.inReplyTo !== '') {
    const id = parseId(input.inReplyTo);
    repliedTo = id === undefined ? undefined : await getNoticeById(ctx.db, id);
    if (repliedTo?.repeatOf != null) repliedTo = await getNoticeById(ctx.db, repliedTo.repeatOf); // answering a repeat answers its original
    if (!repliedTo) throw new ValidationError({ inreplyto: 'The notice you are replying to does not exist any more.' });
  }

  const tokens = tokenizeNotice(content);
  // "@bob" is the author answered, else the bob the author follows (here or elsewhere), else a bob
  // who follows them, else ours; "@bob@host" is the one we know by that handle.
  const meant = await resolveMentions(ctx.db, author, mentionedNicknames(tokens), { localHost: new URL(ctx.config.publicUrl).host, repliedToAuthorId: repliedTo?.author.id });
  const mentioned = [...meant.values()];
  const rendered = renderNoticeHtml(tokens, {
    profileUrl: (nickname) => {
      const profile = meant.get(nickname);
      return profile && mentionHref(ctx.config.publicUrl, profile);
    },
    tagUrl: (tag) => tagUrl(ctx.config.publicUrl, tag),
  });

  // As in Laconica: a notice that starts with "@nickname" answers that person's latest notice.
  if (!repliedTo && tokens[0]?.kind === 'mention') {
    const addressee = meant.get(tokens[0].nickname);
    const latest = addressee ? await getLatestNoticeIdOfProfile(ctx.db, addressee.id) : undefined;
    if (latest !== undefined) repliedTo = await getNoticeById(ctx.db, latest);
  }

  // Pictures are decoded last, once everything cheaper has passed; their files are written before
  // the transaction and removed again if it fails.
  const pictures = await writePictures(ctx, await convertPictures(slots));
  return withPictureFiles(ctx, pictures, () => ctx.db.transaction(async (trx) => {
    const id = await insertNotice(trx, {
      profileId: author.id,
      content,
      rendered,
      isLocal: true,
      inReplyTo: repliedTo?.id ?? null,
      conversationId: repliedTo?.conversationId ?? null,
      source: input.source ?? 'web',
    });
    await insertNoticeTags(trx, id, noticeTags(tokens));
    await insertStoredPictures(trx, id, pictures);
    await insertMentions(trx, id, mentioned.map((p) => p.id));
    // The people mentioned, and the author of the notice answered, may be told by email.
    const addressed = mentioned.map((p) => p.id).concat(repliedTo?.author.isLocal ? [repliedTo.author.id] : []);
    await queueMentionNotifications(ctx, trx, id, author.id, addressed);
    await insertHomeEntry(trx, author.id, id); // the author sees it at once; subscribers via the job
    await ctx.jobs.send(trx, NOTICE_FANOUT_JOB, { noticeId: id });
    await ctx.jobs.send(trx, NOTICE_DISTRIBUTE_JOB, { noticeId: id }); // to other servers, if anyone there listens
    return id;
  }));
}

/** The notice with this id (from a URL), or NotFoundError. */
export async function getNotice(ctx: DomainContext, rawId: string): Promise<NoticeRecord> {
  const id = parseId(rawId);
  const notice = id === undefined ? undefined : await getNoticeById(ctx.db, id);
  if (!notice) throw new NotFoundError('No such notice.');
  if (await isProfileSuspended(ctx.db, notice.author.id)) throw new GoneError('This notice has been removed.');
  return notice;
}

/** Whether this user may delete this notice: its author, or a site admin or moderator. */
export function canDeleteNotice(user: { id: number; isAdmin: boolean; isModerator?: boolean } | undefined, notice: NoticeRecord): boolean {
  return user !== undefined && (user.id === notice.author.id || user.isAdmin || user.isModerator === true);
}

/**
 * Deletes a notice in the caller's transaction, whoever deletes it (its author, a moderator, a
 * closed report); a local one is retracted from the servers that received it: its author's
 * followers' and those of the people it mentioned or answered. False when it was gone already.
 */
export async function deleteAndRetractNotice(ctx: DomainContext, trx: Db, notice: Pick<NoticeRecord, 'id' | 'isLocal' | 'repeatOf'> & { author: { id: number } }): Promise<boolean> {
  // Those it mentioned or answered received it whether or not they follow its author: they are told too.
  const addressedIds = notice.isLocal ? await listAddressedProfileIds(trx, notice.id) : [];
  const deleted = await deleteNoticeById(trx, notice.id);
  // Other servers that received a local notice are told it is gone; the row is, so the job carries ids.
  // A repeat names its original, which other servers know it by (ActivityPub undoes an Announce).
  const repeatOf = notice.repeatOf !== null ? { repeatOf: notice.repeatOf } : {};
  if (deleted && notice.isLocal) await ctx.jobs.send(trx, NOTICE_RETRACT_JOB, { noticeId: notice.id, authorId: notice.author.id, addressedIds, ...repeatOf });
  return deleted;
}

/** Deletes a notice for its author (or an admin); it disappears from every timeline. */
export async function deleteNotice(ctx: DomainContext, userId: number, rawId: string): Promise<NoticeRecord> {
  const notice = await getNotice(ctx, rawId);
  const user = await getUserById(ctx.db, userId);
  if (!canDeleteNotice(user, notice)) throw new ForbiddenError('You can only delete your own notices.');
  await ctx.db.transaction(async (trx) => {
    await deleteAndRetractNotice(ctx, trx, notice);
    // Someone else's notice: a moderation action, kept in the audit log.
    if (user!.id !== notice.author.id) {
      const entry = { actorId: user!.id, actorName: user!.nickname, action: 'delete-notice', targetId: notice.author.id, targetName: notice.author.nickname };
      await insertLogEntry(trx, { ...entry, noticeId: notice.id, note: `“${notice.content.slice(0, 200)}”` });
    }
  });
  // Its pictures' files go with it; the scheduled clean-up finishes what fails here.
  await removeDetachedPictures(ctx).catch(() => 0);
  return notice;
}
