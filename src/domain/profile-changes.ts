// What happens after a local profile changes: other servers that listen are told.
import type { Db, DomainContext } from './context.ts';
import { PROFILE_DISTRIBUTE_JOB } from './jobs.ts';

/** Queues the distribution of a local profile's current fields; call it in the transaction that saved them. */
export async function profileChanged(ctx: DomainContext, trx: Db, profileId: number): Promise<void> {
  await ctx.jobs.send(trx, PROFILE_DISTRIBUTE_JOB, { profileId });
}
