// OMB requests from a server this site has suspended are refused (403) before anything of them is
// read further or stored: by the consumer key (the sending site) or the profiles they name. And
// remote subscriptions the site would refuse are refused before they start.
import type { DomainContext } from '../../domain/context.ts';
import { domainBlockOf, domainBlockOfAny } from '../../domain/domain-blocks.ts';
import { findProfileByUri } from '../../domain/remote-profiles.ts';
import { checkMaySubscribe, SubscriptionRefusedError } from '../../domain/subscription-rules.ts';
import type { Params } from './oauth.ts';

/** Why a signed OMB request is refused because of its server, or undefined. */
export async function blockedServerRefusal(ctx: DomainContext, params: Params): Promise<string | undefined> {
  // One lookup for all of them: every push asks this.
  const block = await domainBlockOfAny(ctx.db, [params.oauth_consumer_key, params.omb_listenee, params.omb_listenee_profile]);
  return block?.severity === 'suspend' ? `${block.host} is blocked by this server: nothing from it is accepted.` : undefined;
}

/**
 * Why a remote subscription should not even start (before any token is issued): its remote side's
 * server is suspended here, or the site would refuse the subscription itself when it is made (a
 * block, a suspension; see subscription-rules.ts). `remoteListens`: the remote person is the listener.
 */
export async function subscriptionRefusal(ctx: DomainContext, local: number, remote: { uri: string; profileUrl: string | undefined }, remoteListens: boolean): Promise<string | undefined> {
  const block = await domainBlockOf(ctx.db, remote.profileUrl ?? remote.uri);
  if (block?.severity === 'suspend') return `This site does not federate with ${block.host}.`;
  const known = await findProfileByUri(ctx.db, remote.uri);
  if (!known || known.isLocal) return undefined;
  try {
    await (remoteListens ? checkMaySubscribe(ctx.db, known.id, local) : checkMaySubscribe(ctx.db, local, known.id));
  } catch (error) {
    if (error instanceof SubscriptionRefusedError) return error.message;
    throw error;
  }
  return undefined;
}
