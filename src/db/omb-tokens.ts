// OAuth state of the OMB provider role: consumers, nonces, request tokens and access tokens.
import type { Knex } from 'knex';
import { toProfileRecord } from './records.ts';
import type { ProfileRecord } from './records.ts';

export type RequestTokenState = 'new' | 'authorized' | 'used' | 'revoked';

export type RequestTokenRecord = {
  token: string;
  secret: string;
  consumerKey: string;
  listenerId: number;
  listeneeId: number | null;
  state: RequestTokenState;
  createdAt: Date;
};

export type AccessTokenRecord = { token: string; secret: string; consumerKey: string; subscriberId: number; subscribedId: number };

function toRequestToken(row: Record<string, unknown>): RequestTokenRecord {
  return {
    token: row.token as string,
    secret: row.secret as string,
    consumerKey: row.consumer_key as string,
    listenerId: row.listener_id as number,
    listeneeId: row.listenee_id as number | null,
    state: row.state as RequestTokenState,
    createdAt: row.created_at as Date,
  };
}

/** Records a nonce; false when this consumer already used it with this timestamp. */
export async function insertNonce(db: Knex, consumerKey: string, nonce: string, timestamp: number): Promise<boolean> {
  const rows = await db('oauth_nonces').insert({ consumer_key: consumerKey, nonce, ts: timestamp }).onConflict().ignore().returning('nonce');
  return rows.length > 0;
}

/** Whether this consumer already used this nonce (with any timestamp still in the window). */
export async function nonceSeen(db: Knex, consumerKey: string, nonce: string): Promise<boolean> {
  return (await db('oauth_nonces').where({ consumer_key: consumerKey, nonce }).first('nonce')) !== undefined;
}

/** Forgets nonces older than the given number of seconds. */
export async function purgeNonces(db: Knex, olderThanSeconds: number): Promise<number> {
  return db('oauth_nonces').where('created_at', '<', db.raw(`now() - make_interval(secs => ?)`, [olderThanSeconds])).delete();
}

/** Records a consumer key the first time it is seen. */
export async function ensureConsumer(db: Knex, consumerKey: string): Promise<void> {
  await db('omb_consumers').insert({ consumer_key: consumerKey }).onConflict().ignore();
}

/** Stores a new request token for a local listener. */
export async function insertRequestToken(db: Knex, token: { token: string; secret: string; consumerKey: string; listenerId: number }): Promise<void> {
  await db('omb_request_tokens').insert({ token: token.token, secret: token.secret, consumer_key: token.consumerKey, listener_id: token.listenerId });
}

/** The request token with this value, or undefined. */
export async function getRequestToken(db: Knex, token: string): Promise<RequestTokenRecord | undefined> {
  const row = await db('omb_request_tokens').where({ token }).first();
  return row ? toRequestToken(row) : undefined;
}

/** Moves a request token from one state to another; false when it was not in `from` any more. */
export async function moveRequestToken(db: Knex, token: string, from: RequestTokenState, to: RequestTokenState, listeneeId?: number): Promise<boolean> {
  const changes: Record<string, unknown> = { state: to };
  if (listeneeId !== undefined) changes.listenee_id = listeneeId;
  return (await db('omb_request_tokens').where({ token, state: from }).update(changes)) > 0;
}

/** Deletes request tokens created more than `seconds` ago. */
export async function purgeRequestTokens(db: Knex, seconds: number): Promise<number> {
  return db('omb_request_tokens').where('created_at', '<', db.raw(`now() - make_interval(secs => ?)`, [seconds])).delete();
}

/** Issues the access token of a subscription; false when that subscription already has one (it is never replaced). */
export async function insertAccessToken(db: Knex, token: AccessTokenRecord): Promise<boolean> {
  const rows = await db('omb_access_tokens')
    .insert({
      token: token.token,
      secret: token.secret,
      consumer_key: token.consumerKey,
      subscriber_id: token.subscriberId,
      subscribed_id: token.subscribedId,
    })
    .onConflict(['subscriber_id', 'subscribed_id'])
    .ignore()
    .returning('token');
  return rows.length > 0;
}

/** Whether a local listener holds an access token for this listenee (an active OMB subscription). */
export async function hasAccessToken(db: Knex, subscriberId: number, subscribedId: number): Promise<boolean> {
  return (await db('omb_access_tokens').where({ subscriber_id: subscriberId, subscribed_id: subscribedId }).first('token')) !== undefined;
}

/** The consumer keys holding access tokens for this listenee: the server that speaks for them. */
export async function listConsumerKeysOfListenee(db: Knex, subscribedId: number): Promise<string[]> {
  const rows = await db('omb_access_tokens').where({ subscribed_id: subscribedId }).distinct('consumer_key');
  return rows.map((row: { consumer_key: string }) => row.consumer_key);
}

/** The access token with this value issued to this consumer, or undefined (unknown or revoked). */
export async function getAccessToken(db: Knex, consumerKey: string, token: string): Promise<AccessTokenRecord | undefined> {
  const row = await db('omb_access_tokens').where({ token, consumer_key: consumerKey }).first();
  if (!row) return undefined;
  return { token: row.token, secret: row.secret, consumerKey: row.consumer_key, subscriberId: row.subscriber_id, subscribedId: row.subscribed_id };
}

/** What a signed push (postNotice, updateProfile) needs to know before it acts, read in one query. */
export type PushCredentials = {
  token: AccessTokenRecord;
  /** Whether this consumer already used the request's nonce. */
  nonceUsed: boolean;
  /** Whether the local listener the token was issued by is suspended. */
  subscriberSuspended: boolean;
  /** The remote listenee the token was issued for; undefined if that profile is gone or local. */
  listenee: ProfileRecord | undefined;
};

/**
 * The access token with this value issued to this consumer, with its listener's suspension, its
 * listenee and whether the nonce was used: one round trip where a push made four. Undefined when the
 * token is unknown or revoked.
 */
export async function getPushCredentials(db: Knex, consumerKey: string, token: string, nonce: string): Promise<PushCredentials | undefined> {
  const result = await db.raw(
    `SELECT l.*, t.secret AS token_secret, t.subscriber_id AS token_subscriber_id, t.subscribed_id AS token_subscribed_id,
            s.suspended_at IS NOT NULL AS token_subscriber_suspended,
            EXISTS (SELECT 1 FROM oauth_nonces n WHERE n.consumer_key = t.consumer_key AND n.nonce = :nonce) AS token_nonce_used
     FROM omb_access_tokens t
     JOIN profiles s ON s.id = t.subscriber_id
     LEFT JOIN profiles l ON l.id = t.subscribed_id AND l.is_local = false
     WHERE t.token = :token AND t.consumer_key = :consumerKey`,
    { token, consumerKey, nonce },
  );
  const row = result.rows[0] as Record<string, unknown> | undefined;
  if (!row) return undefined;
  const subscriberId = row.token_subscriber_id as number;
  const subscribedId = row.token_subscribed_id as number;
  return {
    token: { token, secret: row.token_secret as string, consumerKey, subscriberId, subscribedId },
    nonceUsed: row.token_nonce_used as boolean,
    subscriberSuspended: row.token_subscriber_suspended as boolean,
    listenee: row.id === null ? undefined : toProfileRecord(row),
  };
}
