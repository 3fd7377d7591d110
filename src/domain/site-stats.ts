// Counts other servers may ask for: the site's usage, a local person's notices and subscriptions.
import { countProfileStats, getLocalProfileByNickname } from '../db/profiles.ts';
import type { ProfileCounts } from '../db/profiles.ts';
import { countSite } from '../db/site-stats.ts';
import type { SiteCounts } from '../db/site-stats.ts';
import type { DomainContext } from './context.ts';

export type { ProfileCounts, SiteCounts };

/** How many users and local notices the site has. */
export function siteUsage(ctx: DomainContext): Promise<SiteCounts> {
  return countSite(ctx.db);
}

/** A local person's counts, or undefined when there is nobody by that nickname. */
export async function localProfileCounts(ctx: DomainContext, nickname: string): Promise<ProfileCounts | undefined> {
  const profile = await getLocalProfileByNickname(ctx.db, nickname);
  return profile ? countProfileStats(ctx.db, profile.id) : undefined;
}
