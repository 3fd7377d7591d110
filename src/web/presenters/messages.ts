// Message records -> what the message partial shows to its sender or recipient.
import type { Box, MessageRecord } from '../../domain/messages.ts';
import { recipientAddress } from '../../domain/messages.ts';
import { relativeTime } from './notices.ts';
import { authorView } from './profiles.ts';
import type { AuthorView } from './profiles.ts';

export type MessageView = {
  id: number;
  html: string;
  sender: AuthorView;
  recipient: AuthorView;
  /** The other person, as the viewer's box shows them: the sender in an inbox, the recipient in an outbox. */
  other: AuthorView;
  /** "From" in an inbox, "To" in an outbox. */
  direction: 'From' | 'To';
  permalink: string;
  createdAtIso: string;
  createdAtText: string;
  /** The form that answers the sender (inbox only). */
  replyUrl: string | undefined;
  /** The page that asks before deleting it from the viewer's box. */
  deleteUrl: string;
};

/** The view model of one message, in the viewer's inbox or outbox. */
export function messageView(message: MessageRecord, box: Box, now: Date = new Date()): MessageView {
  const sender = authorView(message.sender);
  const recipient = authorView(message.recipient);
  return {
    id: message.id,
    html: message.rendered,
    sender,
    recipient,
    other: box === 'inbox' ? sender : recipient,
    direction: box === 'inbox' ? 'From' : 'To',
    permalink: `/message/${message.id}`,
    createdAtIso: message.createdAt.toISOString(),
    createdAtText: relativeTime(message.createdAt, now),
    replyUrl: box === 'inbox' ? `/message/new?to=${encodeURIComponent(recipientAddress(message.sender))}` : undefined,
    deleteUrl: `/message/delete/${message.id}`,
  };
}

/** View models for one page of a box. */
export function messageViews(messages: readonly MessageRecord[], box: Box): MessageView[] {
  const now = new Date();
  return messages.map((message) => messageView(message, box, now));
}
