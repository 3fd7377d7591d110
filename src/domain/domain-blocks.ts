// Cutting off a hostile server: a suspended domain's people lose their subscriptions and content
// here, its requests are refused (OMB and ActivityPub), nothing is delivered to it, and new people
// from it are refused; a silenced domain's people stay off public pages. A block covers the host's
// subdomains; "host:port" blocks one port only. Admins do it on /admin/domains or with the command
// line; every change is in the audit log.
import { HttpError, NotFoundError, ValidationError } from '../errors.ts';
import { deleteDomainBlock, findDomainBlock, insertDomainBlock, listDomainBlocks, markProfileLikeHost, moderateProfilesOnHost, releaseProfilesOnHost } from '../db/domain-blocks.ts';
import type { DomainBlock, DomainSeverity } from '../db/domain-blocks.ts';
import { insertLogEntry } from '../db/moderation.ts';
import { deleteRemoteNoticesOf, deleteRemoteSubscriptionsOf } from '../db/remote-purge.ts';
import type { Db, DomainContext } from './context.ts';
import { cleanNote } from './moderation.ts';

export type { DomainBlock, DomainSeverity };

/** Who blocks: an admin signed in, or the site's operator at the command line. */
export type BlockingActor = { id: number | null; nickname: string };

/** The severities, with the words the admin page shows. */
export const DOMAIN_SEVERITIES: Readonly<Record<DomainSeverity, string>> = {
  suspend: 'Suspend: refuse everything from it, end subscriptions, remove its content',
  silence: 'Silence: keep its people’s notices off public pages',
};

/** A host as blocks store it (lower case, with a port only when one is given), from what an admin typed: a host, host:port or a URL. */
export function normalizeHost(raw: string): string {
  const text = raw.trim().toLowerCase().replace(/\.$/, '');
  const problem = { host: 'Type a host name such as spam.example (a URL works too).' };
  if (text === '' || text.length > 253 || /[\s/?#@\\]/.test(text.replace(/^https?:\/\//, '').replace(/\/$/, ''))) throw new ValidationError(problem);
  let url: URL;
  try {
    url = new URL(/^https?:\/\//.test(text) ? text : `http://${text}`);
  } catch {
    throw new ValidationError(problem);
  }
  if (url.hostname === '' || url.username || url.password || url.pathname !== '/' || url.search || url.hash) throw new ValidationError(problem);
  return url.host;
}

// The host of an http(s) URL or the authority of a tag: URI, or undefined.
function hostOf(uri: string): { host: string; hostname: string } | undefined {
  const tag = /^tag:(?:[^,@\s]*@)?([^,\s]+),/i.exec(uri);
  if (tag) return { host: tag[1]!.toLowerCase(), hostname: tag[1]!.toLowerCase() };
  try {
    const url = new URL(uri);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
    return { host: url.host, hostname: url.hostname };
  } catch {
    return undefined;
  }
}

/** The block keys that cover a URI: its host:port, its host and each parent domain (an IP address only as itself). */
export function blockKeysOf(uri: string): string[] {
  const found = hostOf(uri);
  if (!found) return [];
  const keys = new Set([found.host, found.hostname]);
  const isAddress = /^\d{1,3}(\.\d{1,3}){3}$/.test(found.hostname) || found.hostname.startsWith('[');
  if (!isAddress) {
    const labels = found.hostname.split('.');
    for (let i = 1; i < labels.length; i++) keys.add(labels.slice(i).join('.'));
  }
  return [...keys];
}

/** The block that covers the server of this URI, if any (one primary-key lookup). */
export function domainBlockOf(db: Db, uri: string | null | undefined): Promise<DomainBlock | undefined> {
  return uri ? findDomainBlock(db, blockKeysOf(uri)) : Promise.resolve(undefined);
}

/** The strictest block covering the server of any of these URIs, in one lookup. */
export function domainBlockOfAny(db: Db, uris: readonly (string | null | undefined)[]): Promise<DomainBlock | undefined> {
  return findDomainBlock(db, [...new Set(uris.flatMap((uri) => (uri ? blockKeysOf(uri) : [])))]);
}

/** Whether the server of this URI is suspended here: nothing is accepted from it or sent to it. */
export async function isSuspendedDomain(db: Db, uri: string | null | undefined): Promise<boolean> {
  return (await domainBlockOf(db, uri))?.severity === 'suspend';
}

/** Applies the block of its server to a remote profile just introduced (refused by the caller when suspended). */
export async function applyDomainBlockToNewProfile(db: Db, profileId: number, uri: string): Promise<void> {
  const block = await domainBlockOf(db, uri);
  if (block) await markProfileLikeHost(db, profileId, block);
}

function severityOf(raw: string): DomainSeverity {
  if (raw === '' || raw === 'suspend') return 'suspend';
  if (raw === 'silence') return 'silence';
  throw new ValidationError({ severity: 'Choose suspend or silence.' });
}

export type DomainBlockResult = { block: DomainBlock; profiles: number; notices: number; subscriptions: number };

/** Blocks a server: marks its people, and for a suspension removes their notices and every subscription to or from them. */
export async function blockDomain(ctx: DomainContext, actor: BlockingActor, input: { host: string; severity: string; note: string }): Promise<DomainBlockResult> {
  const host = normalizeHost(input.host);
  const severity = severityOf(input.severity);
  const note = cleanNote(input.note);
  if (ctx.config.publicUrl && blockKeysOf(ctx.config.publicUrl).includes(host)) throw new ValidationError({ host: 'That is this site itself.' });
  return ctx.db.transaction(async (trx) => {
    const block = await insertDomainBlock(trx, { host, severity, note, createdBy: actor.id });
    if (!block) throw new HttpError(409, `${host} is already blocked; lift the block first to change it.`);
    const ids = await moderateProfilesOnHost(trx, host, severity, block.createdAt);
    const purged = severity === 'suspend' ? { notices: await deleteRemoteNoticesOf(trx, ids), subscriptions: await deleteRemoteSubscriptionsOf(trx, ids) } : { notices: 0, subscriptions: 0 };
    await insertLogEntry(trx, { actorId: actor.id, actorName: actor.nickname, action: `block-domain:${severity}`, targetName: host, note });
    return { block, profiles: ids.length, ...purged };
  });
}

/** Lifts a block: the people it marked are no longer suspended or silenced (what it removed stays removed). */
export async function unblockDomain(ctx: DomainContext, actor: BlockingActor, rawHost: string): Promise<{ block: DomainBlock; profiles: number }> {
  const host = normalizeHost(rawHost);
  return ctx.db.transaction(async (trx) => {
    const block = await deleteDomainBlock(trx, host);
    if (!block) throw new NotFoundError(`${host} is not blocked.`);
    const profiles = await releaseProfilesOnHost(trx, block);
    await insertLogEntry(trx, { actorId: actor.id, actorName: actor.nickname, action: 'unblock-domain', targetName: host });
    return { block, profiles };
  });
}

/** Every blocked server. */
export function domainBlockList(ctx: DomainContext): Promise<DomainBlock[]> {
  return listDomainBlocks(ctx.db);
}
