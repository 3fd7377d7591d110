// ActivityPub as one of the federation core's protocols. Fedify and what depends on it (about 40 MB
// of a process's memory, measured by RSS) are loaded by the first request or job that needs them
// (loaded.ts): a web process that only serves pages does not carry them, nor does a site that
// knows nobody on ActivityPub (no part of a distribution job has anyone to send to there).
import express from 'express';
import type { NextFunction, Request, Response, Router } from 'express';
import type { JobHandler } from '../../domain/context.ts';
import { getApActorByProfileId, knowsApActors } from '../../db/ap-actors.ts';
import type { FederationContext } from '../context.ts';
import { DISTRIBUTION_JOBS } from '../core.ts';
import type { FederationProtocol } from '../core.ts';
import { apJobDefinitions } from './jobs.ts';
import { isActivityPubRequest } from './requests.ts';

const loaded = () => import('./loaded.ts');

// A router that builds the real one (from loaded.ts) for the first request it is to answer.
function lazyRouter(answers: (req: Request) => boolean, build: (parts: Awaited<ReturnType<typeof loaded>>) => Router): Router {
  let real: Promise<Router> | undefined;
  const router = express.Router();
  router.use((req: Request, res: Response, next: NextFunction) => {
    if (!answers(req)) return next();
    real ??= loaded().then(build);
    real.then((inner) => inner(req, res, next), next);
  });
  return router;
}

// Every recipient of an ActivityPub part is a remote actor we know (a follower, someone named,
// answered, liked, blocked or reported): while the site knows none, there is nothing to load.
let someActorKnown = false;
function lazyPart(job: string): JobHandler<FederationContext> {
  return async (ctx, data, attempt) => {
    someActorKnown ||= await knowsApActors(ctx.db);
    if (someActorKnown) await (await loaded()).distributeParts[job]!(ctx, data, attempt);
  };
}

/** ActivityPub's routes (WebFinger, NodeInfo, actors, inboxes), its way of finding people, its part of each distribution job (direct messages too), and its jobs. */
export const activityPubProtocol: FederationProtocol = {
  name: 'activitypub',
  serverRoutes: (ctx) => lazyRouter((req) => isActivityPubRequest(req.method, req.path, req.headers.accept), (parts) => parts.activityPubRouter(ctx)),
  remoteFollow: {
    preference: 0,
    find: async (ctx, input, viewer) => (await loaded()).apRemoteFollow.find(ctx, input, viewer),
  },
  distribute: Object.fromEntries(DISTRIBUTION_JOBS.map((job) => [job, lazyPart(job)])),
  // Only to an actor of ActivityPub's (the same test as direct-messages.ts makes, without Fedify).
  carriesMessagesTo: async (db, profileId) => (await getApActorByProfileId(db, profileId)) !== undefined,
  jobs: (config) =>
    apJobDefinitions(config, {
      deliver: async (ctx, data, attempt) => (await loaded()).deliverActivity(ctx, data, attempt),
      fetchParent: async (ctx, data, attempt) => (await loaded()).fetchParentNote(ctx, data, attempt),
    }),
};
