// State of the OMB consumer role: remote subscriptions in progress, and remote listeners we push to.
import type { Knex } from 'knex';

export type PendingSubscription = {
  requestToken: string;
  requestSecret: string;
  sessionId: string;
  listeneeId: number;
  listenerUri: string;
  requestUrl: string;
  accessUrl: string;
  postNoticeUrl: string;
  updateProfileUrl: string;
  createdAt: Date;
};

export type RemoteListener = {
  subscriberId: number;
  subscribedId: number;
  token: string;
  secret: string;
  postNoticeUrl: string;
  updateProfileUrl: string;
};

/** Remembers a remote subscription between the request token and the callback. */
export async function insertPendingSubscription(db: Knex, pending: Omit<PendingSubscription, 'createdAt'>): Promise<void> {
  await db('omb_pending_subscriptions').insert({
    request_token: pending.requestToken,
    request_secret: pending.requestSecret,
    session_id: pending.sessionId,
    listenee_id: pending.listeneeId,
    listener_uri: pending.listenerUri,
    request_url: pending.requestUrl,
    access_url: pending.accessUrl,
    postnotice_url: pending.postNoticeUrl,
    updateprofile_url: pending.updateProfileUrl,
  });
}

/** The pending subscription for a request token, or undefined. */
export async function getPendingSubscription(db: Knex, requestToken: string): Promise<PendingSubscription | undefined> {
  const row = await db('omb_pending_subscriptions').where({ request_token: requestToken }).first();
  if (!row) return undefined;
  return {
    requestToken: row.request_token,
    requestSecret: row.request_secret,
    sessionId: row.session_id,
    listeneeId: row.listenee_id,
    listenerUri: row.listener_uri,
    requestUrl: row.request_url,
    accessUrl: row.access_url,
    postNoticeUrl: row.postnotice_url,
    updateProfileUrl: row.updateprofile_url,
    createdAt: row.created_at,
  };
}

/** Forgets a pending subscription; false when it was already gone (used or expired). */
export async function deletePendingSubscription(db: Knex, requestToken: string): Promise<boolean> {
  return (await db('omb_pending_subscriptions').where({ request_token: requestToken }).delete()) > 0;
}

/** Deletes pending subscriptions older than `seconds`. */
export async function purgePendingSubscriptions(db: Knex, seconds: number): Promise<number> {
  return db('omb_pending_subscriptions').where('created_at', '<', db.raw(`now() - make_interval(secs => ?)`, [seconds])).delete();
}

/** Stores (or replaces) the push credentials of a remote listener of a local user. */
export async function upsertRemoteListener(db: Knex, listener: RemoteListener): Promise<void> {
  await db('omb_remote_listeners')
    .insert({
      subscriber_id: listener.subscriberId,
      subscribed_id: listener.subscribedId,
      token: listener.token,
      secret: listener.secret,
      postnotice_url: listener.postNoticeUrl,
      updateprofile_url: listener.updateProfileUrl,
    })
    .onConflict(['subscriber_id', 'subscribed_id'])
    .merge();
}

/** A listener row as a record. */
export function toListener(row: Record<string, unknown>): RemoteListener {
  return {
    subscriberId: row.subscriber_id as number,
    subscribedId: row.subscribed_id as number,
    token: row.token as string,
    secret: row.secret as string,
    postNoticeUrl: row.postnotice_url as string,
    updateProfileUrl: row.updateprofile_url as string,
  };
}

/** Every remote listener of a local user. */
export async function listRemoteListeners(db: Knex, subscribedId: number): Promise<RemoteListener[]> {
  const rows = await db('omb_remote_listeners').where({ subscribed_id: subscribedId }).orderBy('subscriber_id');
  return rows.map(toListener);
}

/** Forgets every pending subscription of a browser session. */
export async function deletePendingSubscriptionsOfSession(db: Knex, sessionId: string): Promise<void> {
  await db('omb_pending_subscriptions').where({ session_id: sessionId }).delete();
}
