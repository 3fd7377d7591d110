// Direct messages from people on other servers, whatever protocol carries them privately. The
// protocol adapter has verified the sender and decided the message is addressed to these local
// people only; here the content is checked as any remote notice's is, and each addressee who
// subscribes to the sender (the rule for local senders, seen from the other side) gets it in her inbox.
import { NotFoundError } from '../errors.ts';
import { deleteRemoteMessagesByUri, insertMessage } from '../db/messages.ts';
import { getRemoteProfileById } from '../db/remote-profiles.ts';
import { isSubscribed } from '../db/subscriptions.ts';
import { getUserById } from '../db/users.ts';
import type { Db, DomainContext } from './context.ts';
import { queueMessageNotification } from './email-notifications.ts';
import { checkRemoteNotice } from './remote-content.ts';
import { remoteHtmlText, sanitizeRemoteHtml } from './remote-html.ts';
import { checkNoticeOrigin } from './remote-origins.ts';

export type RemoteMessageInput = { senderId: number; recipientIds: readonly number[]; uri: string; url: string | null; html: string; source: string };

/**
 * Stores a remote person's direct message in the inbox of each addressed local user who subscribes
 * to them, and queues their emails; returns the ids stored (none when it arrived before, or nobody
 * may receive it). 400 for content that cannot be stored, or a URI or URL off the sender's site.
 */
export async function receiveRemoteMessage(ctx: DomainContext, trx: Db, input: RemoteMessageInput): Promise<number[]> {
  const sender = await getRemoteProfileById(trx, input.senderId);
  if (!sender) throw new NotFoundError('The sender of this message is not known here.');
  if (sender.suspendedAt) return [];
  checkNoticeOrigin(sender, input);
  const rendered = sanitizeRemoteHtml(input.html);
  const { content, uri, url } = checkRemoteNotice(ctx.config, { uri: input.uri, url: input.url, content: remoteHtmlText(rendered) });
  const stored: number[] = [];
  for (const recipientId of new Set(input.recipientIds)) {
    const recipient = await getUserById(trx, recipientId);
    if (!recipient || recipient.suspendedAt || !(await isSubscribed(trx, recipient.id, sender.id))) continue;
    const id = await insertMessage(trx, { senderId: sender.id, recipientId: recipient.id, content, rendered, uri, url, source: input.source, inSenderBox: false, inRecipientBox: true });
    if (id === undefined) continue; // delivered again: stored the first time
    await queueMessageNotification(ctx, trx, id, recipient.id);
    stored.push(id);
  }
  return stored;
}

/** Removes the direct messages with this URI that their remote sender withdrew (only theirs). */
export async function withdrawRemoteMessage(db: Db, senderId: number, uri: string): Promise<boolean> {
  return (await deleteRemoteMessagesByUri(db, senderId, uri)) > 0;
}
