// ActivityPub as one of the federation core's protocols.
import { FAVORITE_DISTRIBUTE_JOB, FAVORITE_RETRACT_JOB, NOTICE_DISTRIBUTE_JOB, NOTICE_RETRACT_JOB, PROFILE_DISTRIBUTE_JOB, SUBSCRIPTION_END_JOB } from '../../domain/jobs.ts';
import type { FederationProtocol } from '../core.ts';
import { distributeDeleteWith, distributeNoteWith, distributePersonWith, distributeUnfollowWith } from './distribute.ts';
import { apFederationFor } from './federation.ts';
import { apJobDefinitions } from './jobs.ts';
import { distributeLikeWith, distributeUndoLikeWith } from './likes.ts';
import { activityPubPages } from './pages.ts';
import { activityPubRouter } from './router.ts';

/** ActivityPub's routes (WebFinger, NodeInfo, actors, inboxes), its form, its part of each distribution job, and its jobs. */
export const activityPubProtocol: FederationProtocol = {
  name: 'activitypub',
  serverRoutes: activityPubRouter,
  pages: activityPubPages,
  distribute: {
    [NOTICE_DISTRIBUTE_JOB]: distributeNoteWith(apFederationFor),
    [PROFILE_DISTRIBUTE_JOB]: distributePersonWith(apFederationFor),
    [NOTICE_RETRACT_JOB]: distributeDeleteWith(apFederationFor),
    [SUBSCRIPTION_END_JOB]: distributeUnfollowWith(apFederationFor),
    [FAVORITE_DISTRIBUTE_JOB]: distributeLikeWith(apFederationFor),
    [FAVORITE_RETRACT_JOB]: distributeUndoLikeWith(apFederationFor),
  },
  jobs: apJobDefinitions,
};
