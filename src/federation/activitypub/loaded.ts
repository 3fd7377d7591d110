// What ActivityPub needs Fedify for, in one module that protocol.ts loads on first use (see there).
import { ACCOUNT_DELETE_JOB, BLOCK_DISTRIBUTE_JOB, FAVORITE_DISTRIBUTE_JOB, FAVORITE_RETRACT_JOB, MESSAGE_DISTRIBUTE_JOB, NOTICE_DISTRIBUTE_JOB, NOTICE_RETRACT_JOB, PROFILE_DISTRIBUTE_JOB, REPORT_FORWARD_JOB, SUBSCRIPTION_END_JOB } from '../../domain/jobs.ts';
import type { JobHandler } from '../../domain/context.ts';
import type { FederationContext } from '../context.ts';
import { distributeAccountDeleteWith } from './actor-delete.ts';
import { fetchParentNoteWith } from './ancestors.ts';
import { distributeBlockWith } from './block.ts';
import { deliverWith } from './deliver.ts';
import { distributeMessageWith } from './direct-messages.ts';
import { distributeDeleteWith, distributeNoteWith, distributePersonWith, distributeUnfollowWith } from './distribute.ts';
import { apFederationFor } from './federation.ts';
import { distributeFlagWith } from './flag.ts';
import { distributeLikeWith, distributeUndoLikeWith } from './likes.ts';

export { apRemoteFollow } from './remote-follow.ts';
export { activityPubRouter } from './router.ts';

/** ActivityPub's part of each distribution job. */
export const distributeParts: Readonly<Record<string, JobHandler<FederationContext>>> = {
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
};

/** The ap.deliver job. */
export const deliverActivity: JobHandler<FederationContext> = deliverWith(apFederationFor);

/** The ap.parent.fetch job. */
export const fetchParentNote: JobHandler<FederationContext> = fetchParentNoteWith(apFederationFor);
