// Read-only lookups that protocol modules need, so that they never reach into core tables themselves.
import { getNoticeById } from '../db/notices.ts';
import { getLocalProfileByNickname } from '../db/profiles.ts';
import type { NoticeRecord, ProfileRecord, UserRecord } from '../db/records.ts';
import { getRemoteProfileById } from '../db/remote-profiles.ts';
import { getUserById } from '../db/users.ts';
import { getNoticeByUri } from '../db/repeats.ts';
import { isProfileSuspended } from '../db/moderation.ts';
import type { Db } from './context.ts';

export type { NoticeRecord, ProfileRecord, UserRecord };

/** The local profile with this nickname, or undefined. */
export function findLocalProfile(db: Db, nickname: string): Promise<ProfileRecord | undefined> {
  return getLocalProfileByNickname(db, nickname);
}

/** The local user with this id, or undefined. */
export function findLocalUser(db: Db, id: number): Promise<UserRecord | undefined> {
  return getUserById(db, id);
}

/** The remote profile with this id, or undefined. */
export function findRemoteProfile(db: Db, id: number): Promise<ProfileRecord | undefined> {
  return getRemoteProfileById(db, id);
}

/** Whether moderators suspended this profile: nothing is delivered to or from a suspended person. */
export function isSuspended(db: Db, profileId: number): Promise<boolean> {
  return isProfileSuspended(db, profileId);
}

/** The notice with this id and its author, or undefined. */
export function findNotice(db: Db, id: number): Promise<NoticeRecord | undefined> {
  return getNoticeById(db, id);
}

/** The notice stored under this URI (one that came from another server), or undefined. */
export function findNoticeByUri(db: Db, uri: string): Promise<NoticeRecord | undefined> {
  return getNoticeByUri(db, uri);
}
