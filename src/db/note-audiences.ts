// Whom local notices speak to besides their authors' followers, for many notices in one query: the
// people each mentions and the author of the notice each answers, with their ActivityPub addresses.
import type { Knex } from 'knex';
import type { MentionedActor } from './ap-actors.ts';

/** The notice a notice answers: what its Note's inReplyTo is made of. */
export type AnsweredNotice = { id: number; isLocal: boolean; uri: string | null };

/** One person a notice speaks to: one it mentions, or the author of the notice it answers (`answered` set). */
export type AudienceRow = { noticeId: number; person: MentionedActor; answered: AnsweredNotice | null };

/** The people these notices mention and the authors of the notices they answer, by notice, mentions first (by profile id). */
export async function listNoteAudiences(db: Knex, noticeIds: readonly number[]): Promise<AudienceRow[]> {
  if (noticeIds.length === 0) return [];
  const result = await db.raw(
    `SELECT m.notice_id, false AS answers, p.id AS profile_id, p.is_local, p.nickname, a.actor_id, a.inbox_url, a.shared_inbox_url, a.handle,
            NULL::bigint AS parent_id, NULL::boolean AS parent_is_local, NULL::text AS parent_uri
     FROM mentions m
     JOIN profiles p ON p.id = m.profile_id
     LEFT JOIN ap_actors a ON a.profile_id = m.profile_id
     WHERE m.notice_id = ANY(:ids::bigint[])
     UNION ALL
     SELECT n.id, true, p.id, p.is_local, p.nickname, a.actor_id, a.inbox_url, a.shared_inbox_url, a.handle,
            parent.id, parent.is_local, parent.uri
     FROM notices n
     JOIN notices parent ON parent.id = n.in_reply_to
     JOIN profiles p ON p.id = parent.profile_id
     LEFT JOIN ap_actors a ON a.profile_id = parent.profile_id
     WHERE n.id = ANY(:ids::bigint[])
     ORDER BY notice_id, answers, profile_id`,
    { ids: [...noticeIds] },
  );
  return (result.rows as Record<string, unknown>[]).map((row) => ({
    noticeId: Number(row.notice_id),
    person: {
      profileId: Number(row.profile_id),
      isLocal: row.is_local as boolean,
      nickname: row.nickname as string,
      actorId: (row.actor_id as string | null) ?? null,
      inboxUrl: (row.inbox_url as string | null) ?? null,
      sharedInboxUrl: (row.shared_inbox_url as string | null) ?? null,
      handle: (row.handle as string | null) ?? null,
    },
    answered: row.answers ? { id: Number(row.parent_id), isLocal: row.parent_is_local as boolean, uri: (row.parent_uri as string | null) ?? null } : null,
  }));
}
