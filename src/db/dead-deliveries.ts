// Deliveries to other servers that failed for good, kept so that an admin can send them again.
import type { Knex } from 'knex';

export type DeadDelivery = { id: number; jobName: string; data: Record<string, unknown>; target: string; attempts: number; lastError: string; createdAt: Date };

/** Keeps a failed delivery with its last error. */
export async function insertDeadDelivery(db: Knex, delivery: Omit<DeadDelivery, 'id' | 'createdAt'>): Promise<void> {
  await db('dead_deliveries').insert({
    job_name: delivery.jobName,
    data: JSON.stringify(delivery.data),
    target: delivery.target,
    attempts: delivery.attempts,
    last_error: delivery.lastError.slice(0, 2000),
  });
}

/** Removes and returns every dead delivery, oldest first (the caller re-queues them in the same transaction). */
export async function takeDeadDeliveries(db: Knex): Promise<DeadDelivery[]> {
  const rows = await db('dead_deliveries').delete().returning('*');
  return rows
    .map((row: Record<string, unknown>) => ({
      id: row.id as number,
      jobName: row.job_name as string,
      data: row.data as Record<string, unknown>,
      target: row.target as string,
      attempts: row.attempts as number,
      lastError: row.last_error as string,
      createdAt: row.created_at as Date,
    }))
    .sort((a: DeadDelivery, b: DeadDelivery) => a.id - b.id);
}

/** Deletes the dead deliveries whose data contains these fields; returns how many. */
export async function deleteDeadDeliveriesWith(db: Knex, fields: Record<string, unknown>): Promise<number> {
  return db('dead_deliveries').whereRaw('data @> ?::jsonb', [JSON.stringify(fields)]).delete();
}
