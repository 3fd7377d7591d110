// The listener's side (OAuth service provider): request tokens, the user's authorization, access tokens.
import type { Request } from 'express';
import type { Config } from '../../config.ts';
import type { DomainContext } from '../../domain/context.ts';
import { findUser } from '../../domain/accounts.ts';
import type { UserRecord } from '../../domain/accounts.ts';
import { saveRemoteProfile } from '../../domain/remote-profiles.ts';
import { addSubscription } from '../../domain/subscriptions.ts';
import { ensureConsumer, getRequestToken, insertAccessToken, insertRequestToken, listConsumerKeysOfListenee, moveRequestToken } from '../../db/omb-tokens.ts';
import type { RequestTokenRecord } from '../../db/omb-tokens.ts';
import { checkListeneeClaim } from './binding.ts';
import { OMB_PATHS, OMB_VERSION } from './constants.ts';
import { endpointUrl, localUserIdOf, userUri } from './identity.ts';
import { toProfileParams } from './mapping.ts';
import { encodeForm, newTokenValue } from './oauth.ts';
import type { Params } from './oauth.ts';
import { isHttpUrl, OmbError, profileParams, required } from './params.ts';
import type { ProfileParams } from './params.ts';
import { checkSignature, oauthFields, useNonce } from './verify.ts';
import { subscriptionRefusal } from './server-blocks.ts';

/** Request tokens not exchanged within this many seconds expire. */
export const REQUEST_TOKEN_LIFETIME_SECONDS = 3600;

/** What the authorization page shows and the decision needs, kept in the listener's session. */
export type AuthorizationRequest = {
  token: string;
  callback: string | undefined;
  listenee: { uri: string } & Required<Pick<ProfileParams, 'profileUrl' | 'nickname' | 'license'>> & ProfileParams;
};

function expired(token: RequestTokenRecord): boolean {
  return Date.now() - token.createdAt.getTime() > REQUEST_TOKEN_LIFETIME_SECONDS * 1000;
}

function checkVersion(params: Params): void {
  if (params.omb_version !== OMB_VERSION) throw new OmbError(400, `omb_version must be ${OMB_VERSION}.`);
}

/** POST requesttoken: a signed request from the listenee's server for one of our users. */
export async function onRequestToken(ctx: DomainContext, req: Request, params: Params): Promise<string> {
  const fields = oauthFields(params, { requireToken: false });
  await checkSignature(ctx.db, ctx.config, req, params, fields, '');
  checkVersion(params);
  const listenerId = localUserIdOf(ctx.config, required(params, 'omb_listener'));
  if (listenerId === undefined || !(await findUser(ctx, listenerId))) throw new OmbError(400, 'omb_listener is not a user of this server.');
  const token = { token: newTokenValue(), secret: newTokenValue(), consumerKey: fields.consumerKey, listenerId };
  await ctx.db.transaction(async (trx) => {
    await useNonce(trx, fields);
    await ensureConsumer(trx, fields.consumerKey);
    await insertRequestToken(trx, token);
  });
  return encodeForm({ oauth_token: token.token, oauth_token_secret: token.secret, omb_version: OMB_VERSION });
}

