// Remote profiles (people on other servers) and the notices they send us.
import type { Knex } from 'knex';
import { toProfileRecord } from './records.ts';
import type { ProfileRecord } from './records.ts';

/** Fields of a remote profile that its server may change; null clears a field. */
export type RemoteProfileFields = {
  nickname: string;
  fullname: string | null;
  bio: string | null;
  location: string | null;
  homepage: string | null;
  avatarUrl: string | null;
};

const COLUMNS: Record<keyof RemoteProfileFields, string> = {
  nickname: 'nickname',
  fullname: 'fullname',
  bio: 'bio',
  location: 'location',
  homepage: 'homepage',
  avatarUrl: 'avatar_url',
};

function toColumns(fields: Partial<RemoteProfileFields>): Record<string, string | null> {
  const row: Record<string, string | null> = {};
  for (const [key, value] of Object.entries(fields)) if (value !== undefined) row[COLUMNS[key as keyof RemoteProfileFields]] = value;
  return row;
}

/** The profile with this identifier URI, or undefined. */
export async function getProfileByUri(db: Knex, uri: string): Promise<ProfileRecord | undefined> {
  const row = await db('profiles').where({ uri }).first();
  return row ? toProfileRecord(row) : undefined;
}

/** The remote profile with this id, or undefined. */
export async function getRemoteProfileById(db: Knex, id: number): Promise<ProfileRecord | undefined> {
  const row = await db('profiles').where({ id, is_local: false }).first();
  return row ? toProfileRecord(row) : undefined;
}

/** Creates a remote profile with this URI; undefined when a profile (remote or local) already has it. */
export async function insertRemoteProfileIfNew(db: Knex, uri: string, profileUrl: string, fields: RemoteProfileFields): Promise<number | undefined> {
  const columns = toColumns(fields);
  const result = await db.raw(
    `INSERT INTO profiles (nickname, fullname, bio, location, homepage, avatar_url, is_local, uri, profile_url)
     VALUES (:nickname, :fullname, :bio, :location, :homepage, :avatar_url, false, :uri, :profileUrl)
     ON CONFLICT (uri) WHERE uri IS NOT NULL DO NOTHING
     RETURNING id`,
    { ...columns, uri, profileUrl },
  );
  return (result.rows[0] as { id: number } | undefined)?.id;
}

/** Changes some fields of a remote profile (never its URI or profile URL). */
export async function updateRemoteProfile(db: Knex, id: number, fields: Partial<RemoteProfileFields>): Promise<void> {
  const columns = toColumns(fields);
  if (Object.keys(columns).length === 0) return;
  await db('profiles').where({ id, is_local: false }).update({ ...columns, updated_at: db.fn.now() });
}

export type NewRemoteNotice = {
  profileId: number;
  uri: string;
  url: string | null;
  content: string;
  rendered: string;
  summary: string | null;
  inReplyTo: number | null;
  conversationId: number | null; // null starts a new conversation with this notice
  inReplyToUri: string | null; // the notice it answers, when we do not have that one yet
  source: string;
  tags: readonly string[];
};

/** Stores a notice from another server with its hashtags, in one statement; undefined when one with this URI is already stored. */
export async function insertRemoteNotice(db: Knex, notice: NewRemoteNotice): Promise<number | undefined> {
  const result = await db.raw(
    `WITH stored AS (
       INSERT INTO notices (id, profile_id, content, rendered, summary, is_local, uri, url, in_reply_to, in_reply_to_uri, conversation_id, source)
       VALUES (nextval('notices_id_seq'), :profileId, :content, :rendered, :summary, false, :uri, :url, :inReplyTo, :inReplyToUri,
               coalesce(:conversationId, currval('notices_id_seq')), :source)
       ON CONFLICT (uri) WHERE uri IS NOT NULL DO NOTHING
       RETURNING id
     ), tagged AS (
       INSERT INTO notice_tags (tag, notice_id) SELECT DISTINCT tag, stored.id FROM stored, unnest(CAST(:tags AS text[])) AS tag
       ON CONFLICT DO NOTHING
     )
     SELECT id FROM stored`,
    { ...notice, tags: [...notice.tags] },
  );
  return (result.rows[0] as { id: number } | undefined)?.id;
}

/** The id and conversation of the notice stored under this URI (a remote notice's own), or undefined. */
export async function getNoticeThreadByUri(db: Knex, uri: string): Promise<{ id: number; conversationId: number; authorId: number } | undefined> {
  const row = await db('notices').where({ uri }).first('id', 'conversation_id', 'profile_id');
  return row ? { id: Number(row.id), conversationId: Number(row.conversation_id), authorId: Number(row.profile_id) } : undefined;
}

/** Replaces the text of the remote notice with this URI written by this profile, marking it edited; its id, or undefined when there is none. */
export async function updateRemoteNoticeByUri(db: Knex, profileId: number, uri: string, change: { content: string; rendered: string; summary: string | null }): Promise<number | undefined> {
  const [row] = await db('notices')
    .where({ uri, profile_id: profileId, is_local: false })
    .update({ ...change, edited_at: db.fn.now() })
    .returning('id');
  return (row as { id: number } | undefined)?.id;
}

/** Deletes the remote notice with this URI written by this profile; false when there is none. */
export async function deleteRemoteNoticeByUri(db: Knex, profileId: number, uri: string): Promise<boolean> {
  return (await db('notices').where({ uri, profile_id: profileId, is_local: false }).delete()) > 0;
}
