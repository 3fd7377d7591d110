// Who an @nickname in a notice means, whatever protocol brought the notice (Laconica's rule):
// first someone the author subscribes to with that nickname, then someone who subscribes to the
// author, most recent subscription first; for a local author, then the local user of that name.
// A remote author's mentions name only local people related to them: we know no one else they know.
import type { ProfileRecord } from '../db/records.ts';
import { listRelatedByNicknames } from '../db/subscriptions.ts';
import { listLocalProfilesByNicknames } from '../db/users.ts';
import type { Db } from './context.ts';
import { profileUrl } from './urls.ts';

/** The profile each mentioned (lower-case) nickname means for this author; nicknames nobody answers to are left out. */
export async function resolveMentions(db: Db, author: { id: number; isLocal: boolean }, nicknames: readonly string[]): Promise<Map<string, ProfileRecord>> {
  const meant = new Map<string, ProfileRecord>();
  if (nicknames.length === 0) return meant;
  for (const { profile } of await listRelatedByNicknames(db, author.id, nicknames)) {
    const nickname = profile.nickname.toLowerCase();
    if (!meant.has(nickname) && (author.isLocal || profile.isLocal)) meant.set(nickname, profile);
  }
  const rest = nicknames.filter((n) => !meant.has(n));
  if (author.isLocal && rest.length > 0) for (const profile of await listLocalProfilesByNicknames(db, rest)) meant.set(profile.nickname, profile);
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
