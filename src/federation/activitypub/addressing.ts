// Whom a local notice speaks to besides its author's followers: the people it mentions and the
// author of the notice it answers. Each gets a Mention tag (href = actor id, name = @user@host) and
// a place in cc; those elsewhere are delivered to whether or not they follow the author.
import type { Context } from '@fedify/fedify';
import type { FederationContext } from '../context.ts';
import { findNotice } from '../../domain/lookups.ts';
import type { NoticeRecord } from '../../domain/lookups.ts';
import { getApActorByProfileId, listMentionedActors } from '../../db/ap-actors.ts';
import type { MentionedActor } from '../../db/ap-actors.ts';
import { noticeId } from './mapping.ts';
import type { NoteAudience, NoteMention } from './mapping.ts';

/** What a local notice's Note says of its audience and thread, and the inboxes beyond followers' it goes to. */
export type NoteAddressing = NoteAudience & { inboxes: string[] };

function mentionOf(ctx: Context<FederationContext>, person: MentionedActor): NoteMention | undefined {
  if (person.isLocal) return { href: ctx.getActorUri(person.nickname), name: `@${person.nickname}@${new URL(ctx.data.config.publicUrl).host}` };
  if (!person.actorId) return undefined; // someone elsewhere who does not speak ActivityPub
  const href = new URL(person.actorId);
  return { href, name: `@${person.handle ?? `${person.nickname}@${href.host}`}` };
}

/** The addressing of a local notice: inReplyTo, Mention tags, and the inboxes of the people elsewhere it names or answers. */
export async function addressingOf(ctx: Context<FederationContext>, notice: NoticeRecord): Promise<NoteAddressing> {
  const { db, config } = ctx.data;
  const parent = notice.inReplyTo === null ? undefined : await findNotice(db, notice.inReplyTo);
  const people = await listMentionedActors(db, notice.id);
  // The author answered is addressed even when the text no longer names them.
  if (parent && !parent.author.isLocal && !people.some((p) => p.profileId === parent.author.id)) {
    const actor = await getApActorByProfileId(db, parent.author.id);
    if (actor) people.push({ ...actor, isLocal: false, nickname: parent.author.nickname });
  }
  const mentions = people.flatMap((person) => mentionOf(ctx, person) ?? []);
  const inboxes = [...new Set(people.flatMap((p) => (p.isLocal ? [] : (p.sharedInboxUrl ?? p.inboxUrl ?? []))))];
  return { replyTo: parent ? noticeId(config.publicUrl, parent) : null, mentions, inboxes };
}
