// The protocol seam. The domain decides once what happened (a new local notice, a changed profile)
// and queues a protocol-neutral job; the core handles each such job name once and hands it to
// every protocol in turn. Each protocol also brings its routes and its own delivery jobs.
//
// Adding a protocol takes a few lines: describe it in its own module, e.g.
//
//   // src/federation/activitypub/protocol.ts
//   export const activityPubProtocol: FederationProtocol = {
//     name: 'activitypub',
//     serverRoutes: (ctx) => activityPubRoutes(ctx),      // inbox, WebFinger, NodeInfo, actor JSON
//     pages: (ctx) => activityPubPages(ctx),              // optional: forms people use
//     distribute: {
//       [NOTICE_DISTRIBUTE_JOB]: queueNoteDeliveries,      // ctx.db is the core's transaction
//       [PROFILE_DISTRIBUTE_JOB]: queuePersonUpdates,
//     },
//     jobs: (config) => ({ 'activitypub.deliver': { handler: deliverActivity, retryLimit: 20, retryDelaySeconds: 60 } }),
//   };
//
// and list it in src/federation/protocols.ts. The core imports no protocol (a lint rule keeps it
// so), and protocols never import each other.
//
// The rules a protocol follows:
// - serverRoutes answer other servers. They are mounted before the browser stack (no form
//   parsing, session, upload, CSRF or current user): parse your own bodies, answer only your own
//   paths and content types, call next() for anything else. Errors thrown there are answered as
//   short plain text.
// - pages are what people see in a browser (forms, redirects); they are mounted behind the
//   session, CSRF check and current user, before the site's own pages.
// - A distribute part runs inside one transaction shared by all protocols (ctx.db is that
//   transaction): read what you need and queue one delivery job per target with ctx.jobs.send,
//   and never make an HTTP request there. If any part throws, no part's jobs are kept and the
//   whole job is retried, so every protocol queues its deliveries exactly once.
// - Job names are global: a protocol's jobs must not reuse the core's or another module's names
//   (the registry refuses a duplicate at start-up). Prefix them with the protocol's name.
import type { Router } from 'express';
import type { Config } from '../config.ts';
import type { JobHandler } from '../domain/context.ts';
import { FAVORITE_DISTRIBUTE_JOB, FAVORITE_RETRACT_JOB, MESSAGE_DISTRIBUTE_JOB, NOTICE_DISTRIBUTE_JOB, NOTICE_RETRACT_JOB, PROFILE_DISTRIBUTE_JOB, SUBSCRIPTION_END_JOB } from '../domain/jobs.ts';
import type { MessageReach } from '../domain/message-recipients.ts';
import { ACCOUNT_DELETE_JOB, BLOCK_DISTRIBUTE_JOB, REPORT_FORWARD_JOB } from '../domain/jobs.ts';
import type { JobDefinition } from '../jobs/queue.ts';
import type { FederationContext } from './context.ts';
import { withDatabase } from './context.ts';
import type { RemoteFollowFinder } from './remote-follow.ts';
import { remoteFollowPages } from './remote-follow-pages.ts';

/** The protocol-neutral jobs the domain queues and the core hands to every protocol. */
export const DISTRIBUTION_JOBS = [
  NOTICE_DISTRIBUTE_JOB,
  PROFILE_DISTRIBUTE_JOB,
  NOTICE_RETRACT_JOB,
  SUBSCRIPTION_END_JOB,
  MESSAGE_DISTRIBUTE_JOB,
  FAVORITE_DISTRIBUTE_JOB,
  FAVORITE_RETRACT_JOB,
  BLOCK_DISTRIBUTE_JOB,
  ACCOUNT_DELETE_JOB,
  REPORT_FORWARD_JOB,
] as const;

/** One of DISTRIBUTION_JOBS. */
export type DistributionJob = (typeof DISTRIBUTION_JOBS)[number];

