// What a chat message from a confirmed address may do, for the bot's commands: post (with the web
// form's rules and its hourly allowance), pause delivery, and look people and notices up.
import { HttpError, NotFoundError } from '../errors.ts';
import { getImAccountByJid, updateImPaused } from '../db/im.ts';
import type { ImAccountRecord } from '../db/im.ts';
import { getLatestNoticeIdOfProfile, getNoticeById } from '../db/notices.ts';
import { countProfileStats } from '../db/profiles.ts';
import type { ProfileCounts } from '../db/profiles.ts';
import type { ProfileRecord } from '../db/records.ts';
import type { DomainContext } from './context.ts';
import { chatHandle, noticeFacts } from './im-delivery.ts';
import type { ImNoticeFacts } from './im-delivery.ts';
import { countAttempt, forgiveAttempt } from './login-attempts.ts';
import { mentionHref, resolveMentions } from './mentions.ts';
import { normalizeNickname } from './nicknames.ts';
import { postNotice } from './notices.ts';
import { noticeUrl } from './urls.ts';

export type { ImAccountRecord, ProfileCounts };

const HOUR_MS = 60 * 60 * 1000;

/** The account whose confirmed address sent a message (a bare JID, lower case), or undefined. */
export function chatAccount(ctx: DomainContext, jid: string): Promise<ImAccountRecord | undefined> {
  return getImAccountByJid(ctx.db, jid);
}

/** Pauses ("off") or resumes ("on") chat delivery to a user. */
export function setChatPaused(ctx: DomainContext, userId: number, paused: boolean): Promise<void> {
  return updateImPaused(ctx.db, userId, paused);
}

/**
 * Posts a notice sent by chat, with the web form's rules (postNotice) and the same hourly
 * allowance, counted in the same counter as the form's (web/middleware/action-limits.ts: prefix
 * "notices:", key "person:<id>"); a refused notice does not count. Returns its id.
 */
export async function postByChat(ctx: DomainContext, userId: number, content: string, inReplyTo?: string): Promise<number> {
  const key = `notices:person:${userId}`;
  const limit = ctx.config.noticesPerHour;
  const count = await countAttempt(ctx, key, HOUR_MS);
  if (count.hits > limit) {
    await forgiveAttempt(ctx, key);
    const when = count.resetAt.toISOString().slice(0, 16).replace('T', ' ');
    throw new HttpError(429, `You have posted ${limit} notices in the last hour, as many as this site allows. Try again after ${when} UTC.`);
  }
  try {
    return await postNotice(ctx, userId, { content, ...(inReplyTo !== undefined ? { inReplyTo } : {}), source: 'xmpp' });
  } catch (error) {
    await forgiveAttempt(ctx, key);
    throw error;
  }
}

/** The link to a notice. */
export function chatNoticeUrl(ctx: DomainContext, noticeId: number): string {
  return noticeUrl(ctx.config.publicUrl, noticeId);
}

// Whom a nickname (or nickname@server) in a command means for this user, as "@nickname" in their notice would.
async function personNamed(ctx: DomainContext, userId: number, raw: string): Promise<ProfileRecord> {
  const name = normalizeNickname(raw.replace(/^@/, ''));
  const profile = (await resolveMentions(ctx.db, { id: userId, isLocal: true }, [name], { localHost: new URL(ctx.config.publicUrl).host })).get(name);
  if (!profile || profile.suspendedAt) throw new NotFoundError(`There is nobody called “${name}” here.`);
  return profile;
}

/** The newest notice of the person a nickname means for this user, or undefined when they have none. */
export async function latestNoticeOf(ctx: DomainContext, userId: number, nickname: string): Promise<{ handle: string; notice: ImNoticeFacts | undefined }> {
  const profile = await personNamed(ctx, userId, nickname);
  const handle = chatHandle(profile);
  const id = await getLatestNoticeIdOfProfile(ctx.db, profile.id);
  const notice = id === undefined ? undefined : await getNoticeById(ctx.db, id);
  return { handle, notice: notice && noticeFacts(ctx, notice) };
}

/** What we know of the person a nickname means for this user. */
export async function whoisOf(ctx: DomainContext, userId: number, nickname: string): Promise<{ handle: string; profile: ProfileRecord; url: string }> {
  const profile = await personNamed(ctx, userId, nickname);
  return { handle: chatHandle(profile), profile, url: mentionHref(ctx.config.publicUrl, profile) };
}

/** A user's own counts. */
export function chatStats(ctx: DomainContext, userId: number): Promise<ProfileCounts> {
  return countProfileStats(ctx.db, userId);
}
