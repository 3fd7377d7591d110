// Direct messages over ActivityPub, outbound: a local user's message becomes a Note addressed to
// its one recipient only (to: her actor; no Public, no followers collection, nobody in cc), with a
// Mention of her, in a Create POSTed to her personal inbox, never to a shared one that would
// hand it to anyone else on her server.
import type { Context, Federation } from '@fedify/fedify';
import { Create, Mention, Note } from '@fedify/fedify/vocab';
import { Temporal } from '@js-temporal/polyfill';
import type { Db, JobHandler } from '../../domain/context.ts';
import { isSuspended } from '../../domain/lookups.ts';
import { findMessage } from '../../domain/messages.ts';
import type { MessageRecord } from '../../domain/messages.ts';
import { messageUrl } from '../../domain/urls.ts';
import { getApActorByProfileId } from '../../db/ap-actors.ts';
import type { ApActorRecord } from '../../db/ap-actors.ts';
import type { FederationContext } from '../context.ts';
import { queueDelivery } from './outbox-queue.ts';

/** Whether a remote profile can be sent a direct message over ActivityPub: it is an ActivityPub actor. */
export async function carriesMessagesTo(db: Db, profileId: number): Promise<boolean> {
  return (await getApActorByProfileId(db, profileId)) !== undefined;
}

/** A local direct message as a Note for its one recipient. */
export function toDirectNote(ctx: Context<FederationContext>, message: MessageRecord, recipient: ApActorRecord): Note {
  const id = new URL(messageUrl(ctx.data.config.publicUrl, message.id));
  const to = new URL(recipient.actorId);
  return new Note({
    id,
    attribution: ctx.getActorUri(message.sender.nickname),
    content: message.rendered,
    published: Temporal.Instant.fromEpochMilliseconds(message.createdAt.getTime()),
    to,
    tags: [new Mention({ href: to, name: `@${recipient.handle ?? message.recipient.nickname}` })],
  });
}

/** The Create that sends a local direct message. */
export function toDirectCreate(ctx: Context<FederationContext>, message: MessageRecord, recipient: ApActorRecord): Create {
  const note = toDirectNote(ctx, message, recipient);
  return new Create({ id: new URL(`${note.id!.href}#create`), actor: note.attributionId, object: note, published: note.published, to: new URL(recipient.actorId) });
}

/** message.distribute: a local user's direct message to an ActivityPub actor is queued for her personal inbox. */
export function distributeMessageWith(federationOf: (ctx: FederationContext) => Federation<FederationContext>): JobHandler<FederationContext> {
  return async (ctx, data) => {
    const message = await findMessage(ctx.db, Number(data.messageId));
    // Gone meanwhile (the sender deleted it before it left), or not ours to send.
    if (!message || !message.sender.isLocal || message.recipient.isLocal) return;
    const recipient = await getApActorByProfileId(ctx.db, message.recipient.id);
    if (!recipient || (await isSuspended(ctx.db, message.sender.id))) return; // another protocol's, or a suspended sender's
    const context = federationOf(ctx).createContext(new URL(ctx.config.publicUrl), ctx);
    const create = toDirectCreate(context, message, recipient);
    const activity = (await create.toJsonLd({ contextLoader: context.contextLoader, format: 'compact' })) as Record<string, unknown>;
    await queueDelivery(ctx, ctx.db, { sender: message.sender.nickname, url: recipient.inboxUrl, activity });
  };
}
