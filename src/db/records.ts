// Record types the repositories return, and the one place snake_case rows become camelCase.
import knex from 'knex';

export type ProfileRecord = {
  id: number;
  nickname: string;
  fullname: string | null;
  bio: string | null;
  location: string | null;
  homepage: string | null;
  isLocal: boolean;
  uri: string | null;
  profileUrl: string | null;
  /** A remote profile's avatar URL on its own server (local avatars are derived, not stored here). */
  avatarUrl: string | null;
  /** Key of the stored avatar files (a local upload, or our copy of a remote avatar), or null. */
  avatarKey: string | null;
  /** When moderators silenced this person (kept off public pages), or null. */
  silencedAt: Date | null;
  /** When moderators suspended this person (no sign-in, pages gone, no deliveries), or null. */
  suspendedAt: Date | null;
  createdAt: Date;
};

export type UserRecord = ProfileRecord & {
  passwordHash: string;
  email: string | null;
  isAdmin: boolean;
  isModerator: boolean;
  /** False while a sign-up waits for an admin's approval. */
  approved: boolean;
};

export type AuthorRecord = Pick<ProfileRecord, 'id' | 'nickname' | 'fullname' | 'isLocal' | 'profileUrl' | 'avatarUrl' | 'avatarKey'>;

/** A picture attached to a notice: ready (our copy is stored), or a remote one pending or failed to copy. */
export type AttachmentRecord = {
  id: number;
  state: 'ready' | 'pending' | 'failed';
  /** Key of the stored files, once they exist. */
  fileKey: string | null;
  /** The stored original's type (ready), or the type its server claims (pending, failed). */
  mediaType: string;
  width: number | null;
  height: number | null;
  thumbWidth: number | null;
  thumbHeight: number | null;
  alt: string;
  /** Where a remote picture is copied from; null for uploads. */
  remoteUrl: string | null;
};

export type NoticeRecord = {
  id: number;
  content: string;
  rendered: string;
  /** A content warning shown above the text (plain text), or null. */
  summary: string | null;
  isLocal: boolean;
  uri: string | null;
  url: string | null;
  inReplyTo: number | null;
  conversationId: number;
  source: string;
  createdAt: Date;
  author: AuthorRecord;
  /** The notice this one repeats (a repeat shows the original), or null. */
  repeatOf: number | null;
  /** How many people favorited it (kept by a trigger). */
  favoriteCount: number;
  /** Its pictures, in order (read with the notice, in the same query). */
  attachments: AttachmentRecord[];
};

type Row = Record<string, unknown>;

/** The profiles columns toProfileRecord reads, named: statements prepared on the server list their columns (see prepared.ts). */
export const PROFILE_COLUMNS = ['id', 'nickname', 'fullname', 'bio', 'location', 'homepage', 'is_local', 'uri', 'profile_url', 'avatar_url', 'avatar_key', 'silenced_at', 'suspended_at', 'created_at'] as const;

/** Maps a profiles row to a ProfileRecord. */
export function toProfileRecord(row: Row): ProfileRecord {
  return {
    id: row.id as number,
    nickname: row.nickname as string,
    fullname: row.fullname as string | null,
    bio: row.bio as string | null,
    location: row.location as string | null,
    homepage: row.homepage as string | null,
    isLocal: row.is_local as boolean,
    uri: row.uri as string | null,
    profileUrl: row.profile_url as string | null,
    avatarUrl: (row.avatar_url as string | null | undefined) ?? null,
    avatarKey: (row.avatar_key as string | null | undefined) ?? null,
    silencedAt: (row.silenced_at as Date | null | undefined) ?? null,
    suspendedAt: (row.suspended_at as Date | null | undefined) ?? null,
    createdAt: row.created_at as Date,
  };
}

/** Maps a users row joined with its profile to a UserRecord. */
export function toUserRecord(row: Row): UserRecord {
  return {
    ...toProfileRecord(row),
    passwordHash: row.password_hash as string,
    email: row.email as string | null,
    isAdmin: row.is_admin as boolean,
    isModerator: (row.is_moderator as boolean | undefined) ?? false,
    approved: row.approved_at !== null,
  };
}

