// OMB requests from a server this site has suspended are refused (403) before anything of them is
// read further or stored: by the consumer key (the sending site) or the profiles they name.
import type { DomainContext } from '../../domain/context.ts';
import { domainBlockOf } from '../../domain/domain-blocks.ts';
import type { Params } from './oauth.ts';

/** Why a signed OMB request is refused because of its server, or undefined. */
export async function blockedServerRefusal(ctx: DomainContext, params: Params): Promise<string | undefined> {
  for (const value of [params.oauth_consumer_key, params.omb_listenee, params.omb_listenee_profile]) {
    const block = await domainBlockOf(ctx.db, value);
    if (block?.severity === 'suspend') return `${block.host} is blocked by this server: nothing from it is accepted.`;
  }
  return undefined;
}
