// People on other servers, whatever the protocol: their profiles, their notices, and
// subscriptions between them and local users. Federation modules call these after verifying.
import { NotFoundError } from '../errors.ts';
import { logNoticeEdit } from '../db/feed-stamps.ts';
import { getNoticeById, insertMentions, replaceMentions, replaceNoticeTags } from '../db/notices.ts';
import { threadWaitingReplies } from '../db/awaited-parents.ts';
import { countProfileStats } from '../db/profiles.ts';
import type { ProfileRecord } from '../db/records.ts';
import { deleteRemoteNoticeByUri, getProfileByUri, getRemoteProfileById, insertRemoteNotice, insertRemoteProfileIfNew, updateRemoteNoticeByUri, updateRemoteProfile } from '../db/remote-profiles.ts';
import type { RemoteProfileFields } from '../db/remote-profiles.ts';
import { listProfileNotices } from '../db/timelines.ts';
import type { Db, DomainContext } from './context.ts';
import { queueMentionNotifications } from './email-notifications.ts';
import { parseId } from './ids.ts';
import { checkNoticeOrigin, checkRemoteIdentity, RemoteOriginError, sameSite, siteName } from './remote-origins.ts';
import { applyDomainBlockToNewProfile, isSuspendedDomain } from './domain-blocks.ts';
import { NOTICE_FANOUT_JOB, REMOTE_AVATAR_FETCH_JOB, SUBSCRIPTION_END_JOB } from './jobs.ts';
import { mentionHref, resolveMentions } from './mentions.ts';
import { mentionedNicknames, noticeTags, renderNoticeHtml, tokenizeNotice } from './notice-text.ts';
import { checkRemoteNotice } from './remote-content.ts';
import { attachRemotePictures, remotePictures, replaceRemotePictures } from './remote-pictures.ts';
import type { RemotePictureInput } from './remote-pictures.ts';
import { remoteHtmlText, sanitizeRemoteHtml } from './remote-html.ts';
import { addressedLocalProfiles, awaitableParent, findRepliedNotice, remoteSummary } from './remote-threads.ts';
import { endSubscription } from './subscriptions.ts';
import { readPage } from './timelines.ts';
import type { ProfileTimeline } from './timelines.ts';
import { tagUrl } from './urls.ts';
import { checkNotSuspended } from './visibility.ts';

export type { RemoteProfileFields };

/** The profile (local or remote) with this identifier URI, or undefined. */
export function findProfileByUri(db: Db, uri: string): Promise<ProfileRecord | undefined> {
  return getProfileByUri(db, uri);
}

// Our copy of a remote avatar is fetched by a job when the avatar URL is new or we have no copy.
async function queueAvatarFetch(ctx: DomainContext, trx: Db, before: ProfileRecord | undefined, profileId: number, avatarUrl: string | null): Promise<void> {
  if (before && before.avatarUrl === avatarUrl && (avatarUrl === null || before.avatarKey !== null)) return;
  await ctx.jobs.send(trx, REMOTE_AVATAR_FETCH_JOB, { profileId, url: avatarUrl });
}

// A profile we already know keeps what it has: only its own server's signed updates change it.
function checkKnownProfile(known: ProfileRecord, profileUrl: string): number {
  if (known.isLocal) throw new RemoteOriginError(400, 'That identifier belongs to a user of this site.');
  if (!sameSite(known.profileUrl ?? known.uri, profileUrl)) throw new RemoteOriginError(403, `${known.uri} is already known here with a profile on another site.`);
  return known.id;
}

/**
 * Creates a remote profile the first time its server introduces it (queueing its avatar's fetch) and
 * returns its id. Its identifier and profile page must be on one site. A profile we already know is
 * checked against that site and left as it is: introducing it again never overwrites it.
 */
export async function saveRemoteProfile(ctx: DomainContext, trx: Db, uri: string, profileUrl: string, fields: RemoteProfileFields): Promise<number> {
  checkRemoteIdentity({ uri, profileUrl });
  const known = await getProfileByUri(trx, uri);
  if (known) return checkKnownProfile(known, profileUrl);
  if (await isSuspendedDomain(trx, profileUrl)) throw new RemoteOriginError(403, `This site does not federate with ${siteName(profileUrl)}.`);
  const id = await insertRemoteProfileIfNew(trx, uri, profileUrl, fields);
  if (id === undefined) {
    // Introduced by a concurrent request a moment ago.
    const raced = await getProfileByUri(trx, uri);
    if (!raced) throw new Error(`profile ${uri} neither inserted nor found`);
    return checkKnownProfile(raced, profileUrl);
  }
  await applyDomainBlockToNewProfile(trx, id, profileUrl); // a silenced server's newcomers are silenced too
  await queueAvatarFetch(ctx, trx, undefined, id, fields.avatarUrl);
  return id;
}

