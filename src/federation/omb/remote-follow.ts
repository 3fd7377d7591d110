// OMB 0.1's part of "Subscribe to someone on another server". In OMB the listenee's server starts a
// subscription (reference §6.1), so a person found by her profile's XRDS is subscribed to on her
// server: the form sends the reader there, to its remote-subscribe step, with the reader's own
// profile address filled in. A handle names the profile a Laconica-style server keeps at /nickname.
import type { FederationContext } from '../context.ts';
import { findProfileByUri } from '../../domain/remote-profiles.ts';
import { sameSite } from '../../domain/remote-origins.ts';
import { profileUrl as localProfileUrl } from '../../domain/urls.ts';
import { OutboundError } from '../http-client.ts';
import type { RemoteFollowFinder, RemoteInput } from '../remote-follow.ts';
import { DiscoveryError, discoverServices } from './discovery.ts';
import type { OmbServices } from './xrds.ts';

// A Laconica, StatusNet or Ostrakon profile page: the site's base, then the nickname.
const PROFILE_PATH = /^(.*)\/([A-Za-z0-9]{1,64})\/?$/;

async function discover(ctx: FederationContext, url: string): Promise<OmbServices | undefined> {
  try {
    return await discoverServices(ctx.http, url);
  } catch (error) {
    if (error instanceof DiscoveryError || error instanceof OutboundError) return undefined;
    throw error;
  }
}

// The profile pages a handle or address may name, best first: over http too where private addresses
// are allowed (loopback tests, local development), as servers there speak no TLS.
function candidates(ctx: FederationContext, input: RemoteInput): string[] {
  if (input.url) return [input.url.href];
  const { user, host } = input.handle!;
  const path = `${host}/${encodeURIComponent(user)}`;
  return ctx.config.allowPrivateAddresses ? [`https://${path}`, `http://${path}`] : [`https://${path}`];
}

/** Finds people whose profile page advertises OMB services; she finishes subscribing on their server. */
export const ombRemoteFollow: RemoteFollowFinder = {
  preference: 1,
  async find(ctx, input, viewer) {
    let found: { url: string; services: OmbServices } | undefined;
    for (const url of candidates(ctx, input)) {
      const services = await discover(ctx, url);
      if (services) {
        found = { url, services };
        break;
      }
    }
    // An identifier off the profile's site is no one we could subscribe to.
    if (!found || !sameSite(found.services.localId, found.url)) return undefined;
    const page = new URL(found.url);
    page.search = '';
    page.hash = '';
    const parts = PROFILE_PATH.exec(page.href);
    const nickname = parts?.[2]?.toLowerCase() ?? input.handle?.user ?? page.host;
    const known = await findProfileByUri(ctx.db, found.services.localId);
    // Her server's remote-subscribe form (Laconica's path and fields); without a recognisable
    // profile address, her profile page, where that server offers to subscribe.
    const next = parts ? new URL(`${parts[1]}/main/remote`) : page;
    if (parts) {
      next.searchParams.set('nickname', nickname);
      next.searchParams.set('profile_url', localProfileUrl(ctx.config.publicUrl, viewer.nickname));
    }
    return {
      id: page.href,
      nickname,
      fullname: known?.fullname ?? null,
      bio: known?.bio ?? null,
      handle: `${nickname}@${page.host}`,
      profileUrl: page.href,
      knownProfileId: known && !known.isLocal ? known.id : undefined,
      requestedAt: undefined,
      action: { kind: 'elsewhere', url: next.href },
    };
  },
};
