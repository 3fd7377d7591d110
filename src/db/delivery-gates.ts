// What a delivery reads before it sends, in one round trip: whether a block suspends the target's
// server, the target host's failure streak and, for OMB, the listeners behind the endpoint. Read
// one by one they were three or four queries per delivery, each a round trip that cost the server
// and Postgres more CPU than the lookup itself (issue 11); OMB deliveries that start together (a
// claimed batch) also read their gates together.
import type { Knex } from 'knex';
import { toStreak } from './delivery-hosts.ts';
import type { HostStreak } from './delivery-hosts.ts';
import { toListener } from './omb-listeners.ts';
import type { RemoteListener } from './omb-listeners.ts';
import { tickBatcher } from './tick-batch.ts';

/** Where a delivery goes: its host (as delivery_hosts keys it) and the keys a domain block of its server would have. */
export type GateTarget = { host: string | undefined; blockKeys: readonly string[] };

/** What the gate read: whether the target's server is suspended here, and the host's failure streak (undefined when it answered last). */
export type GateRead = { suspended: boolean; streak: HostStreak | undefined };

// One row whatever exists: the block's severity and the streak's columns, null when there are none.
const GATE = `SELECT (SELECT b.severity FROM domain_blocks b WHERE b.host = ANY(:blockKeys::text[]) ORDER BY b.severity = 'suspend' DESC LIMIT 1) AS gate_severity,
    h.host AS gate_host, h.failing_since AS gate_failing_since, h.failures AS gate_failures, h.last_attempt_at AS gate_last_attempt_at, h.last_error AS gate_last_error
  FROM (SELECT 1) AS one LEFT JOIN delivery_hosts h ON h.host = :host`;

function gateOf(row: Record<string, unknown> | undefined): GateRead {
  const streak =
    row?.gate_host == null
      ? undefined
      : toStreak({ host: row.gate_host, failing_since: row.gate_failing_since, failures: row.gate_failures, last_attempt_at: row.gate_last_attempt_at, last_error: row.gate_last_error });
  return { suspended: row?.gate_severity === 'suspend', streak };
}

/** The block and host streak of a delivery's target, in one query. */
export async function readDeliveryGate(db: Knex, target: GateTarget): Promise<GateRead> {
  const result = await db.raw(GATE, { blockKeys: [...target.blockKeys], host: target.host ?? null });
  return gateOf(result.rows[0]);
}

/** Which listeners an OMB delivery is for: those of `subscribedId` at `url`, of `subscriberIds` only when given. */
export type ListenersAt = { subscribedId: number; url: string; kind: 'notice' | 'profile'; subscriberIds: readonly number[] | undefined };

/** What an OMB delivery's gate read: the block and streak, and the listeners still to be sent to. */
export type OmbGateRead = GateRead & { listeners: RemoteListener[] };

// The gate of each OMB delivery asked for (one row per target and listener, or one with no
// listener): the targets travel as one JSON parameter, in their order (i). The listeners come
// from two branches, of which each target runs one, so that a notice's listeners are found by the
// primary key and only a profile update reads all of its author's (an OR would read them all for
// every notice); no listener while the author is suspended.
const OMB_GATES = `SELECT t.i,
    (SELECT b.severity FROM domain_blocks b WHERE b.host = ANY(t.block_keys) ORDER BY b.severity = 'suspend' DESC LIMIT 1) AS gate_severity,
    h.host AS gate_host, h.failing_since AS gate_failing_since, h.failures AS gate_failures, h.last_attempt_at AS gate_last_attempt_at, h.last_error AS gate_last_error,
    l.*
  FROM json_to_recordset(:targets::json) AS t(i int, host text, block_keys text[], subscribed_id bigint, url text, notice boolean, subscriber_ids bigint[])
  LEFT JOIN delivery_hosts h ON h.host = t.host
  LEFT JOIN LATERAL (
    SELECT l.* FROM omb_remote_listeners l
     WHERE t.subscriber_ids IS NOT NULL AND l.subscriber_id = ANY(t.subscriber_ids) AND l.subscribed_id = t.subscribed_id
    UNION ALL
    SELECT l.* FROM omb_remote_listeners l
     WHERE t.subscriber_ids IS NULL AND l.subscribed_id = t.subscribed_id
  ) AS l ON (CASE WHEN t.notice THEN l.postnotice_url ELSE l.updateprofile_url END) = t.url
        AND (SELECT author.suspended_at IS NULL FROM profiles author WHERE author.id = t.subscribed_id)
  ORDER BY t.i, l.subscriber_id`;

type OmbGateAsk = { target: GateTarget; at: ListenersAt };

async function readOmbGates(db: Knex, asks: OmbGateAsk[]): Promise<OmbGateRead[]> {
  const targets = asks.map(({ target, at }, i) => ({
    i,
    host: target.host ?? null,
    block_keys: target.blockKeys,
    subscribed_id: at.subscribedId,
    url: at.url,
    notice: at.kind === 'notice',
    subscriber_ids: at.subscriberIds ?? null,
  }));
  const result = await db.raw(OMB_GATES, { targets: JSON.stringify(targets) });
  const rowsOf: Record<string, unknown>[][] = asks.map(() => []);
  for (const row of result.rows as Record<string, unknown>[]) rowsOf[row.i as number]!.push(row);
  return rowsOf.map((rows) => ({ ...gateOf(rows[0]), listeners: rows.filter((row) => row.subscriber_id != null).map(toListener) }));
}

// One reader per database handle: the gates asked for in one turn (a claimed batch of deliveries,
// and any other batch starting then) are read in one query.
const readers = new WeakMap<Knex, (ask: OmbGateAsk) => Promise<OmbGateRead>>();

/** The gate of an OMB delivery and the listeners behind its endpoint still to be sent to, read with those of the deliveries starting at the same time. */
export function readOmbDeliveryGate(db: Knex, target: GateTarget, at: ListenersAt): Promise<OmbGateRead> {
  if (at.subscriberIds?.length === 0) return Promise.resolve({ suspended: false, streak: undefined, listeners: [] }); // nobody to send to: nothing to check
  let read = readers.get(db);
  if (!read) {
    read = tickBatcher((asks: OmbGateAsk[]) => readOmbGates(db, asks));
    readers.set(db, read);
  }
  return read({ target, at });
}
