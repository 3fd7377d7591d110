// Who an @nickname in a notice means, whatever protocol brought the notice (Laconica's rule, with
// StatusNet's first step): the author of the notice it replies to, if that is their nickname; then
// someone the author subscribes to with that nickname, then someone who subscribes to the author,
// most recent subscription first; for a local author, then the local user of that name.
// A remote author's mentions name only local people related to them: we know no one else they know.
// A full handle (@bob@host) is unambiguous: our own host names a local user, another host someone
// we met there (whose handle their protocol recorded at first contact).
import { listProfilesByHandles } from '../db/ap-actors.ts';
import { getProfileById } from '../db/profiles.ts';
import type { ProfileRecord } from '../db/records.ts';
import { listRelatedByNicknames } from '../db/subscriptions.ts';
import { listLocalProfilesByNicknames } from '../db/users.ts';
import type { Db } from './context.ts';
import { profileUrl } from './urls.ts';

/** What besides the text decides who a mention means. */
export type MentionContext = {
  /** host[:port] of this site (PUBLIC_URL's), which full handles naming local people carry. */
  localHost: string;
  /** The author of the notice being answered, if any. */
  repliedToAuthorId?: number;
};

// Full handles: user@host. Those on our host are local nicknames; the rest are looked up as handles.
function splitHandles(names: readonly string[], localHost: string): { nicknames: Map<string, string>; handles: string[] } {
  const nicknames = new Map<string, string>(); // name as written -> local nickname it means
  const handles: string[] = [];
  for (const name of names) {
    const at = name.indexOf('@');
    if (at < 0) continue;
    if (name.slice(at + 1) === localHost.toLowerCase()) nicknames.set(name, name.slice(0, at));
    else handles.push(name);
  }
  return { nicknames, handles };
}

/** The profile each mentioned (lower-case) nickname or user@host means for this author; names nobody answers to are left out. */
export async function resolveMentions(db: Db, author: { id: number; isLocal: boolean }, names: readonly string[], context: MentionContext): Promise<Map<string, ProfileRecord>> {
  const meant = new Map<string, ProfileRecord>();
  if (names.length === 0) return meant;
  const plain = names.filter((n) => !n.includes('@'));

  const repliedTo = context.repliedToAuthorId === undefined ? undefined : await getProfileById(db, context.repliedToAuthorId);
  const replyName = repliedTo?.nickname.toLowerCase();
  if (repliedTo && replyName !== undefined && plain.includes(replyName) && (author.isLocal || repliedTo.isLocal)) meant.set(replyName, repliedTo);

  const related = plain.filter((n) => !meant.has(n));
  if (related.length > 0) {
    for (const { profile } of await listRelatedByNicknames(db, author.id, related)) {
      const nickname = profile.nickname.toLowerCase();
      if (!meant.has(nickname) && (author.isLocal || profile.isLocal)) meant.set(nickname, profile);
    }
  }
  const rest = plain.filter((n) => !meant.has(n));
  if (author.isLocal && rest.length > 0) for (const profile of await listLocalProfilesByNicknames(db, rest)) meant.set(profile.nickname, profile);

  const { nicknames, handles } = splitHandles(names, context.localHost);
  if (nicknames.size > 0) {
    const locals = new Map((await listLocalProfilesByNicknames(db, [...new Set(nicknames.values())])).map((p) => [p.nickname, p]));
    for (const [name, nickname] of nicknames) {
      const profile = locals.get(nickname);
      if (profile) meant.set(name, profile);
    }
  }
  // Someone elsewhere is named by a remote author only when they are one of ours (never here).
  if (author.isLocal && handles.length > 0) for (const { handle, profile } of await listProfilesByHandles(db, handles)) meant.set(handle, profile);
  return meant;
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/** Where a mention of this profile links: a local profile page, a remote person's own page, or our page about them. */
export function mentionHref(publicUrl: string, profile: ProfileRecord): string {
  if (profile.isLocal) return profileUrl(publicUrl, profile.nickname);
  if (profile.profileUrl && isHttpUrl(profile.profileUrl)) return profile.profileUrl;
  return `${publicUrl}/remote/${profile.id}`;
}
