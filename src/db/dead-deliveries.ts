// Deliveries to other servers that failed for good, kept so that an admin can see and send them again.
import type { Knex } from 'knex';

export type DeadDelivery = {
  id: number;
  jobName: string;
  data: Record<string, unknown>;
  target: string;
  attempts: number;
  lastError: string;
  createdAt: Date;
  /** Set when it was not attempted because its host had been failing for days: it goes out when that host answers. */
  waitingForHost?: string | null;
};

/** Which dead deliveries a command is about: all, one by id, or those whose target is on one host. */
export type DeadDeliveryFilter = { id?: number; host?: string };

/** Keeps a failed delivery with its last error. */
export async function insertDeadDelivery(db: Knex, delivery: Omit<DeadDelivery, 'id' | 'createdAt'>): Promise<void> {
  await db('dead_deliveries').insert({
    job_name: delivery.jobName,
    data: JSON.stringify(delivery.data),
    target: delivery.target,
    attempts: delivery.attempts,
    last_error: delivery.lastError.slice(0, 2000),
    waiting_for_host: delivery.waitingForHost ?? null,
  });
}

/** Removes and returns the deliveries set aside while this host was failing, oldest first. */
export async function takeDeliveriesWaitingFor(db: Knex, host: string): Promise<DeadDelivery[]> {
  const rows = await db('dead_deliveries').where({ waiting_for_host: host }).delete().returning('*');
  return rows.map(toDeadDelivery).sort((a: DeadDelivery, b: DeadDelivery) => a.id - b.id);
}

function toDeadDelivery(row: Record<string, unknown>): DeadDelivery {
  return {
    id: Number(row.id),
    jobName: row.job_name as string,
    data: row.data as Record<string, unknown>,
    target: row.target as string,
    attempts: row.attempts as number,
    lastError: row.last_error as string,
    createdAt: row.created_at as Date,
    waitingForHost: (row.waiting_for_host as string | null) ?? null,
  };
}

function hostOf(url: string): string | undefined {
  try {
    return new URL(url).host.toLowerCase();
  } catch {
    return undefined;
  }
}

// The host test runs here rather than in SQL: URLs are parsed the way the delivery parsed them.
function matches(filter: DeadDeliveryFilter, delivery: DeadDelivery): boolean {
  if (filter.id !== undefined && delivery.id !== filter.id) return false;
  if (filter.host !== undefined) {
    const host = hostOf(delivery.target);
    const wanted = filter.host.toLowerCase();
    if (host !== wanted && host?.replace(/:\d+$/, '') !== wanted) return false;
  }
  return true;
}

/** The dead deliveries matching the filter, oldest first. */
export async function listDeadDeliveries(db: Knex, filter: DeadDeliveryFilter = {}): Promise<DeadDelivery[]> {
  const query = db('dead_deliveries').orderBy('id');
  if (filter.id !== undefined) query.where({ id: filter.id });
  return (await query).map(toDeadDelivery).filter((d: DeadDelivery) => matches(filter, d));
}

/** Removes and returns the dead deliveries matching the filter, oldest first (the caller re-queues them in the same transaction). */
export async function takeDeadDeliveries(db: Knex, filter: DeadDeliveryFilter = {}): Promise<DeadDelivery[]> {
  const wanted = await listDeadDeliveries(db, filter);
  if (wanted.length === 0) return [];
  const rows = await db('dead_deliveries').whereIn('id', wanted.map((d) => d.id)).delete().returning('*');
  return rows.map(toDeadDelivery).sort((a: DeadDelivery, b: DeadDelivery) => a.id - b.id);
}

/** Deletes the dead deliveries whose data contains these fields; returns how many. */
export async function deleteDeadDeliveriesWith(db: Knex, fields: Record<string, unknown>): Promise<number> {
  return db('dead_deliveries').whereRaw('data @> ?::jsonb', [JSON.stringify(fields)]).delete();
}
