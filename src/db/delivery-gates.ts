// What a delivery reads before it sends, in one round trip: whether a block suspends the target's
// server, the target host's failure streak and, for OMB, the listeners behind the endpoint. Read
// one by one they were three or four queries per delivery, each a round trip that cost the server
// and Postgres more CPU than the lookup itself (issue 11).
import type { Knex } from 'knex';
import { toStreak } from './delivery-hosts.ts';
import type { HostStreak } from './delivery-hosts.ts';
import { toListener } from './omb-listeners.ts';
import type { RemoteListener } from './omb-listeners.ts';

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

// The listeners of a local user who is not suspended, at one endpoint (notices or profile updates).
const LISTENERS = (column: 'postnotice_url' | 'updateprofile_url', some: boolean) =>
  `SELECT l.* FROM omb_remote_listeners l JOIN profiles p ON p.id = l.subscribed_id
    WHERE p.suspended_at IS NULL AND l.subscribed_id = :subscribedId AND l.${column} = :url${some ? ' AND l.subscriber_id = ANY(:subscriberIds::bigint[])' : ''}`;

/** The gate of an OMB delivery and the listeners behind its endpoint still to be sent to, in one query. */
export async function readOmbDeliveryGate(db: Knex, target: GateTarget, at: ListenersAt): Promise<GateRead & { listeners: RemoteListener[] }> {
  if (at.subscriberIds?.length === 0) return { suspended: false, streak: undefined, listeners: [] }; // nobody to send to: nothing to check
  const listeners = LISTENERS(at.kind === 'notice' ? 'postnotice_url' : 'updateprofile_url', at.subscriberIds !== undefined);
  const result = await db.raw(`SELECT g.*, l.* FROM (${GATE}) AS g LEFT JOIN (${listeners}) AS l ON true ORDER BY l.subscriber_id`, {
    blockKeys: [...target.blockKeys],
    host: target.host ?? null,
    subscribedId: at.subscribedId,
    url: at.url,
    subscriberIds: at.subscriberIds ? [...at.subscriberIds] : null,
  });
  const rows = result.rows as Record<string, unknown>[];
  return { ...gateOf(rows[0]), listeners: rows.filter((row) => row.subscriber_id != null).map(toListener) };
}
