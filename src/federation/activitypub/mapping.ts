// Our rows as ActivityStreams objects (toX), and remote actors as profile fields (fromX).
import type { Context } from '@fedify/fedify';
import { Create, Hashtag, Note, PUBLIC_COLLECTION } from '@fedify/fedify/vocab';
import type { Actor } from '@fedify/fedify/vocab';
import { Temporal } from '@js-temporal/polyfill';
import type { FederationContext } from '../context.ts';
import type { NoticeRecord } from '../../domain/lookups.ts';
import type { RemoteProfileFields } from '../../domain/remote-profiles.ts';
import { sameSite } from '../../domain/remote-origins.ts';
import { noticeTags, tokenizeNotice } from '../../domain/notice-text.ts';
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

/** A local notice as a public Note by its author; `replyTo` is the id of the notice it answers. */
export function toNote(ctx: Context<FederationContext>, notice: NoticeRecord, replyTo: URL | null = null): Note {
  const url = new URL(noticeUrl(ctx.data.config.publicUrl, notice.id));
  return new Note({
    replyTarget: replyTo,
    tags: noticeTags(tokenizeNotice(notice.content)).map((tag) => new Hashtag({ name: `#${tag}`, href: new URL(tagUrl(ctx.data.config.publicUrl, tag)) })),
    id: url,
    attribution: ctx.getActorUri(notice.author.nickname),
    content: notice.rendered,
    attachments: toAttachments(ctx.data.config.publicUrl, notice),
    url,
    published: Temporal.Instant.fromEpochMilliseconds(notice.createdAt.getTime()),
    to: PUBLIC_COLLECTION,
    cc: ctx.getFollowersUri(notice.author.nickname),
  });
}

/** The Create activity that published a local notice. */
export function toCreate(ctx: Context<FederationContext>, notice: NoticeRecord, replyTo: URL | null = null): Create {
  const note = toNote(ctx, notice, replyTo);
  return new Create({
    id: new URL(`${note.id!.href}#create`),
    actor: ctx.getActorUri(notice.author.nickname),
    object: note,
    published: note.published,
    to: PUBLIC_COLLECTION,
    cc: ctx.getFollowersUri(notice.author.nickname),
  });
}

// Remote text is stored as plain text, bounded: no markup, no control characters.
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;

/** Remote HTML as bounded plain text (tags dropped, entities decoded, no control characters), or null when empty. */
export function plain(value: unknown, max: number): string | null {
  if (typeof value !== 'string') return value == null ? null : plain(String(value), max);
  const text = value
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/p>\s*<p[^>]*>/gi, '\n\n')
    .replace(/<(script|style)\b[^>]*>[\s\S]*?<\/\1\s*>/gi, '')
    .replace(/<[^>]*>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&apos;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(CONTROL, '')
    .trim();
  if (text === '') return null;
  return [...text].slice(0, max).join('');
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
      bio: plain(actor.summary?.toString(), 1000),
      location: null,
      homepage: null,
      avatarUrl: httpUrl(icon?.url instanceof URL ? icon.url : null),
    },
    // A profile page on another site than the actor's cannot be its page: the actor id stands in.
    profileUrl: url && sameSite(url.href, id.href) ? (httpUrl(url) ?? id.href) : id.href,
  };
}
