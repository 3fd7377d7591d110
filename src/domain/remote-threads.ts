// Where a notice from another server sits among ours, whatever protocol brought it: the notice it
// answers (one of ours by its permalink, or one stored from elsewhere by its URI), the local people
// its protocol says it is addressed to, and its content warning as plain text.
import { getNoticeById } from '../db/notices.ts';
import { getNoticeThreadByUri } from '../db/remote-profiles.ts';
import type { ProfileRecord } from '../db/records.ts';
import { listLocalProfilesByNicknames } from '../db/users.ts';
import type { Db, DomainContext } from './context.ts';
import { codePointLength } from './notice-text.ts';
import { parseId } from './ids.ts';
import { isRemoteUri } from './text-rules.ts';
import { remoteHtmlText, sanitizeRemoteHtml } from './remote-html.ts';
import { noticeUrl } from './urls.ts';

/** The longest content warning kept, in characters (Mastodon allows 500 with the text). */
export const MAX_SUMMARY_LENGTH = 500;

// A notice addresses a handful of people; more than this many is someone mass-mentioning.
const MAX_ADDRESSED = 50;

/** A notice a remote notice answers. */
export type RepliedNotice = { id: number; conversationId: number; authorId: number; authorIsLocal: boolean };

/** The notice with this URI if we have it: a local one by its permalink, a remote one by its own URI; else undefined. */
export async function findRepliedNotice(ctx: DomainContext, db: Db, uri: string | null | undefined): Promise<RepliedNotice | undefined> {
  if (!uri) return undefined;
  const prefix = noticeUrl(ctx.config.publicUrl, 0).slice(0, -1);
  if (uri.startsWith(prefix)) {
    const id = parseId(uri.slice(prefix.length));
    const notice = id === undefined ? undefined : await getNoticeById(db, id);
    return notice?.isLocal ? { id: notice.id, conversationId: notice.conversationId, authorId: notice.author.id, authorIsLocal: true } : undefined;
  }
  const stored = await getNoticeThreadByUri(db, uri);
  return stored && { ...stored, authorIsLocal: false };
}

/**
 * The URI of the notice a remote notice answers, to wait for when we do not have it: one on another
 * server (a notice of ours that is not here was deleted, and will not come), not the notice itself,
 * and a URI we would store; else null.
 */
export function awaitableParent(ctx: DomainContext, uri: string, inReplyToUri: string | null | undefined): string | null {
  if (!inReplyToUri || inReplyToUri === uri || !isRemoteUri(inReplyToUri)) return null;
  return inReplyToUri.startsWith(`${ctx.config.publicUrl}/`) ? null : inReplyToUri;
}

/** The local people, by nickname, a protocol says a notice is addressed to (those who exist). */
export function addressedLocalProfiles(db: Db, nicknames: readonly string[] | undefined): Promise<ProfileRecord[]> {
  const wanted = [...new Set((nicknames ?? []).map((n) => n.toLowerCase()))].slice(0, MAX_ADDRESSED);
  return listLocalProfilesByNicknames(db, wanted);
}

/** A remote notice's content warning as plain text on one line (markup, control characters and excess dropped), or null. */
export function remoteSummary(raw: string | null | undefined): string | null {
  if (!raw) return null;
  const text = remoteHtmlText(sanitizeRemoteHtml(raw.slice(0, 10 * MAX_SUMMARY_LENGTH)))
    .replace(/[\u0000-\u001f\u007f]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (text === '') return null;
  return codePointLength(text) > MAX_SUMMARY_LENGTH ? `${[...text].slice(0, MAX_SUMMARY_LENGTH - 1).join('')}…` : text;
}
