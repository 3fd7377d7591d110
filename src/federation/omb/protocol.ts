// OpenMicroBlogging 0.1 as one of the federation core's protocols.
import { NOTICE_DISTRIBUTE_JOB, PROFILE_DISTRIBUTE_JOB } from '../../domain/jobs.ts';
import type { FederationProtocol } from '../core.ts';
import { distributeNotice, distributeProfile } from './distribute.ts';
import { ombJobDefinitions } from './jobs.ts';
import { ombPages } from './pages.ts';
import { ombRemoteFollow } from './remote-follow.ts';
import { ombRoutes } from './routes.ts';

/** OMB's routes and pages, its way of finding people, its part of notice and profile distribution, and its delivery and clean-up jobs. */
export const ombProtocol: FederationProtocol = {
  name: 'omb',
  serverRoutes: ombRoutes,
  pages: ombPages,
  remoteFollow: ombRemoteFollow,
  distribute: { [NOTICE_DISTRIBUTE_JOB]: distributeNotice, [PROFILE_DISTRIBUTE_JOB]: distributeProfile },
  jobs: ombJobDefinitions,
};
