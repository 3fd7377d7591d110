// Whom a local notice speaks to besides its author's followers: the people it mentions and the
// author of the notice it answers. Each gets a Mention tag (href = actor id, name = @user@host) and
// a place in cc; those elsewhere are delivered to whether or not they follow the author. Worked out
// for many notices at once (a collection page) in one query.
import type { Context } from '@fedify/fedify';
import type { FederationContext } from '../context.ts';
import type { NoticeRecord } from '../../domain/lookups.ts';
import type { MentionedActor } from '../../db/ap-actors.ts';
import { listNoteAudiences } from '../../db/note-audiences.ts';
import type { AnsweredNotice } from '../../db/note-audiences.ts';
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

/** The addressing of local notices, by notice id: inReplyTo, Mention tags, and the inboxes of the people elsewhere each names or answers. */
export async function addressingsOf(ctx: Context<FederationContext>, notices: readonly Pick<NoticeRecord, 'id'>[]): Promise<Map<number, NoteAddressing>> {
  const people = new Map<number, MentionedActor[]>(notices.map((notice) => [notice.id, []]));
  const answered = new Map<number, AnsweredNotice>();
  for (const row of await listNoteAudiences(ctx.data.db, [...people.keys()])) {
    const named = people.get(row.noticeId)!;
    if (!row.answered) {
      named.push(row.person);
      continue;
    }
    answered.set(row.noticeId, row.answered);
    // The author answered is addressed even when the text no longer names them (if they speak ActivityPub).
    if (!row.person.isLocal && row.person.actorId && !named.some((p) => p.profileId === row.person.profileId)) named.push(row.person);
  }
  const addressings = new Map<number, NoteAddressing>();
  for (const [id, named] of people) {
    const parent = answered.get(id);
    addressings.set(id, {
      replyTo: parent ? noticeId(ctx.data.config.publicUrl, parent) : null,
      mentions: named.flatMap((person) => mentionOf(ctx, person) ?? []),
      inboxes: [...new Set(named.flatMap((p) => (p.isLocal ? [] : (p.sharedInboxUrl ?? p.inboxUrl ?? []))))],
    });
  }
  return addressings;
}

/** The addressing of one local notice: inReplyTo, Mention tags, and the inboxes of the people elsewhere it names or answers. */
export async function addressingOf(ctx: Context<FederationContext>, notice: Pick<NoticeRecord, 'id'>): Promise<NoteAddressing> {
  return (await addressingsOf(ctx, [notice])).get(notice.id)!;
}
