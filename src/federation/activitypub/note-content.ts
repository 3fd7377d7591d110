// What we read of a remote Note, wherever it came from (an inbox, or fetched as the context of a
// reply): its HTML, its pictures, its page, the local people its Mention tags name, the notice it
// answers and its content warning.
import type { Context } from '@fedify/fedify';
import { Mention, PUBLIC_COLLECTION } from '@fedify/fedify/vocab';
import type { Note } from '@fedify/fedify/vocab';
import type { FederationContext } from '../context.ts';
import type { RemotePictureInput } from '../../domain/remote-pictures.ts';
import { INSTANCE_IDENTIFIER } from './paths.ts';

type Ctx = Context<FederationContext>;

// The most HTML of one note we hand on; the domain's length rule decides on its text.
const MAX_NOTE_HTML = 100_000;

// More tags than any real note has are not read (each could be a fetch).
const MAX_TAGS = 100;

/** A note's content as HTML (quotes and polls are not shown yet), or null. */
export function noteHtml(note: Note): string | null {
  const content = note.content?.toString();
  if (!content || content.length > MAX_NOTE_HTML) return null;
  return content;
}

/** A note's HTML, '' for a note of pictures alone (which is a notice too), or null for one we do not take. */
export function noteBody(note: Note, pictures: readonly RemotePictureInput[]): string | null {
  return noteHtml(note) ?? (pictures.length > 0 && !note.content ? '' : null);
}

/** The note's page on its server (an http(s) url), or null. */
export function notePage(note: Note): string | null {
  return note.url instanceof URL && /^https?:$/.test(note.url.protocol) ? note.url.href : null;
}

/** Whether the note itself is addressed to Public (in to, cc or audience). */
export function notePublic(note: Note): boolean {
  return [...note.toIds, ...note.ccIds, ...note.audienceIds].some((url) => url.href === PUBLIC_COLLECTION.href);
}

/** Fedify's loaders of this context, never trusting an embedded object from another origin. */
export function loaders(ctx: Ctx) {
  return { documentLoader: ctx.documentLoader, contextLoader: ctx.contextLoader, crossOrigin: 'ignore' as const };
}

// The local person a Mention's href names: by actor id, or by profile page as some servers link.
function localNickname(ctx: Ctx, href: URL): string | undefined {
  const parsed = ctx.parseUri(href);
  if (parsed?.type === 'actor') return parsed.identifier === INSTANCE_IDENTIFIER ? undefined : parsed.identifier;
  const base = `${ctx.data.config.publicUrl}/`;
  return href.href.startsWith(base) ? /^([a-z0-9]{1,64})\/?$/.exec(href.href.slice(base.length))?.[1] : undefined;
}

/** What the note says besides its text: the local people its Mention tags name, the notice it answers, its content warning. */
export async function noteContext(ctx: Ctx, note: Note): Promise<{ addressed: string[]; inReplyToUri: string | null; summary: string | null }> {
  const addressed: string[] = [];
  let read = 0;
  try {
    for await (const tag of note.getTags({ ...loaders(ctx), suppressError: true })) {
      if (++read > MAX_TAGS) break;
      const nickname = tag instanceof Mention && tag.href ? localNickname(ctx, tag.href) : undefined;
      if (nickname) addressed.push(nickname);
    }
  } catch {
    // tags that cannot be read address nobody
  }
  return { addressed, inReplyToUri: note.replyTargetId?.href ?? null, summary: note.summary?.toString() ?? null };
}
