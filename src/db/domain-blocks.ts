// Servers the site blocks, and the remote profiles that live on them.
import type { Knex } from 'knex';

export type DomainSeverity = 'suspend' | 'silence';

export type DomainBlock = { host: string; severity: DomainSeverity; note: string; createdAt: Date };

function toDomainBlock(row: Record<string, unknown>): DomainBlock {
  return { host: row.host as string, severity: row.severity as DomainSeverity, note: row.note as string, createdAt: row.created_at as Date };
}

/** Records a block; undefined when that host is already blocked. */
export async function insertDomainBlock(db: Knex, block: { host: string; severity: DomainSeverity; note: string; createdBy: number | null }): Promise<DomainBlock | undefined> {
  const rows = await db('domain_blocks')
    .insert({ host: block.host, severity: block.severity, note: block.note, created_by: block.createdBy })
    .onConflict('host')
    .ignore()
    .returning('*');
  return rows[0] ? toDomainBlock(rows[0]) : undefined;
}

/** Removes a block and returns it, or undefined when the host was not blocked. */
export async function deleteDomainBlock(db: Knex, host: string): Promise<DomainBlock | undefined> {
  const rows = await db('domain_blocks').where({ host }).delete().returning('*');
  return rows[0] ? toDomainBlock(rows[0]) : undefined;
}

/** Every block, by host. */
export async function listDomainBlocks(db: Knex): Promise<DomainBlock[]> {
  return (await db('domain_blocks').orderBy('host')).map(toDomainBlock);
}

/** The strictest block among these keys (a host, its parent domains, host:port), through the primary key. */
export async function findDomainBlock(db: Knex, keys: readonly string[]): Promise<DomainBlock | undefined> {
  if (keys.length === 0) return undefined;
  const row = await db('domain_blocks').whereIn('host', keys).orderByRaw("severity = 'suspend' DESC").first();
  return row ? toDomainBlock(row) : undefined;
}

// The host (with port) of a remote profile's identifier and of its profile page, lower case. The
// pattern's question marks are escaped for knex, which would read them as bindings.
const HOST_PATTERN = "'^https?://(?:[^/?#@]*@)?([^/?#]+)'".replace(/\?/g, '\\?');
const HOST_OF = (column: string) => `lower(substring(${column} from ${HOST_PATTERN}))`;

// A remote profile is on `host` when its identifier or profile page is on that host:port, or (for
// a host without a port) on that host or a subdomain of it, on any port.
const ON_HOST = ['p.uri', 'p.profile_url']
  .map((column) => {
    const hostPort = HOST_OF(column);
    const name = `split_part(${hostPort}, ':', 1)`;
    return `${hostPort} = :host OR (strpos(:host, ':') = 0 AND (${name} = :host OR right(${name}, length(:host) + 1) = '.' || :host))`;
  })
  .join(' OR ');

/**
 * Marks the remote profiles on a host suspended or silenced at the block's time, those not already
 * so; returns the ids of all the host's profiles. Reads every remote profile: a rare admin action.
 */
export async function moderateProfilesOnHost(db: Knex, host: string, severity: DomainSeverity, at: Date): Promise<number[]> {
  const column = severity === 'suspend' ? 'suspended_at' : 'silenced_at';
  const result = await db.raw(
    `WITH on_host AS (SELECT p.id FROM profiles p WHERE NOT p.is_local AND (${ON_HOST})),
     marked AS (UPDATE profiles SET ${column} = :at WHERE id IN (SELECT id FROM on_host) AND ${column} IS NULL)
     SELECT id FROM on_host`,
    { host, at },
  );
  return result.rows.map((row: { id: number }) => Number(row.id));
}

/** Lifts what a block did to the profiles on its host: only the marks it made itself (same time). */
export async function releaseProfilesOnHost(db: Knex, block: DomainBlock): Promise<number> {
  const column = block.severity === 'suspend' ? 'suspended_at' : 'silenced_at';
  const result = await db.raw(`UPDATE profiles p SET ${column} = NULL WHERE NOT p.is_local AND p.${column} = :at AND (${ON_HOST})`, { host: block.host, at: block.createdAt });
  return result.rowCount as number;
}

/** Marks one new remote profile as a block of its host had marked it. */
export async function markProfileLikeHost(db: Knex, profileId: number, block: DomainBlock): Promise<void> {
  const column = block.severity === 'suspend' ? 'suspended_at' : 'silenced_at';
  await db('profiles').where({ id: profileId }).update({ [column]: block.createdAt });
}
