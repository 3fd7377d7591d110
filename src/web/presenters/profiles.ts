// Profile records -> what profile headers and people lists show.
import type { ProfileRecord, ProfileCounts } from '../../domain/timelines.ts';

export type AuthorView = {
  nickname: string;
  /** Full name when given, else the nickname. */
  displayName: string;
  /** Where the name links: the local profile page, or the remote one. */
  url: string;
  /** "nickname" here, "nickname@host" for remote people. */
  handle: string;
  /** Avatar image URL (http(s) only), when there is one. */
  avatarUrl: string | undefined;
  /** A remote person's profile on their own server. */
  remoteProfileUrl: string | undefined;
};

export type ProfileHeaderView = AuthorView & {
  bio: string | null;
  location: string | null;
  homepage: string | null;
  counts: ProfileCounts;
  memberSince: string;
};

type AuthorFields = Pick<ProfileRecord, 'id' | 'nickname' | 'fullname' | 'isLocal' | 'profileUrl' | 'avatarUrl'>;

function httpUrlOrUndefined(url: string | null): string | undefined {
  return url && /^https?:\/\//i.test(url) ? url : undefined;
}

function remoteHost(url: string | null): string {
  try {
    return url ? new URL(url).host : 'unknown';
  } catch {
    return 'unknown';
  }
}

/** How a profile is named and linked wherever it appears. */
export function authorView(profile: AuthorFields): AuthorView {
  const local = profile.isLocal || !profile.profileUrl;
  return {
    nickname: profile.nickname,
    displayName: profile.fullname || profile.nickname,
    url: local ? `/${profile.nickname}` : `/remote/${profile.id}`,
    handle: local ? profile.nickname : `${profile.nickname}@${remoteHost(profile.profileUrl)}`,
    avatarUrl: httpUrlOrUndefined(profile.avatarUrl),
    remoteProfileUrl: local ? undefined : httpUrlOrUndefined(profile.profileUrl),
  };
}

/** The header shown above a person's timelines. */
export function profileHeaderView(profile: ProfileRecord, counts: ProfileCounts): ProfileHeaderView {
  return {
    ...authorView(profile),
    bio: profile.bio,
    location: profile.location,
    homepage: profile.homepage && /^https?:\/\//i.test(profile.homepage) ? profile.homepage : null,
    counts,
    memberSince: profile.createdAt.toISOString().slice(0, 10),
  };
}
