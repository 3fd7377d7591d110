// The remote actor behind an activity, as a profile of ours: the one we know already, or the actor
// as its own server serves it now, recorded (never what an activity embeds about it).
import type { InboxContext } from '@fedify/fedify';
import { isActor, Note } from '@fedify/fedify/vocab';
import type { FederationContext } from '../context.ts';
import { getApActorById } from '../../db/ap-actors.ts';
import { parseId } from '../../domain/ids.ts';
import { sameSite } from '../../domain/remote-origins.ts';
import { fetchObject } from './loaders.ts';
import { persistActor } from './persist.ts';

type Ctx = InboxContext<FederationContext>;

/** The profile id of a remote actor, known or fetched from its own server and recorded; undefined when it cannot be had. */
export async function profileOfActor(ctx: Ctx, actorId: URL): Promise<number | undefined> {
  const known = await getApActorById(ctx.data.db, actorId.href);
  if (known) return known.profileId;
  if (sameSite(actorId.href, ctx.data.config.publicUrl)) return undefined; // our own people are no remote actors
  const actor = await fetchObject(actorId, ctx).catch(() => null);
  if (!actor || !isActor(actor) || actor.id?.href !== actorId.href || !actor.inboxId) return undefined;
  return ctx.data.db.transaction((trx) => persistActor(ctx.data, trx, actor));
}

/** The id of the local notice an object URI names (a notice permalink of ours), or undefined. */
export function localNoticeIdOf(ctx: Ctx, uri: URL | null): number | undefined {
  const parsed = uri ? ctx.parseUri(uri) : null;
  if (parsed?.type !== 'object' || parsed.class !== Note) return undefined;
  return parseId(parsed.values.id ?? '');
}
