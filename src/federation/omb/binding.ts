// Who may speak for whom. OMB 0.1 gives a consumer no secret (its key is self-asserted), so a
// listenee is bound to the site that hosts it: its identifier, its profile page, the consumer key
// and the callback of the server asking must all be on that site, and once a listenee is known here
// only the consumer that first spoke for it may bring new subscriptions. As consumer, the services
// discovered for a listener must be on the site of the listener's identifier, so that the tokens
// come from the server that really hosts them.
import type { Db } from '../../domain/context.ts';
import { findProfileByUri } from '../../domain/remote-profiles.ts';
import { checkRemoteIdentity, RemoteOriginError, sameSite, siteName } from '../../domain/remote-origins.ts';
import { hasAccessToken, listConsumerKeysOfListenee } from '../../db/omb-tokens.ts';
import type { OmbServices } from './xrds.ts';
import { OmbError } from './params.ts';

/** What a consumer claims about the listenee it asks one of our users to authorize. */
export type ListeneeClaim = { uri: string; profileUrl: string; nickname: string; callback: string | undefined };

/** Refuses (4xx, nothing written) a listenee the asking consumer cannot speak for, or one the listener already follows. */
export async function checkListeneeClaim(db: Db, listenerId: number, consumerKey: string, claim: ListeneeClaim): Promise<void> {
  try {
    checkRemoteIdentity(claim);
  } catch (error) {
    throw error instanceof RemoteOriginError ? new OmbError(403, error.message) : error;
  }
  if (!sameSite(claim.profileUrl, consumerKey)) {
    throw new OmbError(403, `The profile ${claim.profileUrl} is not served by the server that asks (${consumerKey}).`);
  }
  if (claim.callback !== undefined && !sameSite(claim.callback, consumerKey)) {
    throw new OmbError(400, `oauth_callback must be on the site of the server that asks (${siteName(consumerKey)}).`);
  }
  const known = await findProfileByUri(db, claim.uri);
  if (!known) return;
  if (known.isLocal) throw new OmbError(400, 'That is a user of this site: subscribe here directly.');
  if (!sameSite(known.profileUrl ?? known.uri, claim.profileUrl)) throw new OmbError(403, `${claim.uri} is already known here with a profile on another site.`);
  const keys = await listConsumerKeysOfListenee(db, known.id);
  if (keys.some((key) => key !== consumerKey)) throw new OmbError(403, `${claim.uri} is already known here through another server.`);
  // A second authorization would replace the credentials its server pushes with: whoever holds
  // the new token could then speak for the listenee. Unsubscribe first to renew.
  if (await hasAccessToken(db, listenerId, known.id)) {
    throw new OmbError(409, `You already subscribe to ${known.nickname}@${siteName(known.profileUrl ?? known.uri)}. To renew the subscription, unsubscribe first.`);
  }
}

/** Refuses discovered services that are not all on the site of the identifier (LocalID) they are for. */
export function checkDiscoveredServices(services: OmbServices): void {
  const { localId, ...endpoints } = services;
  for (const [name, url] of Object.entries(endpoints)) {
    if (!sameSite(url, localId)) {
      throw new RemoteOriginError(400, `Not a valid profile URL: its ${name} service (${url}) is not on the site of the identifier ${localId}.`);
    }
  }
}
