// NodeInfo 2.1: what software this is, which protocols it speaks, and how big the site is.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Federation } from '@fedify/fedify';
import type { DomainContext } from '../../domain/context.ts';
import { siteUsage } from '../../domain/site-stats.ts';
import { NODEINFO_PATH } from './paths.ts';

// The version people run is the one in package.json, read once.
const VERSION = (JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../../../package.json'), 'utf8')) as { version: string }).version;

/** Registers the NodeInfo document (Fedify also serves /.well-known/nodeinfo pointing to it). */
export function registerNodeInfo(federation: Federation<DomainContext>): void {
  federation.setNodeInfoDispatcher(NODEINFO_PATH, async (ctx) => {
    const usage = await siteUsage(ctx.data);
    return {
      software: { name: 'ostrakon', version: VERSION },
      // OMB 0.1 is not among NodeInfo's protocol names; only ActivityPub is listed.
      protocols: ['activitypub'],
      usage: { users: { total: usage.users }, localPosts: usage.localNotices, localComments: 0 },
      openRegistrations: ctx.data.config.registration === 'open',
    };
  });
}
