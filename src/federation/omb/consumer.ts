// The listenee's side (OAuth consumer): the remote subscribe form's work, and the callback that
// finishes a remote subscription by exchanging the authorized request token for an access token.
import type { DomainContext } from '../../domain/context.ts';
import type { FederationContext } from '../context.ts';
import { findProfileByUri, saveRemoteProfile } from '../../domain/remote-profiles.ts';
import { addSubscription } from '../../domain/subscriptions.ts';
import { SubscriptionRefusedError } from '../../domain/subscription-rules.ts';
import { checkRemoteIdentity, RemoteOriginError } from '../../domain/remote-origins.ts';
import { findLocalProfile, findLocalUser } from '../../domain/lookups.ts';
import { deletePendingSubscription, deletePendingSubscriptionsOfSession, getPendingSubscription, insertPendingSubscription, upsertRemoteListener } from '../../db/omb-listeners.ts';
import { normalizeNickname } from '../../domain/nicknames.ts';
import { answerExcerpt } from '../excerpt.ts';
import { OutboundError } from '../http-client.ts';
import type { HttpClient } from '../http-client.ts';
import { checkDiscoveredServices } from './binding.ts';
import { OMB_PATHS, OMB_VERSION } from './constants.ts';
import { DiscoveryError, discoverServices } from './discovery.ts';
import { consumerKeyOf, endpointUrl, localUserIdOf } from './identity.ts';
import { toProfileParams } from './mapping.ts';
import { encodeForm, signRequest } from './oauth.ts';
import type { Params } from './oauth.ts';
import { postSigned, tokenPairOf } from './outbound.ts';
import { subscriptionRefusal } from './server-blocks.ts';
import { isHttpUrl, profileParams } from './params.ts';

/** Pending remote subscriptions expire after this many seconds. */
export const PENDING_LIFETIME_SECONDS = 3600;

/** What the visitor's server answered when it refused a step: its status (none when unreachable) and a short reason. */
export type RemoteAnswer = { endpoint: string; status: number | undefined; reason: string };

/** A remote subscription could not go on; the message is for the visitor, `remote` says what their server answered. */
export class RemoteSubscribeError extends Error {
  readonly status: number;
  readonly remote: RemoteAnswer | undefined;
  constructor(status: number, message: string, remote?: RemoteAnswer) {
    super(message);
    this.status = status;
    this.remote = remote;
  }
}

// A token request to the visitor's server: the token pair, or what the server said instead.
async function requestTokenPair(
  client: HttpClient,
  endpoint: string,
  consumerKey: string,
  token: { key: string; secret: string } | undefined,
  params: Params,
): Promise<{ key: string; secret: string } | RemoteAnswer> {
  let response;
  try {
    response = await postSigned(client, endpoint, consumerKey, token, params);
  } catch (error) {
    if (!(error instanceof OutboundError)) throw error;
    return { endpoint, status: undefined, reason: error.message };
  }
  const pair = tokenPairOf(response);
  if (pair) return pair;
  // StatusNet answers 200 with an empty body when it refuses.
  return { endpoint, status: response.status, reason: response.status === 200 && response.body.trim() === '' ? 'an empty answer instead of a token' : answerExcerpt(response.body) };
}

function saidWhat(remote: RemoteAnswer): string {
  return remote.status === undefined ? `could not be reached (${remote.reason})` : `answered ${remote.status}: “${remote.reason}”`;
}

/** Discovers the visitor's services, gets a request token and returns the signed authorization URL. */
export async function startRemoteSubscription(ctx: FederationContext, sessionId: string, rawNickname: string, rawProfileUrl: string): Promise<string> {
  const nickname = normalizeNickname(rawNickname);
  const listenee = nickname ? await findLocalProfile(ctx.db, nickname) : undefined;
  if (!listenee) throw new RemoteSubscribeError(404, 'There is nobody by that nickname here.');
  const profileUrl = rawProfileUrl.trim();
  if (!isHttpUrl(profileUrl)) throw new RemoteSubscribeError(400, 'Invalid profile URL: type the full http:// or https:// address of your profile.');
  const blocked = await subscriptionRefusal(ctx, listenee.id, { uri: profileUrl, profileUrl }, true); // before fetching anything from a blocked server
  if (blocked) throw new RemoteSubscribeError(403, blocked);
  const client = ctx.http;
  let services;
  try {
    services = await discoverServices(client, profileUrl);
  } catch (error) {
    if (error instanceof DiscoveryError) throw new RemoteSubscribeError(400, error.message);
    throw error;
  }
  if (localUserIdOf(ctx.config, services.localId) !== undefined || services.requestToken.startsWith(`${ctx.config.publicUrl}/`)) {
    throw new RemoteSubscribeError(400, 'That is a profile on this site: log in and subscribe here directly.');
  }
  if ((await findProfileByUri(ctx.db, services.localId))?.isLocal) throw new RemoteSubscribeError(400, 'That is a profile on this site.');
  const refusal = await subscriptionRefusal(ctx, listenee.id, { uri: services.localId, profileUrl }, true);
  if (refusal) throw new RemoteSubscribeError(403, refusal);
  // The tokens must come from the server that hosts the identifier, or another server could subscribe in its name.
  try {
    checkDiscoveredServices(services);
  } catch (error) {
    if (error instanceof RemoteOriginError) throw new RemoteSubscribeError(400, error.message);
    throw error;
  }

  const consumerKey = consumerKeyOf(ctx.config);
  const requestToken = await requestTokenPair(client, services.requestToken, consumerKey, undefined, { omb_listener: services.localId, omb_version: OMB_VERSION });
  if ('endpoint' in requestToken) {
    throw new RemoteSubscribeError(502, `Could not get a request token from your server: it ${saidWhat(requestToken)}. Try again later.`, requestToken);
  }

  await insertPendingSubscription(ctx.db, {
    requestToken: requestToken.key,
    requestSecret: requestToken.secret,
    sessionId,
    listeneeId: listenee.id,
    listenerUri: services.localId,
    requestUrl: services.requestToken,
    accessUrl: services.accessToken,
    postNoticeUrl: services.postNotice,
    updateProfileUrl: services.updateProfile,
  });
  // StatusNet signs this browser redirect with the request token; so do we.
  const signed = signRequest({
    method: 'GET',
    url: services.authorize,
    consumerKey,
    token: requestToken,
    params: {
      oauth_callback: endpointUrl(ctx.config, OMB_PATHS.finishSubscribe),
      omb_version: OMB_VERSION,
      omb_listener: services.localId,
      ...toProfileParams(ctx.config, listenee, 'omb_listenee', false),
    },
  });
  return `${signed.url}?${encodeForm(signed.params)}`;
}

