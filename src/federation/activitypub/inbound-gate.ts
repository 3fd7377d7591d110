// Refusing a POST to an inbox before anything of it is stored: from a server this site has
// suspended (by the signing key's host or the activity's actor), or from an actor suspended here.
// The claims are not verified yet; a forged claim can only get its own request refused.
import type { Request } from 'express';
import type { FederationContext } from '../context.ts';
import { domainBlockOfAny } from '../../domain/domain-blocks.ts';
import { findProfileByUri } from '../../domain/remote-profiles.ts';

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

// The actor an activity names (a string or an object with an id), if the body is JSON at all.
function actorOf(body: Buffer): string | undefined {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    return undefined; // Fedify answers what cannot be read
  }
  const actor = (json as { actor?: unknown } | null)?.actor;
  const named = Array.isArray(actor) ? actor[0] : actor;
  if (typeof named === 'string') return named;
  const id = (named as { id?: unknown } | null)?.id;
  return typeof id === 'string' ? id : undefined;
}

/** Why this inbox POST is refused (403), or undefined when it may go on to the signature checks. */
export async function inboxRefusal(ctx: FederationContext, headers: Request['headers'], body: Buffer): Promise<string | undefined> {
  const signature = first(headers.signature) ?? first(headers['signature-input']);
  const keyId = signature ? /keyid="([^"]+)"/i.exec(signature)?.[1] : undefined;
  const actor = actorOf(body);
  // One lookup for both hosts: every inbox POST asks this.
  const block = await domainBlockOfAny(ctx.db, [keyId, actor]);
  if (block?.severity === 'suspend') return `${block.host} is blocked by this server: nothing from it is accepted.`;
  if (actor && (await findProfileByUri(ctx.db, actor))?.suspendedAt) return 'That account is suspended on this server: nothing from it is accepted.';
  return undefined;
}
