// Replies waiting for the notice they answer (notices.in_reply_to_uri), and their threading once it is here.
import type { Knex } from 'knex';

/**
 * Threads the replies that were waiting for the notice stored under `uri` (id `parentId`, in
 * conversation `conversationId`): each answers it from now on, and its conversation (itself and
 * the answers it already had) joins the parent's. A reply whose conversation is already the
 * parent's is left alone: the parent is one of its own answers, and threading it would make a loop.
 * Returns the ids of the notices whose conversation changed.
 */
export async function threadWaitingReplies(db: Knex, parent: { id: number; uri: string; conversationId: number }): Promise<number[]> {
  const result = await db.raw(
    `WITH waiting AS (
       SELECT id, conversation_id FROM notices
       WHERE in_reply_to_uri = :uri AND in_reply_to IS NULL AND conversation_id <> :conversationId
     )
     UPDATE notices n
     SET conversation_id = :conversationId,
         in_reply_to = CASE WHEN n.id IN (SELECT id FROM waiting) THEN :id ELSE n.in_reply_to END,
         in_reply_to_uri = CASE WHEN n.id IN (SELECT id FROM waiting) THEN NULL ELSE n.in_reply_to_uri END
     WHERE n.conversation_id IN (SELECT conversation_id FROM waiting)
     RETURNING n.id`,
    { uri: parent.uri, id: parent.id, conversationId: parent.conversationId },
  );
  return (result.rows as { id: number | string }[]).map((row) => Number(row.id));
}