/** What a protocol plugs into the core (every part is optional). */
export type FederationProtocol = {
  /** A short name, unique among protocols ('omb', 'activitypub'). */
  readonly name: string;
  /** Server-to-server routes, mounted before the browser stack. */
  readonly serverRoutes?: (ctx: FederationContext) => Router;
  /** Browser pages of the protocol, mounted behind the session, CSRF check and current user. */
  readonly pages?: (ctx: FederationContext) => Router;
  /** Its part of each distribution job: queue its own per-target delivery jobs. */
  readonly distribute?: Readonly<Partial<Record<DistributionJob, JobHandler<FederationContext>>>>;
  /** Finding people by handle or profile address for "Subscribe to someone on another server". */
  readonly remoteFollow?: RemoteFollowFinder;
  /** Whether it can carry a direct message to this remote profile privately (a protocol without private messages leaves it out). */
  readonly carriesMessagesTo?: MessageReach;
  /** Its own background jobs (deliveries, clean-ups), by name. */
  readonly jobs?: (config: Config) => Readonly<Record<string, JobDefinition<FederationContext>>>;
};

function checkNames(protocols: readonly FederationProtocol[]): void {
  const seen = new Set<string>();
  for (const { name } of protocols) {
    if (seen.has(name)) throw new Error(`The federation protocol "${name}" is registered twice.`);
    seen.add(name);
  }
}

// All protocols' parts in one transaction: a failure in one leaves no half-queued deliveries of
// another behind, so the retry does not send anything twice.
function distributionHandler(job: DistributionJob, protocols: readonly FederationProtocol[]): JobHandler<FederationContext> {
  const parts = protocols.flatMap((protocol) => {
    const part = protocol.distribute?.[job];
    return part ? [part] : [];
  });
  return async (ctx, data, attempt) => {
    if (parts.length === 0) return;
    await ctx.db.transaction(async (trx) => {
      const inTransaction = withDatabase(ctx, trx);
      for (const part of parts) await part(inTransaction, data, attempt);
    });
  };
}

/** The core's job definitions: one per distribution job, calling each protocol's part in turn. */
export function distributionJobDefinitions(protocols: readonly FederationProtocol[]): Record<string, JobDefinition<FederationContext>> {
  checkNames(protocols);
  return Object.fromEntries(DISTRIBUTION_JOBS.map((job) => [job, { handler: distributionHandler(job, protocols), retryLimit: 10, retryDelaySeconds: 5 }]));
}

/** Every protocol's own job tables, in protocol order (the registry merges them and refuses duplicates). */
export function protocolJobTables(protocols: readonly FederationProtocol[], config: Config): Readonly<Record<string, JobDefinition<FederationContext>>>[] {
  return protocols.map((protocol) => protocol.jobs?.(config) ?? {});
}

/** The server-to-server routers of every protocol, in protocol order. */
export function serverRouters(protocols: readonly FederationProtocol[], ctx: FederationContext): Router[] {
  checkNames(protocols);
  return protocols.flatMap((protocol) => (protocol.serverRoutes ? [protocol.serverRoutes(ctx)] : []));
}

/** The browser-page routers of every protocol, in protocol order, then the "another server" form they share. */
export function pageRouters(protocols: readonly FederationProtocol[], ctx: FederationContext): Router[] {
  const own = protocols.flatMap((protocol) => (protocol.pages ? [protocol.pages(ctx)] : []));
  return protocols.some((protocol) => protocol.remoteFollow) ? [...own, remoteFollowPages(protocols, ctx)] : own;
}

/** Whether any protocol can carry a direct message to a remote profile: what the domain asks before accepting one for them. */
export function messageReachOf(protocols: readonly FederationProtocol[]): MessageReach {
  const carriers = protocols.flatMap((protocol) => (protocol.carriesMessagesTo ? [protocol.carriesMessagesTo] : []));
  return async (db, profileId) => {
    for (const carries of carriers) if (await carries(db, profileId)) return true;
    return false;
  };
}