/** Applies changes a remote profile's server sent (a new avatar URL queues its fetch); its URI and profile URL never change. */
export async function changeRemoteProfile(ctx: DomainContext, trx: Db, id: number, fields: Partial<RemoteProfileFields>): Promise<void> {
  const before = await getRemoteProfileById(trx, id);
  await updateRemoteProfile(trx, id, fields);
  if (before && fields.avatarUrl !== undefined && fields.avatarUrl !== before.avatarUrl) await queueAvatarFetch(ctx, trx, before, id, fields.avatarUrl);
}

/** A remote notice as its protocol brings it: plain text (OMB) or HTML (ActivityPub), which is sanitized here. */
export type RemoteNoticeBody = { content: string } | { html: string };

/**
 * What a protocol may say of a remote notice besides its text: the URI of the notice it answers,
 * the nicknames of local people it is addressed to (mention tags), its content warning (HTML or text).
 */
export type RemoteNoticeContext = { inReplyToUri?: string | null; addressed?: readonly string[]; summary?: string | null };

// The stored text and rendered HTML of a remote notice: HTML cut to the allow-list (its text is
// what search, feeds and the length rules see), plain text rendered as our own notices are.
function remoteBody(body: RemoteNoticeBody): { content: string; rendered: string | null } {
  if ('html' in body) {
    const rendered = sanitizeRemoteHtml(body.html);
    return { content: remoteHtmlText(rendered), rendered };
  }
  return { content: body.content, rendered: null };
}

// The rendered HTML of checked plain text; mentions name people on the author's server: not linked here.
function renderRemoteText(ctx: DomainContext, tokens: ReturnType<typeof tokenizeNotice>): string {
  return renderNoticeHtml(tokens, { profileUrl: () => undefined, tagUrl: (tag) => tagUrl(ctx.config.publicUrl, tag) });
}

/**
 * Stores a notice written by a remote profile and queues its fan-out; a known URI stores nothing;
 * 400 for content that cannot be stored, or a URI or URL off the author's site. A reply to a notice
 * we do not have keeps that notice's URI (`awaitedParent`), and is threaded when it arrives; a
 * notice that replies waited for threads them. One `fetched` as the context of a reply is old
 * news: kept in its thread, but put on no timeline and announced to nobody.
 */
export async function receiveRemoteNotice(
  ctx: DomainContext,
  trx: Db,
  // `author`: the author's remote profile when the caller has just read it (saves reading it again).
  input: { authorId: number; author?: ProfileRecord; uri: string; url: string | null; source: string; pictures?: readonly RemotePictureInput[]; fetched?: boolean } & RemoteNoticeBody & RemoteNoticeContext,
): Promise<{ noticeId: number | undefined; duplicate: boolean; awaitedParent: string | null }> {
  const author = input.author?.id === input.authorId && !input.author.isLocal ? input.author : await getRemoteProfileById(trx, input.authorId);
  if (!author) throw new NotFoundError('The author of this notice is not known here.');
  // A notice under another site's URI would take that URI from the notice that really has it.
  checkNoticeOrigin(author, input);
  const body = remoteBody(input);
  const pictures = remotePictures(input.pictures ?? []);
  const notice = checkRemoteNotice(ctx.config, { uri: input.uri, url: input.url, content: body.content }, pictures.length > 0); // 400 for what cannot be stored, whichever protocol brought it
  const tokens = tokenizeNotice(notice.content);
  // A reply to a notice we have (ours or stored from elsewhere) joins its conversation.
  const repliedTo = await findRepliedNotice(ctx, trx, input.inReplyToUri);
  const awaitedParent = repliedTo ? null : awaitableParent(ctx, notice.uri, input.inReplyToUri);
  // "@alice" in a remote notice is our alice when she and the author are related by a subscription
  // (as Laconica decided) or it answers her; other nicknames name people on the author's server and
  // stay plain text. Whom the protocol says it addresses (mention tags) is mentioned too.
  const meant = await resolveMentions(trx, author, mentionedNicknames(tokens), { localHost: new URL(ctx.config.publicUrl).host, repliedToAuthorId: repliedTo?.authorId });
  const addressed = await addressedLocalProfiles(trx, input.addressed);
  // Sanitized HTML is kept as its author wrote it; plain text is rendered as our own notices are.
  const rendered =
    body.rendered ??
    renderNoticeHtml(tokens, {
      profileUrl: (nickname) => {
        const profile = meant.get(nickname);
        return profile && mentionHref(ctx.config.publicUrl, profile);
      },
      tagUrl: (tag) => tagUrl(ctx.config.publicUrl, tag),
    });
  const id = await insertRemoteNotice(trx, {
    profileId: input.authorId,
    uri: notice.uri,
    url: notice.url,
    content: notice.content,
    rendered,
    summary: remoteSummary(input.summary),
    inReplyTo: repliedTo?.id ?? null,
    conversationId: repliedTo?.conversationId ?? null,
    inReplyToUri: awaitedParent,
    source: input.source,
    tags: noticeTags(tokens), // stored by the same statement
  });
  if (id === undefined) return { noticeId: undefined, duplicate: true, awaitedParent: null };
  await threadWaitingReplies(trx, { id, uri: notice.uri, conversationId: repliedTo?.conversationId ?? id });
  await attachRemotePictures(ctx, trx, id, pictures); // copied by a job each, never shown from their server
  const mentioned = [...new Set([...meant.values(), ...addressed].map((p) => p.id))];
  await insertMentions(trx, id, mentioned); // the notice shows among their replies
  if (input.fetched) return { noticeId: id, duplicate: false, awaitedParent };
  // As with local replies, the local author of the notice answered may be told by email too.
  const told = repliedTo?.authorIsLocal ? mentioned.concat(repliedTo.authorId) : mentioned;
  await queueMentionNotifications(ctx, trx, id, author.id, told);
  await ctx.jobs.send(trx, NOTICE_FANOUT_JOB, { noticeId: id });
  return { noticeId: id, duplicate: false, awaitedParent };
}

