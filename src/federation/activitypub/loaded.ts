// What ActivityPub needs Fedify for, in one module that protocol.ts loads on first use (see there).
import { NOTICE_DISTRIBUTE_JOB, NOTICE_RETRACT_JOB, PROFILE_DISTRIBUTE_JOB, SUBSCRIPTION_END_JOB } from '../../domain/jobs.ts';
import type { JobHandler } from '../../domain/context.ts';
import type { FederationContext } from '../context.ts';
import { deliverWith } from './deliver.ts';
import { distributeDeleteWith, distributeNoteWith, distributePersonWith, distributeUnfollowWith } from './distribute.ts';
import { apFederationFor } from './federation.ts';

export { activityPubPages } from './pages.ts';
export { activityPubRouter } from './router.ts';

/** ActivityPub's part of each distribution job. */
export const distributeParts: Readonly<Record<string, JobHandler<FederationContext>>> = {
  [NOTICE_DISTRIBUTE_JOB]: distributeNoteWith(apFederationFor),
  [PROFILE_DISTRIBUTE_JOB]: distributePersonWith(apFederationFor),
  [NOTICE_RETRACT_JOB]: distributeDeleteWith(apFederationFor),
  [SUBSCRIPTION_END_JOB]: distributeUnfollowWith(apFederationFor),
};

/** The ap.deliver job. */
export const deliverActivity: JobHandler<FederationContext> = deliverWith(apFederationFor);