/** Columns that noticeRow-shaped queries select: the notice and its author's essentials. */
export const NOTICE_COLUMNS = [
  'n.id',
  'n.content',
  'n.rendered',
  'n.summary',
  'n.is_local',
  'n.uri',
  'n.url',
  'n.in_reply_to',
  'n.conversation_id',
  'n.source',
  // As milliseconds since 1970 (whole milliseconds, as the driver's own date parsing gives): a number parses
  // in a fraction of the time a timestamp's text does, for every notice of every page.
  knex({ client: 'pg' }).raw('floor(extract(epoch FROM n.created_at) * 1000)::int8 AS created_at'),
  'n.repeat_of',
  'n.favorite_count',
  'p.id as author_id',
  'p.nickname as author_nickname',
  'p.fullname as author_fullname',
  'p.is_local as author_is_local',
  'p.profile_url as author_profile_url',
  'p.avatar_url as author_avatar_url',
  'p.avatar_key as author_avatar_key',
  // The notice's pictures as one JSON array, read in the same query as the page: an index probe per
  // notice that has any (has_attachments, kept by a trigger), evaluated after the LIMIT, and null
  // (nothing to parse) for the many without any.
  knex({ client: 'pg' }).raw(`CASE WHEN n.has_attachments THEN (SELECT jsonb_agg(jsonb_build_object('id', na.id, 'state', na.state, 'key', na.file_key, 'type', na.media_type,
      'w', na.width, 'h', na.height, 'tw', na.thumb_width, 'th', na.thumb_height, 'alt', na.alt, 'remote', na.remote_url) ORDER BY na.position)
    FROM notice_attachments na WHERE na.notice_id = n.id) END AS attachments`),
];

/** NOTICE_COLUMNS as SQL, for statements written out in full (the notice as n, its author as p). */
export const NOTICE_COLUMNS_SQL = knex({ client: 'pg' }).select(NOTICE_COLUMNS).toString().replace(/^select /, '');

/** Maps one element of the attachments JSON array (NOTICE_COLUMNS) to an AttachmentRecord. */
export function toAttachmentRecord(item: Row): AttachmentRecord {
  return {
    id: item.id as number,
    state: item.state as AttachmentRecord['state'],
    fileKey: item.key as string | null,
    mediaType: item.type as string,
    width: item.w as number | null,
    height: item.h as number | null,
    thumbWidth: item.tw as number | null,
    thumbHeight: item.th as number | null,
    alt: item.alt as string,
    remoteUrl: item.remote as string | null,
  };
}

/** Maps a row selected with NOTICE_COLUMNS to a NoticeRecord. */
export function toNoticeRecord(row: Row): NoticeRecord {
  return {
    id: row.id as number,
    content: row.content as string,
    rendered: row.rendered as string,
    summary: (row.summary as string | null | undefined) ?? null,
    isLocal: row.is_local as boolean,
    uri: row.uri as string | null,
    url: row.url as string | null,
    inReplyTo: row.in_reply_to as number | null,
    conversationId: row.conversation_id as number,
    source: row.source as string,
    createdAt: new Date(row.created_at as number | Date),
    author: {
      id: row.author_id as number,
      nickname: row.author_nickname as string,
      fullname: row.author_fullname as string | null,
      isLocal: row.author_is_local as boolean,
      profileUrl: row.author_profile_url as string | null,
      avatarUrl: (row.author_avatar_url as string | null | undefined) ?? null,
      avatarKey: (row.author_avatar_key as string | null | undefined) ?? null,
    },
    repeatOf: row.repeat_of == null ? null : Number(row.repeat_of),
    favoriteCount: Number(row.favorite_count ?? 0),
    attachments: ((row.attachments as Row[] | null | undefined) ?? []).map(toAttachmentRecord),
  };
}
