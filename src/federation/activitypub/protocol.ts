// ActivityPub as one of the federation core's protocols.
import { FAVORITE_DISTRIBUTE_JOB, FAVORITE_RETRACT_JOB, MESSAGE_DISTRIBUTE_JOB, NOTICE_DISTRIBUTE_JOB, NOTICE_RETRACT_JOB, PROFILE_DISTRIBUTE_JOB, SUBSCRIPTION_END_JOB } from '../../domain/jobs.ts';
import type { FederationProtocol } from '../core.ts';
import { carriesMessagesTo, distributeMessageWith } from './direct-messages.ts';
import { ACCOUNT_DELETE_JOB, BLOCK_DISTRIBUTE_JOB, REPORT_FORWARD_JOB } from '../../domain/jobs.ts';
import { distributeAccountDeleteWith } from './actor-delete.ts';
import { distributeBlockWith } from './block.ts';
import { distributeFlagWith } from './flag.ts';
import { distributeDeleteWith, distributeNoteWith, distributePersonWith, distributeUnfollowWith } from './distribute.ts';
import { apFederationFor } from './federation.ts';
import { apJobDefinitions } from './jobs.ts';
import { distributeLikeWith, distributeUndoLikeWith } from './likes.ts';
import { apRemoteFollow } from './remote-follow.ts';
import { activityPubRouter } from './router.ts';

/** ActivityPub's routes (WebFinger, NodeInfo, actors, inboxes), its way of finding people, its part of each distribution job (direct messages too), and its jobs. */
export const activityPubProtocol: FederationProtocol = {
  name: 'activitypub',
  serverRoutes: activityPubRouter,
  remoteFollow: apRemoteFollow,
  distribute: {
    [NOTICE_DISTRIBUTE_JOB]: distributeNoteWith(apFederationFor),
    [PROFILE_DISTRIBUTE_JOB]: distributePersonWith(apFederationFor),
    [NOTICE_RETRACT_JOB]: distributeDeleteWith(apFederationFor),
    [SUBSCRIPTION_END_JOB]: distributeUnfollowWith(apFederationFor),
    [MESSAGE_DISTRIBUTE_JOB]: distributeMessageWith(apFederationFor),
    [FAVORITE_DISTRIBUTE_JOB]: distributeLikeWith(apFederationFor),
    [FAVORITE_RETRACT_JOB]: distributeUndoLikeWith(apFederationFor),
    [BLOCK_DISTRIBUTE_JOB]: distributeBlockWith(apFederationFor),
    [ACCOUNT_DELETE_JOB]: distributeAccountDeleteWith(apFederationFor),
    [REPORT_FORWARD_JOB]: distributeFlagWith(apFederationFor),
  },
  carriesMessagesTo,
  jobs: apJobDefinitions,
};