/**
 * Replaces the text of a notice its remote author edited (only theirs: the URI must be one of
 * their notices), checked and sanitized as a new one is, with its tags and mentions worked out
 * again (newly mentioned people may be told by email), and its pictures those the edit lists, when
 * the protocol lists them; false when they have no such notice.
 */
export async function editRemoteNotice(
  ctx: DomainContext,
  trx: Db,
  input: { authorId: number; uri: string; pictures?: readonly RemotePictureInput[] } & RemoteNoticeBody & Omit<RemoteNoticeContext, 'inReplyToUri'>,
): Promise<boolean> {
  const author = await getRemoteProfileById(trx, input.authorId);
  if (!author) return false;
  const body = remoteBody(input);
  const pictures = input.pictures && remotePictures(input.pictures);
  const { content } = checkRemoteNotice(ctx.config, { uri: input.uri, url: null, content: body.content }, (pictures?.length ?? 0) > 0);
  const tokens = tokenizeNotice(content);
  const rendered = body.rendered ?? renderRemoteText(ctx, tokens);
  const id = await updateRemoteNoticeByUri(trx, input.authorId, input.uri, { content, rendered, summary: remoteSummary(input.summary) });
  if (id === undefined) return false;
  await replaceNoticeTags(trx, id, noticeTags(tokens));
  if (pictures) await replaceRemotePictures(ctx, trx, id, pictures);
  const edited = await getNoticeById(trx, id);
  const repliedTo = edited?.inReplyTo == null ? undefined : await getNoticeById(trx, edited.inReplyTo);
  const meant = await resolveMentions(trx, author, mentionedNicknames(tokens), { localHost: new URL(ctx.config.publicUrl).host, repliedToAuthorId: repliedTo?.author.id });
  const addressed = await addressedLocalProfiles(trx, input.addressed);
  const added = await replaceMentions(trx, id, [...meant.values(), ...addressed].map((p) => p.id));
  await queueMentionNotifications(ctx, trx, id, author.id, added);
  await logNoticeEdit(trx, id); // feeds that listed it, or list it now, have changed
  return true;
}

async function remoteProfile(ctx: DomainContext, rawId: string): Promise<ProfileRecord> {
  const id = parseId(rawId);
  const profile = id === undefined ? undefined : await getRemoteProfileById(ctx.db, id);
  if (!profile) throw new NotFoundError('We know nobody on another server by that number.');
  return profile;
}

/** A remote profile as we know it, with the notices it sent us; 410 when moderators suspended them. */
export async function remoteProfileTimeline(ctx: DomainContext, rawId: string, before: number | undefined): Promise<ProfileTimeline> {
  const profile = await remoteProfile(ctx, rawId);
  checkNotSuspended(profile);
  const [counts, page] = await Promise.all([countProfileStats(ctx.db, profile.id), readPage(before, (p) => listProfileNotices(ctx.db, profile.id, p))]);
  return { profile, counts, page };
}

/** A local user stops reading a remote profile; the credentials of that subscription go with it. */
export async function unsubscribeFromRemote(ctx: DomainContext, userId: number, rawId: string): Promise<ProfileRecord> {
  const profile = await remoteProfile(ctx, rawId);
  await ctx.db.transaction(async (trx) => {
    // Protocols that must tell the other server (ActivityPub's Undo) do it from this job.
    if (await endSubscription(trx, userId, profile.id)) await ctx.jobs.send(trx, SUBSCRIPTION_END_JOB, { subscriberId: userId, subscribedId: profile.id });
  });
  return profile;
}

/** Removes a notice its remote author withdrew (only theirs: the URI must be one of their notices). */
export function withdrawRemoteNotice(db: Db, authorId: number, uri: string): Promise<boolean> {
  return deleteRemoteNoticeByUri(db, authorId, uri);
}
