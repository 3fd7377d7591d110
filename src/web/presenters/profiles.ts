// Profile records -> what profile headers and people lists show.
import type { ProfileRecord, ProfileCounts } from '../../domain/timelines.ts';
import { avatarPath, defaultAvatarPath } from '../../domain/urls.ts';

export type AuthorView = {
  nickname: string;
  /** Full name when given, else the nickname. */
  displayName: string;
  /** Where the name links: the local profile page, or the remote one. */
  url: string;
  /** "nickname" here, "nickname@host" for remote people. */
  handle: string;
  /** Our own stored avatar (or the default picture) at 96, 48 and 24 pixels. */
  avatar: { 96: string; 48: string; 24: string };
  /** Whether the person has an avatar of their own (else the default picture is shown). */
  hasAvatar: boolean;
  /** A remote person's profile on their own server. */
  remoteProfileUrl: string | undefined;
};

/** A person in search results: who they are, and what they say about themselves. */
export type PersonView = AuthorView & { bio: string | null; location: string | null };

export type ProfileHeaderView = AuthorView & {
  bio: string | null;
  location: string | null;
  homepage: string | null;
  counts: ProfileCounts;
  memberSince: string;
  /** The report form about this person. */
  reportUrl: string;
};

type AuthorFields = Pick<ProfileRecord, 'id' | 'nickname' | 'fullname' | 'isLocal' | 'profileUrl' | 'avatarKey'>;

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

// Remote avatars are shown from our own copy too: other servers never see who reads what.
function avatarUrls(profile: AuthorFields): AuthorView['avatar'] {
  const key = profile.avatarKey;
  const url = (size: number) => (key ? avatarPath(profile, key, size) : defaultAvatarPath(size));
  return { 96: url(96), 48: url(48), 24: url(24) };
}

/** How a profile is named and linked wherever it appears. */
export function authorView(profile: AuthorFields): AuthorView {
  const local = profile.isLocal || !profile.profileUrl;
  return {
    nickname: profile.nickname,
    displayName: profile.fullname || profile.nickname,
    url: local ? `/${profile.nickname}` : `/remote/${profile.id}`,
    handle: local ? profile.nickname : `${profile.nickname}@${remoteHost(profile.profileUrl)}`,
    avatar: avatarUrls(profile),
    hasAvatar: profile.avatarKey !== null,
    remoteProfileUrl: local ? undefined : httpUrlOrUndefined(profile.profileUrl),
  };
}

/** A person as search results list them. */
export function personView(profile: ProfileRecord): PersonView {
  return { ...authorView(profile), bio: profile.bio, location: profile.location };
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
    reportUrl: `/main/report?profile=${profile.id}`,
  };
}
