// Pushes from the listenee's server: new notices (postNotice) and profile changes (updateProfile).
// Each is verified, bound to the one subscription its access token was issued for, stored, and
// answered fast with the exact success body StatusNet peers look for.
import type { Request } from 'express';
import type { DomainContext } from '../../domain/context.ts';
import { changeRemoteProfile, receiveRemoteNotice } from '../../domain/remote-profiles.ts';
import type { RemoteProfileFields } from '../../domain/remote-profiles.ts';
import { sameSite } from '../../domain/remote-origins.ts';
import type { ProfileRecord } from '../../domain/lookups.ts';
import { getPushCredentials } from '../../db/omb-tokens.ts';
import { OMB_SUCCESS_BODY, OMB_VERSION } from './constants.ts';
import type { Params } from './oauth.ts';
import { isHttpUrl, OmbError, profileParams, required } from './params.ts';
import { oauthFields, refuseUsedNonce, useNonce, verifySignature } from './verify.ts';
import type { OAuthFields } from './verify.ts';

// OAuth, then the subscription the token belongs to, then the listenee it was issued for. What the
// checks need is read in one query (a push is the request a peer makes most), checked in this order.
async function verifiedListenee(ctx: DomainContext, req: Request, params: Params): Promise<{ fields: OAuthFields; listenee: ProfileRecord }> {
  const fields = oauthFields(params, { requireToken: true });
  const push = await getPushCredentials(ctx.db, fields.consumerKey, fields.token!, fields.nonce);
  // 403 tells the sender to stop: the listener unsubscribed (the token went with the subscription).
  if (!push) throw new OmbError(403, 'No such subscription: the access token is unknown or revoked.');
  verifySignature(ctx.config, req, params, push.token.secret);
  refuseUsedNonce(push.nonceUsed);
  // A suspended person receives nothing; to an OMB sender, 403 means the subscription is over.
  if (push.subscriberSuspended) throw new OmbError(403, 'The subscriber’s account on this server is suspended.');
  if (params.omb_version !== OMB_VERSION) throw new OmbError(400, `omb_version must be ${OMB_VERSION}.`);
  const listenee = push.listenee;
  if (!listenee || required(params, 'omb_listenee') !== listenee.uri) {
    throw new OmbError(403, 'This access token was not issued for that listenee.');
  }
  // A suspended remote person's notices and changes are not taken (their subscriptions ended with the suspension).
  if (listenee.suspendedAt) throw new OmbError(403, 'That listenee is suspended on this server.');
  // Only the listenee's own site speaks for them; this also voids any token issued otherwise in the past.
  if (!sameSite(fields.consumerKey, listenee.profileUrl ?? listenee.uri)) {
    throw new OmbError(403, 'This access token belongs to a server that does not host that listenee.');
  }
  return { fields, listenee };
}

/** POST postnotice: stores a remote notice once and puts it on every local subscriber's home timeline. */
export async function onPostNotice(ctx: DomainContext, req: Request, params: Params): Promise<string> {
  const { fields, listenee } = await verifiedListenee(ctx, req, params);
  // The notice itself (URI, URL, content) is checked by the domain when it is received.
  const uri = required(params, 'omb_notice');
  const content = required(params, 'omb_notice_content');
  const url = params.omb_notice_url || null;
  if (params.omb_notice_license && !isHttpUrl(params.omb_notice_license)) throw new OmbError(400, 'omb_notice_license must be an http(s) URL.');
  await ctx.db.transaction(async (trx) => {
    await useNonce(trx, fields);
    // A notice we already have is a success too: the sender may not have seen our first answer.
    await receiveRemoteNotice(ctx, trx, { authorId: listenee.id, author: listenee, uri, url, content, source: 'omb' });
  });
  return OMB_SUCCESS_BODY;
}

/** POST updateprofile: applies the listenee's changed fields; its identifier and profile URL stay. */
export async function onUpdateProfile(ctx: DomainContext, req: Request, params: Params): Promise<string> {
  const { fields, listenee } = await verifiedListenee(ctx, req, params);
  const given = profileParams(params, 'omb_listenee');
  const changes: Partial<RemoteProfileFields> = {};
  if (given.nickname) changes.nickname = given.nickname; // a nickname cannot be cleared
  for (const key of ['fullname', 'bio', 'location', 'homepage'] as const) {
    if (given[key] !== undefined) changes[key] = given[key] || null; // present and empty: cleared
  }
  if (given.avatar !== undefined) changes.avatarUrl = given.avatar || null;
  await ctx.db.transaction(async (trx) => {
    await useNonce(trx, fields);
    await changeRemoteProfile(ctx, trx, listenee.id, changes);
  });
  return OMB_SUCCESS_BODY;
}
