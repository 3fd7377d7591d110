// Web sessions (connect-pg-simple's table), seen from outside the web layer.
import type { Knex } from 'knex';

/** Signs a user out everywhere: deletes every session that carries their user id; returns how many. */
export async function deleteSessionsOfUser(db: Knex, userId: number): Promise<number> {
  // The web layer keeps the signed-in user as `userId` in the session data (a json column).
  return db('sessions').whereRaw("(sess->>'userId') = ?", [String(userId)]).delete();
}

/** Signs a user out everywhere but the one session given (the one that changed the password); returns how many ended. */
export async function deleteOtherSessionsOfUser(db: Knex, userId: number, keepSessionId: string): Promise<number> {
  return db('sessions').whereRaw("(sess->>'userId') = ?", [String(userId)]).whereNot('sid', keepSessionId).delete();
}