/** GET userauthorization: checks what the listenee's server asks the signed-in listener to approve. */
export async function onAuthorizationRequest(ctx: DomainContext, listener: UserRecord, params: Params): Promise<AuthorizationRequest> {
  // Not signature-checked: StatusNet never does here, and the person may have spent minutes logging in.
  const token = await getRequestToken(ctx.db, required(params, 'oauth_token'));
  if (!token || token.state !== 'new' || expired(token)) throw new OmbError(400, 'This subscription request is unknown, already answered or expired. Start again from the other site.');
  checkVersion(params);
  if (required(params, 'omb_listener') !== userUri(ctx.config, listener.id) || token.listenerId !== listener.id) {
    throw new OmbError(403, 'This subscription request was made for another user of this site. Log in as that user.');
  }
  const uri = required(params, 'omb_listenee');
  if (!(isHttpUrl(uri) || /^tag:/.test(uri)) || uri.length > 255) throw new OmbError(400, 'omb_listenee must be an http(s) URL.');
  if (localUserIdOf(ctx.config, uri) !== undefined) throw new OmbError(400, 'That is a user of this site: subscribe here directly.');
  // SN 0.7 sends empty optional fields; on this step they mean "not given".
  const present = Object.fromEntries(Object.entries(params).filter(([, v]) => v !== ''));
  const profile = profileParams(present, 'omb_listenee');
  for (const name of ['profile', 'nickname', 'license']) required(present, `omb_listenee_${name}`);
  const callback = params.oauth_callback || undefined;
  if (callback !== undefined && (!/^https?:\/\//i.test(callback) || !URL.canParse(callback) || callback.length > 2000)) throw new OmbError(400, 'oauth_callback must be an http(s) URL.');
  const listenee = { ...profile, uri, profileUrl: profile.profileUrl!, nickname: profile.nickname!, license: profile.license! };
  const refusal = await subscriptionRefusal(ctx, listener.id, listenee, false); // a block or a blocked server: no token is issued
  if (refusal) throw new OmbError(403, refusal);
  await checkListeneeClaim(ctx.db, listener.id, token.consumerKey, { ...listenee, callback });
  return { token: token.token, callback, listenee };
}

function withParams(callback: string, params: Params): string {
  return `${callback}${callback.includes('?') ? '&' : '?'}${encodeForm(params)}`;
}

/** POST userauthorization: the listener accepts or rejects; returns where the browser goes next (undefined: no callback). */
export async function onAuthorizationDecision(ctx: DomainContext, listener: UserRecord, request: AuthorizationRequest, accept: boolean): Promise<string | undefined> {
  if (!accept) {
    if (!(await moveRequestToken(ctx.db, request.token, 'new', 'revoked'))) throw new OmbError(400, 'This subscription request was already answered.');
    return request.callback;
  }
  const { listenee } = request;
  const token = await getRequestToken(ctx.db, request.token);
  if (!token || token.listenerId !== listener.id) throw new OmbError(400, 'This subscription request is unknown. Start again from the other site.');
  await ctx.db.transaction(async (trx) => {
    // Checked again: another subscription may have bound this listenee since the page was shown.
    await checkListeneeClaim(trx, listener.id, token.consumerKey, { ...listenee, callback: request.callback });
    const profileId = await saveRemoteProfile(ctx, trx, listenee.uri, listenee.profileUrl, {
      nickname: listenee.nickname,
      fullname: listenee.fullname || null,
      bio: listenee.bio || null,
      location: listenee.location || null,
      homepage: listenee.homepage || null,
      avatarUrl: listenee.avatar || null,
    });
    if (!(await moveRequestToken(trx, request.token, 'new', 'authorized', profileId))) throw new OmbError(400, 'This subscription request was already answered.');
  });
  if (request.callback === undefined) return undefined;
  return withParams(request.callback, {
    oauth_token: request.token,
    omb_version: OMB_VERSION,
    ...toProfileParams(ctx.config, listener, 'omb_listener', false),
  });
}

/** POST accesstoken: exchanges an authorized request token for the access token of the new subscription. */
export async function onAccessToken(ctx: DomainContext, req: Request, params: Params): Promise<string> {
  const fields = oauthFields(params, { requireToken: true });
  const token = await getRequestToken(ctx.db, fields.token!);
  if (!token || token.consumerKey !== fields.consumerKey) throw new OmbError(401, 'oauth_problem=token_rejected');
  await checkSignature(ctx.db, ctx.config, req, params, fields, token.secret);
  if (token.state !== 'authorized' || token.listeneeId === null || expired(token)) throw new OmbError(401, 'oauth_problem=token_rejected: not authorized, already used or expired');
  const listeneeId = token.listeneeId;
  const access = { token: newTokenValue(), secret: newTokenValue() };
  await ctx.db.transaction(async (trx) => {
    await useNonce(trx, fields);
    if (!(await moveRequestToken(trx, token.token, 'authorized', 'used'))) throw new OmbError(401, 'oauth_problem=token_used');
    // Two authorizations may have raced: the first consumer to finish speaks for the listenee, and
    // an existing subscription keeps its credentials.
    if ((await listConsumerKeysOfListenee(trx, listeneeId)).some((key) => key !== fields.consumerKey)) {
      throw new OmbError(403, 'oauth_problem=token_rejected: this listenee is already known here through another server');
    }
    await addSubscription(ctx, trx, token.listenerId, listeneeId);
    const issued = await insertAccessToken(trx, { ...access, consumerKey: fields.consumerKey, subscriberId: token.listenerId, subscribedId: listeneeId });
    if (!issued) throw new OmbError(409, 'oauth_problem=token_rejected: the listener already subscribes to this listenee');
  });
  return encodeForm({ oauth_token: access.token, oauth_token_secret: access.secret });
}

/** Whether a callback URL points back at our own finish endpoint (a loop StatusNet also refuses). */
export function isOwnCallback(config: Config, callback: string): boolean {
  return callback.startsWith(endpointUrl(config, OMB_PATHS.finishSubscribe));
}
