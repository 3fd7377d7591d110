// What the chat bot sends, as facts the im module words: a confirmation link, a notice (from
// someone followed, or one that mentions or answers the reader), an answer to a message. Each is
// one durable job per message, keyed by the address so that one address gets its messages in
// order; notices are queued in the fan-out's transaction and checked again when sent.
import { getImAccountByJid, listImRecipients } from '../db/im.ts';
import { getNoticeById } from '../db/notices.ts';
import { isProfileSuspended } from '../db/moderation.ts';
import type { NoticeRecord } from '../db/records.ts';
import type { Db, DomainContext } from './context.ts';
import { imEnabled } from './im-addresses.ts';
import { IM_SEND_JOB } from './jobs.ts';
import { noticeUrl } from './urls.ts';

/** A notice as a chat message shows it: its author, text, content warning (if any), how many pictures, and link. */
export type ImNoticeFacts = { handle: string; content: string; warning: string | null; pictures: number; url: string; noticeId: number };

/** The chat facts of a notice record. */
export function noticeFacts(ctx: DomainContext, notice: NoticeRecord): ImNoticeFacts {
  return {
    handle: chatHandle(notice.author),
    content: notice.content,
    warning: notice.summary,
    pictures: notice.attachments.length,
    url: noticeUrl(ctx.config.publicUrl, notice.id),
    noticeId: notice.id,
  };
}

/** How a person is named in chat: the nickname here, nickname@host for someone on another server. */
export function chatHandle(author: { nickname: string; isLocal: boolean; profileUrl: string | null }): string {
  if (author.isLocal || !author.profileUrl) return author.nickname;
  try {
    return `${author.nickname}@${new URL(author.profileUrl).host}`;
  } catch {
    return author.nickname;
  }
}

/** Queues a chat message of this notice to every address that wants it (inside the fan-out's transaction). */
export async function queueImNotices(ctx: DomainContext, trx: Db, noticeId: number): Promise<number> {
  if (!imEnabled(ctx)) return 0;
  const recipients = await listImRecipients(trx, noticeId);
  const queuedAt = Date.now();
  for (const { userId, jid } of recipients) await ctx.jobs.send(trx, IM_SEND_JOB, { kind: 'notice', userId, jid, noticeId, queuedAt }, { key: jid });
  return recipients.length;
}

/** Queues a plain chat message (an answer of the bot) to an address. */
export async function queueChatMessage(ctx: DomainContext, jid: string, body: string): Promise<void> {
  await ctx.jobs.send(ctx.db, IM_SEND_JOB, { kind: 'text', jid, body, queuedAt: Date.now() }, { key: jid });
}

/** The notice to send to this address, if it still belongs to that user, delivery is not paused, and the notice still stands. */
export async function imNoticeFacts(ctx: DomainContext, userId: number, jid: string, noticeId: number): Promise<ImNoticeFacts | undefined> {
  const account = await getImAccountByJid(ctx.db, jid);
  if (!account || account.userId !== userId || account.paused || account.suspended) return undefined;
  const notice = await getNoticeById(ctx.db, noticeId);
  if (!notice || (await isProfileSuspended(ctx.db, notice.author.id))) return undefined;
  return noticeFacts(ctx, notice);
}
