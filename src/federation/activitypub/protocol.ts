// ActivityPub as one of the federation core's protocols. Fedify and what depends on it (about 40 MB
// of a process's memory, measured by RSS) are loaded by the first request or job that needs them
// (loaded.ts): a site nobody reaches over ActivityPub never loads them, and a web process that only
// serves pages does not carry them.
import express from 'express';
import type { NextFunction, Request, Response, Router } from 'express';
import { NOTICE_DISTRIBUTE_JOB, NOTICE_RETRACT_JOB, PROFILE_DISTRIBUTE_JOB, SUBSCRIPTION_END_JOB } from '../../domain/jobs.ts';
import type { JobHandler } from '../../domain/context.ts';
import type { FederationContext } from '../context.ts';
import type { FederationProtocol } from '../core.ts';
import { apJobDefinitions } from './jobs.ts';
import { hasApFollowers, isApActor } from '../../db/ap-actors.ts';
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

// A distribute part loads Fedify only when someone on an ActivityPub server is concerned.
function lazyPart(job: string, concerned: (ctx: FederationContext, data: Record<string, unknown>) => Promise<boolean>): JobHandler<FederationContext> {
  return async (ctx, data, attempt) => {
    if (await concerned(ctx, data)) await (await loaded()).distributeParts[job]!(ctx, data, attempt);
  };
}

const followersOfNotice = (ctx: FederationContext, data: Record<string, unknown>) => hasApFollowers(ctx.db, { noticeId: Number(data.noticeId) });
const followersOf = (field: string) => (ctx: FederationContext, data: Record<string, unknown>) => hasApFollowers(ctx.db, { profileId: Number(data[field]) });

/** ActivityPub's routes (WebFinger, NodeInfo, actors, inboxes), its form, its part of each distribution job, and its jobs. */
export const activityPubProtocol: FederationProtocol = {
  name: 'activitypub',
  serverRoutes: (ctx) => lazyRouter((req) => isActivityPubRequest(req.method, req.path, req.headers.accept), (parts) => parts.activityPubRouter(ctx)),
  pages: (ctx) => lazyRouter((req) => req.path === '/main/follow', (parts) => parts.activityPubPages(ctx)),
  distribute: {
    [NOTICE_DISTRIBUTE_JOB]: lazyPart(NOTICE_DISTRIBUTE_JOB, followersOfNotice),
    [PROFILE_DISTRIBUTE_JOB]: lazyPart(PROFILE_DISTRIBUTE_JOB, followersOf('profileId')),
    // A deleted notice is gone: its author's followers are asked instead.
    [NOTICE_RETRACT_JOB]: lazyPart(NOTICE_RETRACT_JOB, followersOf('authorId')),
    [SUBSCRIPTION_END_JOB]: lazyPart(SUBSCRIPTION_END_JOB, (ctx, data) => isApActor(ctx.db, Number(data.subscribedId))),
  },
  jobs: (config) => apJobDefinitions(config, async (ctx, data, attempt) => (await loaded()).deliverActivity(ctx, data, attempt)),
};
