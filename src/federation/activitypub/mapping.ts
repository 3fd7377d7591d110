// Our rows as ActivityStreams objects (toX), and remote actors as profile fields (fromX).
import type { Context } from '@fedify/fedify';
import { Create, Hashtag, Mention, Note, PUBLIC_COLLECTION } from '@fedify/fedify/vocab';
import type { Actor } from '@fedify/fedify/vocab';
import { Temporal } from '@js-temporal/polyfill';
import type { FederationContext } from '../context.ts';
import type { NoticeRecord } from '../../domain/lookups.ts';
import type { RemoteProfileFields } from '../../domain/remote-profiles.ts';
import { sameSite } from '../../domain/remote-origins.ts';
import { noticeTags, tokenizeNotice } from '../../domain/notice-text.ts';
import { remoteHtmlText, sanitizeRemoteHtml } from '../../domain/remote-html.ts';
import { noticeUrl, tagUrl } from '../../domain/urls.ts';
import { toAttachments } from './attachments.ts';

/** The id of a notice as ActivityPub knows it: a remote one's own URI, a local one's permalink. */
export function noticeId(publicUrl: string, notice: Pick<NoticeRecord, 'id' | 'isLocal' | 'uri'>): URL | null {
  if (notice.isLocal) return new URL(noticeUrl(publicUrl, notice.id));
  try {
    return notice.uri ? new URL(notice.uri) : null;
  } catch {
    return null;
  }
}

/** A Mention tag's two parts: the actor's id and @user@host. */
export type NoteMention = { href: URL; name: string };

/** A Note's thread and the people it names: `replyTo` is the id of the notice it answers. */
export type NoteAudience = { replyTo: URL | null; mentions: readonly NoteMention[] };

/** No thread and no one named: what a notice listed in a collection page carries. */
export const FOLLOWERS_ONLY: NoteAudience = { replyTo: null, mentions: [] };

/** A local notice as a public Note by its author, cc'd to her followers and to the people it names. */
export function toNote(ctx: Context<FederationContext>, notice: NoticeRecord, audience: NoteAudience = FOLLOWERS_ONLY): Note {
  const url = new URL(noticeUrl(ctx.data.config.publicUrl, notice.id));
  const hashtags = noticeTags(tokenizeNotice(notice.content)).map((tag) => new Hashtag({ name: `#${tag}`, href: new URL(tagUrl(ctx.data.config.publicUrl, tag)) }));
  return new Note({
    replyTarget: audience.replyTo,
    tags: [...hashtags, ...audience.mentions.map((mention) => new Mention(mention))],
    id: url,
    attribution: ctx.getActorUri(notice.author.nickname),
    content: notice.rendered,
    attachments: toAttachments(ctx.data.config.publicUrl, notice),
    url,
    published: Temporal.Instant.fromEpochMilliseconds(notice.createdAt.getTime()),
    to: PUBLIC_COLLECTION,
    ccs: [ctx.getFollowersUri(notice.author.nickname), ...audience.mentions.map((mention) => mention.href)],
  });
}

/** The Create activity that published a local notice, addressed as its Note is. */
export function toCreate(ctx: Context<FederationContext>, notice: NoticeRecord, audience: NoteAudience = FOLLOWERS_ONLY): Create {
  const note = toNote(ctx, notice, audience);
  return new Create({
    id: new URL(`${note.id!.href}#create`),
    actor: ctx.getActorUri(notice.author.nickname),
    object: note,
    published: note.published,
    to: PUBLIC_COLLECTION,
    ccs: note.ccIds,
  });
}

// Remote text is stored as plain text, bounded, without control characters.
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;

function bounded(text: string, max: number): string | null {
  const clean = text.replace(CONTROL, '').trim();
  return clean === '' ? null : [...clean].slice(0, max).join('');
}

/** A plain-text property (a name, a username) as bounded text, or null when empty. */
export function plain(value: unknown, max: number): string | null {
  if (value == null) return null;
  return bounded(String(value).replace(/\s+/g, ' '), max);
}

/** An HTML property (an actor's summary) as bounded plain text, through the same sanitizer as notes, or null when empty. */
export function htmlAsText(value: unknown, max: number): string | null {
  if (value == null) return null;
  return bounded(remoteHtmlText(sanitizeRemoteHtml(String(value))), max);
}

function httpUrl(value: URL | null | undefined): string | null {
  return value && (value.protocol === 'https:' || value.protocol === 'http:') ? value.href : null;
}

/** What we keep of a remote actor: its profile fields and where its profile page is. */
export async function fromActor(actor: Actor): Promise<{ fields: RemoteProfileFields; profileUrl: string }> {
  const id = actor.id!;
  const nickname = (plain(actor.preferredUsername?.toString(), 64) ?? id.pathname.split('/').filter(Boolean).pop() ?? id.hostname).replace(/\s+/g, '');
  const icon = await actor.getIcon().catch(() => null); // an icon that cannot be read is no reason to refuse the actor
  const url = actor.url instanceof URL ? actor.url : null;
  return {
    fields: {
      nickname: nickname || id.hostname,
      fullname: plain(actor.name?.toString(), 255),
      bio: htmlAsText(actor.summary?.toString(), 1000),
      location: null,
      homepage: null,
      avatarUrl: httpUrl(icon?.url instanceof URL ? icon.url : null),
    },
    // A profile page on another site than the actor's cannot be its page: the actor id stands in.
    profileUrl: url && sameSite(url.href, id.href) ? (httpUrl(url) ?? id.href) : id.href,
  };
}
