// Direct messages (Laconica 0.6): written to one person who subscribes to the sender, seen by the
// two of them only, in the recipient's inbox and the sender's outbox. They live in a table of their
// own, so no timeline, feed, search, tag or conversation query can reach one; deleting one takes
// it out of your own box only.
import { ForbiddenError, NotFoundError, ValidationError } from '../errors.ts';
import { getMessageById, insertMessage, listBox, removeFromBox } from '../db/messages.ts';
import type { MessageRecord } from '../db/messages.ts';
import { getLocalProfileByNickname } from '../db/profiles.ts';
import type { ProfileRecord } from '../db/records.ts';
import { isSubscribed } from '../db/subscriptions.ts';
import { getUserById } from '../db/users.ts';
import type { Db, DomainContext } from './context.ts';
import { queueMessageNotification } from './email-notifications.ts';
import { parseId } from './ids.ts';
import { MESSAGE_DISTRIBUTE_JOB } from './jobs.ts';
import { resolveRecipient } from './message-recipients.ts';
import type { MessageReach } from './message-recipients.ts';
import { mentionHref, resolveMentions } from './mentions.ts';
import { codePointLength, mentionedNicknames, renderNoticeHtml, tokenizeNotice } from './notice-text.ts';
import { readKeysetPage } from './paging.ts';
import { hasControlCharacters } from './text-rules.ts';
import { tagUrl } from './urls.ts';

export type { MessageReach, MessageRecord };
export { recipientAddress } from './message-recipients.ts';

export type Box = 'inbox' | 'outbox';

export type NewMessageInput = { to: string; content: string; source?: string };

// The rules of notice text: no empty text, no control characters, the notice length limit.
function contentProblem(ctx: DomainContext, content: string): string | undefined {
  if (content === '') return 'Write something first: the message is empty.';
  if (hasControlCharacters(content)) return 'The message contains control characters that cannot be stored.';
  const length = codePointLength(content);
  const max = ctx.config.noticeMaxLength;
  if (length > max) return `That is too long: ${length} characters, and a message can have at most ${max}.`;
  return undefined;
}

async function render(ctx: DomainContext, sender: ProfileRecord, content: string): Promise<string> {
  const tokens = tokenizeNotice(content);
  const meant = await resolveMentions(ctx.db, sender, mentionedNicknames(tokens), { localHost: new URL(ctx.config.publicUrl).host });
  return renderNoticeHtml(tokens, {
    profileUrl: (nickname) => {
      const profile = meant.get(nickname);
      return profile && mentionHref(ctx.config.publicUrl, profile);
    },
    tagUrl: (tag) => tagUrl(ctx.config.publicUrl, tag),
  });
}

/**
 * Sends a direct message from a local user to someone who subscribes to them, here or on a server
 * a protocol reaches privately (`reach`); both fields are checked, and a 4xx ValidationError names
 * what is wrong with each. Queues the recipient's email, or the delivery to their server.
 */
export async function sendMessage(ctx: DomainContext, senderId: number, input: NewMessageInput, reach: MessageReach): Promise<{ id: number; recipient: ProfileRecord }> {
  const sender = await getUserById(ctx.db, senderId);
  if (!sender) throw new ForbiddenError('Sign in first.');
  const content = input.content.replace(/\r\n?/g, '\n').trim();
  const problems: Record<string, string> = {};
  let status = 400;
  let recipient: ProfileRecord | undefined;
  try {
    recipient = await resolveRecipient(ctx, sender, input.to, reach);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    Object.assign(problems, error.fields);
    status = error.status;
  }
  const problem = contentProblem(ctx, content);
  if (problem) problems.content = problem;
  if (!recipient || problem) throw new ValidationError(problems, status);

  const rendered = await render(ctx, sender, content);
  const to = recipient;
  const id = await ctx.db.transaction(async (trx) => {
    const messageId = (await insertMessage(trx, {
      senderId: sender.id,
      recipientId: to.id,
      content,
      rendered,
      uri: null,
      url: null,
      source: input.source ?? 'web',
      inSenderBox: true,
      inRecipientBox: to.isLocal,
    }))!;
    if (to.isLocal) await queueMessageNotification(ctx, trx, messageId, to.id);
    else await ctx.jobs.send(trx, MESSAGE_DISTRIBUTE_JOB, { messageId });
    return messageId;
  });
  return { id, recipient };
}

export type MessageBox = { owner: ProfileRecord; box: Box; messages: MessageRecord[]; olderBefore: number | undefined };

/** A page of the viewer's own inbox or outbox (anyone else's is a 404: nobody else may know what is in it). */
export async function messageBox(ctx: DomainContext, viewerId: number, nickname: string, box: Box, before: number | undefined): Promise<MessageBox> {
  const owner = await getLocalProfileByNickname(ctx.db, nickname);
  if (!owner || owner.id !== viewerId) throw new NotFoundError('There is no such page.');
  const page = await readKeysetPage(before, (p) => listBox(ctx.db, owner.id, box, p), (message) => message.id, 'There are no older messages.');
  return { owner, box, messages: page.items, olderBefore: page.olderBefore };
}

/** The message with this id (from a URL) if the viewer is its sender or recipient and it is still in their box, with that box; else 404. */
export async function messageForViewer(ctx: DomainContext, viewerId: number, rawId: string): Promise<{ message: MessageRecord; box: Box }> {
  const id = parseId(rawId);
  const message = id === undefined ? undefined : await getMessageById(ctx.db, id);
  if (message?.recipient.id === viewerId && message.inRecipientBox) return { message, box: 'inbox' };
  if (message?.sender.id === viewerId && message.inSenderBox) return { message, box: 'outbox' };
  throw new NotFoundError('No such message.');
}

/** Takes a message out of the viewer's own box (the other person keeps theirs); returns that box. */
export async function deleteMessage(ctx: DomainContext, viewerId: number, rawId: string): Promise<Box> {
  const { message, box } = await messageForViewer(ctx, viewerId, rawId);
  await removeFromBox(ctx.db, message.id, box);
  return box;
}

/** Whether the viewer may send this profile a message: it subscribes to them, and a message can reach it (a remote one only with `reach`). */
export async function canMessage(ctx: DomainContext, viewerId: number | undefined, profile: ProfileRecord, reach?: MessageReach): Promise<boolean> {
  if (viewerId === undefined || viewerId === profile.id || profile.suspendedAt) return false;
  if (!profile.isLocal && !reach) return false;
  if (!(await isSubscribed(ctx.db, profile.id, viewerId))) return false;
  return profile.isLocal || reach!(ctx.db, profile.id);
}

/** The message with this id and the two people, or undefined (for federation modules delivering it). */
export function findMessage(db: Db, id: number): Promise<MessageRecord | undefined> {
  return getMessageById(db, id);
}
