// The tag cloud: tags of recent notices, sized by how often and how recently they were used.
import { listRecentTags } from '../db/tag-cloud.ts';
import type { DomainContext } from './context.ts';

/** How many of the newest notices, and how many days back, the cloud looks at. */
export const CLOUD_WINDOW = { recent: 2000, days: 30, halfLifeDays: 7, limit: 100 };
/** Sizes run from 1 (least used) to this. */
export const CLOUD_SIZES = 5;

export type CloudTag = { tag: string; uses: number; size: number };

/** The cloud's tags in alphabetical order, each with a size from 1 to CLOUD_SIZES. */
export async function tagCloud(ctx: DomainContext): Promise<CloudTag[]> {
  const tags = await listRecentTags(ctx.db, CLOUD_WINDOW);
  const heaviest = Math.max(0, ...tags.map((t) => t.weight));
  // A logarithmic scale: one very popular tag should not shrink all the others to the smallest size.
  const sizeOf = (weight: number) => (heaviest <= 0 ? 1 : 1 + Math.round(((CLOUD_SIZES - 1) * Math.log1p(weight)) / Math.log1p(heaviest)));
  return tags
    .map((t) => ({ tag: t.tag, uses: t.uses, size: Math.min(CLOUD_SIZES, Math.max(1, sizeOf(t.weight))) }))
    .sort((a, b) => (a.tag < b.tag ? -1 : a.tag > b.tag ? 1 : 0));
}
