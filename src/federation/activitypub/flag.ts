// Reports over ActivityPub (Flag), as Mastodon sends and reads them. Out: a report about a remote
// actor goes to their server from the site's own actor (the reporter stays anonymous), naming the
// actor and the reported note. In: a Flag naming a local person (or one of their notes) becomes a
// report on /admin/reports, marked with the server it came from.
import type { Federation, InboxContext } from '@fedify/fedify';
import { Flag } from '@fedify/fedify/vocab';
import type { JobHandler } from '../../domain/context.ts';
import type { FederationContext } from '../context.ts';
import { findLocalProfile, findNotice } from '../../domain/lookups.ts';
import type { NoticeRecord } from '../../domain/lookups.ts';
import { receiveRemoteReport, reportForwarded, reportToForward } from '../../domain/report-forwarding.ts';
import { getApActorById, getApActorByProfileId } from '../../db/ap-actors.ts';
import { noticeId, plain } from './mapping.ts';
import { queueDelivery } from './outbox-queue.ts';
import { INSTANCE_IDENTIFIER } from './paths.ts';

/** report.forward: a Flag from the site's actor to the reported actor's server (nothing for people who are not ActivityPub actors). */
export function distributeFlagWith(federationOf: (ctx: FederationContext) => Federation<FederationContext>): JobHandler<FederationContext> {
  return async (ctx, data) => {
    const report = await reportToForward(ctx.db, Number(data.reportId));
    if (!report || report.targetIsLocal || report.forwardedAt) return;
    const remote = await getApActorByProfileId(ctx.db, report.targetId);
    if (!remote) return; // OMB 0.1 has no way to report someone to their server
    const notice = report.noticeId === null ? undefined : await findNotice(ctx.db, report.noticeId);
    const note = notice ? noticeId(ctx.config.publicUrl, notice) : null;
    const context = federationOf(ctx).createContext(new URL(ctx.config.publicUrl), ctx);
    const site = context.getActorUri(INSTANCE_IDENTIFIER);
    const them = new URL(remote.actorId);
    const flag = new Flag({ id: new URL(`${site.href}#flags/${report.id}`), actor: site, objects: note ? [them, note] : [them], content: report.comment || null, to: them });
    const activity = (await flag.toJsonLd({ contextLoader: context.contextLoader, format: 'compact' })) as Record<string, unknown>;
    await queueDelivery(ctx, ctx.db, { sender: INSTANCE_IDENTIFIER, url: remote.sharedInboxUrl ?? remote.inboxUrl, activity });
    await reportForwarded(ctx.db, report.id);
  };
}

// The local notice a URL is the permalink of, if any.
async function localNotice(ctx: InboxContext<FederationContext>, url: URL): Promise<NoticeRecord | undefined> {
  const match = /^\/notice\/(\d{1,15})$/.exec(url.pathname);
  if (!match || url.origin !== new URL(ctx.data.config.publicUrl).origin) return undefined;
  const notice = await findNotice(ctx.data.db, Number(match[1]));
  return notice?.isLocal ? notice : undefined;
}

/** Flag: another server reports a local person (and perhaps notes of theirs); stored as a report. */
export async function onFlag(ctx: InboxContext<FederationContext>, flag: Flag): Promise<void> {
  if (!flag.actorId) return;
  let targetId: number | undefined;
  let notice: NoticeRecord | undefined;
  for (const id of flag.objectIds.slice(0, 20)) {
    const parsed = ctx.parseUri(id);
    if (parsed?.type === 'actor' && parsed.identifier !== INSTANCE_IDENTIFIER) targetId ??= (await findLocalProfile(ctx.data.db, parsed.identifier))?.id;
    else notice ??= await localNotice(ctx, id);
  }
  targetId ??= notice?.author.id;
  if (targetId === undefined) return; // about nobody here
  if (notice && notice.author.id !== targetId) notice = undefined;
  const reporter = await getApActorById(ctx.data.db, flag.actorId.href);
  const comment = plain(flag.content?.toString(), 1000) ?? '';
  await receiveRemoteReport(ctx.data.db, { origin: flag.actorId.host, reporterId: reporter?.profileId ?? null, targetId, noticeId: notice?.id ?? null, comment });
}
