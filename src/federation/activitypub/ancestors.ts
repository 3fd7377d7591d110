// The notices a reply answers, when we do not have them: a reply stored here keeps its parent's URI,
// and a job fetches that note from its own server (through the one outbound client, signed by the
// site's actor), stores it as a remote notice of its author (recorded as an actor, but followed by
// nobody), which threads the reply; then that note's own parent, up to MAX_ANCESTORS per incoming
// note. A parent that cannot be had leaves the reply where it is, unthreaded, until it arrives.
import type { Federation } from '@fedify/fedify';
import { Note } from '@fedify/fedify/vocab';
import type { Db, DomainContext, JobHandler } from '../../domain/context.ts';
import { isSuspendedDomain } from '../../domain/domain-blocks.ts';
import { findProfileByUri, receiveRemoteNotice } from '../../domain/remote-profiles.ts';
import { RemoteOriginError } from '../../domain/remote-origins.ts';
import { findRepliedNotice } from '../../domain/remote-threads.ts';
import { isHttpUrl } from '../../domain/text-rules.ts';
import { ValidationError } from '../../errors.ts';
import { getApActorById } from '../../db/ap-actors.ts';
import type { FederationContext } from '../context.ts';
import { fromAttachments } from './attachments.ts';
import { DocumentFetchError, fetchObject } from './loaders.ts';
import { loaders, noteBody, noteContext, notePage, notePublic } from './note-content.ts';
import { fetchActor, persistActor } from './persist.ts';
import { AP_PARENT_FETCH_JOB } from './job-names.ts';

export { AP_PARENT_FETCH_JOB };

/** How many notices above an incoming one are fetched at most: a thread's context, not its whole history. */
export const MAX_ANCESTORS = 5;

/** Queues the fetch of the note a reply answers, `depth` notices above the note that came in (none beyond MAX_ANCESTORS). */
export async function queueParentFetch(ctx: DomainContext, trx: Db, uri: string, depth: number): Promise<void> {
  if (depth > MAX_ANCESTORS || !isHttpUrl(uri)) return;
  await ctx.jobs.send(trx, AP_PARENT_FETCH_JOB, { uri, depth }, { group: new URL(uri).host });
}

// Worth another try: the server could not be reached, was busy or failed. Anything else will not change.
function isTransient(error: unknown): boolean {
  if (!(error instanceof DocumentFetchError)) return false;
  if (error.failure === 'unreachable') return true;
  return error.failure === 'status' && error.status !== undefined && (error.status >= 500 || error.status === 408 || error.status === 429);
}

type FederationOf = (ctx: FederationContext) => Federation<FederationContext>;

/** ap.parent.fetch: fetches and stores the note a reply answers, unless it is here already; what cannot be had is given up. */
export function fetchParentNoteWith(federationOf: FederationOf): JobHandler<FederationContext> {
  return async (ctx, data, attempt) => {
    const uri = typeof data.uri === 'string' ? data.uri : '';
    const depth = Number(data.depth);
    if (!isHttpUrl(uri) || !Number.isSafeInteger(depth) || depth < 1 || depth > MAX_ANCESTORS) return;
    if (await findRepliedNotice(ctx, ctx.db, uri)) return; // it arrived meanwhile, and threaded the replies waiting for it
    const giveUp = (reason: string) => attempt.logger.info({ uri, reason }, 'the notice a reply answers could not be had; the reply stays unthreaded until it arrives');
    if (await isSuspendedDomain(ctx.db, uri)) return giveUp('its server is blocked here'); // never asked anything
    const context = federationOf(ctx).createContext(new URL(ctx.config.publicUrl), ctx);
    let found;
    try {
      found = await fetchObject(uri, context);
    } catch (error) {
      if (isTransient(error) && attempt.retryCount < attempt.retryLimit) throw error; // retried with backoff
      return giveUp((error as Error).message);
    }
    // Only the note at that address, by an author on its own origin, meant for everyone: a note for
    // its author's followers would leak onto public pages here.
    if (!(found instanceof Note) || found.id?.href !== uri || !found.attributionId) return giveUp('no Note at that address');
    const note = found;
    const authorUri = found.attributionId;
    if (authorUri.origin !== note.id!.origin) return giveUp('its author is on another server');
    if (!notePublic(note)) return giveUp('it is not public');
    const pictures = await fromAttachments(note, loaders(context));
    const html = noteBody(note, pictures);
    if (html === null) return giveUp('it has no content we take');
    const known = await getApActorById(ctx.db, authorUri.href);
    if (known && (await findProfileByUri(ctx.db, authorUri.href))?.suspendedAt) return giveUp('its author is suspended here');
    const actor = known ? undefined : await fetchActor(context, authorUri);
    if (!known && !actor) return giveUp('its author could not be fetched');
    const said = await noteContext(context, note);
    try {
      await ctx.db.transaction(async (trx) => {
        const authorId = known?.profileId ?? (await persistActor(ctx, trx, actor!));
        const stored = await receiveRemoteNotice(ctx, trx, { authorId, uri, url: notePage(note), html, source: 'activitypub', pictures, fetched: true, ...said });
        if (stored.awaitedParent) await queueParentFetch(ctx, trx, stored.awaitedParent, depth + 1);
      });
    } catch (error) {
      // Content or an identity our rules refuse: it will not change.
      if (!(error instanceof RemoteOriginError) && !(error instanceof ValidationError)) throw error;
      giveUp(error.message);
    }
  };
}