/** Handles the callback: checks it against the visitor's pending subscription, gets the access token, subscribes. */
export async function finishRemoteSubscription(ctx: FederationContext, sessionId: string, params: Params): Promise<{ listeneeNickname: string }> {
  const token = params.oauth_token;
  const pending = token ? await getPendingSubscription(ctx.db, token) : undefined;
  if (!pending || pending.sessionId !== sessionId) throw new RemoteSubscribeError(400, 'Not expecting this response: start the subscription again from the profile page.');
  if (Date.now() - pending.createdAt.getTime() > PENDING_LIFETIME_SECONDS * 1000) {
    await deletePendingSubscription(ctx.db, pending.requestToken);
    throw new RemoteSubscribeError(400, 'This subscription request expired: start again from the profile page.');
  }
  const listenee = await findLocalUser(ctx.db, pending.listeneeId);
  if (!listenee) throw new RemoteSubscribeError(404, 'The person you wanted to subscribe to is not here any more.');
  if (params.omb_version !== OMB_VERSION) throw new RemoteSubscribeError(400, 'Your server uses an unknown version of the OMB protocol.');
  let listener;
  try {
    listener = profileParams(params, 'omb_listener');
  } catch (error) {
    throw new RemoteSubscribeError(400, `Your server sent a bad profile: ${(error as Error).message}`);
  }
  if (!listener.nickname) throw new RemoteSubscribeError(400, 'Your server did not say what your nickname is.');
  if (!listener.profileUrl) throw new RemoteSubscribeError(400, 'Your server did not say where your profile is.');
  try {
    checkRemoteIdentity({ uri: pending.listenerUri, profileUrl: listener.profileUrl });
  } catch (error) {
    if (error instanceof RemoteOriginError) throw new RemoteSubscribeError(400, `Your server sent a profile URL on another site than your identifier: ${error.message}`);
    throw error;
  }

  const client = ctx.http;
  const access = await requestTokenPair(client, pending.accessUrl, consumerKeyOf(ctx.config), { key: pending.requestToken, secret: pending.requestSecret }, { omb_version: OMB_VERSION });
  if ('endpoint' in access) {
    throw new RemoteSubscribeError(502, `Your server would not turn the authorization into an access token: it ${saidWhat(access)}. Try again.`, access);
  }

  const accessToken = access;
  await ctx.db.transaction(async (trx) => {
    // Refused here too (a block made while the visitor was away): the site's rule, told on the page.
    if (!(await deletePendingSubscription(trx, pending.requestToken))) throw new RemoteSubscribeError(400, 'This subscription was already finished.');
    // The identifier is the one discovered and authorised, never a callback parameter; the
    // callback's unsigned fields only fill in a profile we did not know yet.
    const listenerId = await saveRemoteProfile(ctx, trx, pending.listenerUri, listener.profileUrl!, {
      nickname: listener.nickname!,
      fullname: listener.fullname || null,
      bio: listener.bio || null,
      location: listener.location || null,
      homepage: listener.homepage || null,
      avatarUrl: listener.avatar || null,
    });
    await addSubscription(ctx, trx, listenerId, listenee.id).catch((error: unknown) => {
      throw error instanceof SubscriptionRefusedError ? new RemoteSubscribeError(403, error.message) : error;
    });
    await upsertRemoteListener(trx, {
      subscriberId: listenerId,
      subscribedId: listenee.id,
      token: accessToken.key,
      secret: accessToken.secret,
      postNoticeUrl: pending.postNoticeUrl,
      updateProfileUrl: pending.updateProfileUrl,
    });
  });
  return { listeneeNickname: listenee.nickname };
}

/** A visitor's answer without a token means their server refused: forget their pending requests. */
export async function forgetPendingOf(ctx: DomainContext, sessionId: string): Promise<void> {
  await deletePendingSubscriptionsOfSession(ctx.db, sessionId);
}
