// What the site tells people by email, as plain facts the mail module words: confirmation and
// recovery links (each with a fresh single-use token), new subscribers, mentions or replies, and
// direct messages, and favorites of one's notices.
// Notifications are queued in the transaction that makes their cause, one job per recipient, and
// checked again when sent (the switch may have been turned off, the subscription ended meanwhile).
import { listBlockersAmong } from '../db/blocks.ts';
import { getEmailSettings, listNotifiable } from '../db/email.ts';
import { hasFavorite, markFavoriteEmailed } from '../db/favorites.ts';
import { getMessageById } from '../db/messages.ts';
import { getNoticeById } from '../db/notices.ts';
import { getProfileById } from '../db/profiles.ts';
import { isSubscribed } from '../db/subscriptions.ts';
import type { Db, DomainContext } from './context.ts';
import { issueEmailToken, TOKEN_LIFETIME_SECONDS } from './email-tokens.ts';
import { EMAIL_NOTIFY_FAVORITE_JOB, EMAIL_NOTIFY_MENTION_JOB, EMAIL_NOTIFY_MESSAGE_JOB, EMAIL_NOTIFY_SUBSCRIBER_JOB } from './jobs.ts';
import { messageUrl, noticeUrl, profileUrl } from './urls.ts';

/** A link email: where it goes, whose account, the link and how long it works. */
export type LinkEmail = { to: string; nickname: string; link: string; validHours: number };

/** Someone (local or remote) as a notification names them. */
export type PersonFacts = { nickname: string; fullname: string | null; url: string; isLocal: boolean };

export type SubscriberEmail = { to: string; nickname: string; subscriber: PersonFacts; settingsUrl: string };

export type MentionEmail = { to: string; nickname: string; author: PersonFacts; content: string; noticeUrl: string; settingsUrl: string };

export type FavoriteEmail = { to: string; nickname: string; favoriter: PersonFacts; content: string; noticeUrl: string; favoritesUrl: string | undefined; settingsUrl: string };

export type MessageEmail = { to: string; nickname: string; sender: PersonFacts; content: string; messageUrl: string; settingsUrl: string };

/** Queues a new-subscriber email when the subscribed profile is a local user who wants one (inside the subscription's transaction). */
export async function queueSubscriberNotification(ctx: DomainContext, trx: Db, subscriberId: number, subscribedId: number): Promise<void> {
  const [userId] = await listNotifiable(trx, [subscribedId], 'subscriber');
  if (userId !== undefined) await ctx.jobs.send(trx, EMAIL_NOTIFY_SUBSCRIBER_JOB, { userId, subscriberId });
}

/** Queues a mention email for each of these local users who wants one, never to the author nor to those who block or mute the author (inside the notice's transaction). */
export async function queueMentionNotifications(ctx: DomainContext, trx: Db, noticeId: number, authorId: number, userIds: readonly number[]): Promise<void> {
  const recipients = await listNotifiable(trx, [...new Set(userIds)].filter((id) => id !== authorId), 'mention');
  const hiding = new Set(await listBlockersAmong(trx, authorId, recipients)); // they block or mute the author
  for (const userId of recipients) if (!hiding.has(userId)) await ctx.jobs.send(trx, EMAIL_NOTIFY_MENTION_JOB, { userId, noticeId });
}

/**
 * Queues a favorite email when the notice's author is a local user who wants one, never for their
 * own favorite, and once per person and notice however often it is taken back and given again
 * (inside the favorite's transaction).
 */
export async function queueFavoriteNotification(ctx: DomainContext, trx: Db, profileId: number, notice: { id: number; author: { id: number; isLocal: boolean } }): Promise<void> {
  if (!notice.author.isLocal || notice.author.id === profileId) return;
  const [userId] = await listNotifiable(trx, [notice.author.id], 'favorite');
  if (userId === undefined || !(await markFavoriteEmailed(trx, profileId, notice.id))) return;
  await ctx.jobs.send(trx, EMAIL_NOTIFY_FAVORITE_JOB, { userId, profileId, noticeId: notice.id });
}

/** Queues a direct-message email when the recipient is a local user who wants one (inside the message's transaction). */
export async function queueMessageNotification(ctx: DomainContext, trx: Db, messageId: number, recipientId: number): Promise<void> {
  const [userId] = await listNotifiable(trx, [recipientId], 'message');
  if (userId !== undefined) await ctx.jobs.send(trx, EMAIL_NOTIFY_MESSAGE_JOB, { userId, messageId });
}

/** A confirmation link for `address`, if it is still the user's pending address (a newer one replaces it). */
export async function confirmationEmail(ctx: DomainContext, userId: number, address: string): Promise<LinkEmail | undefined> {
  const settings = await getEmailSettings(ctx.db, userId);
  if (!settings || settings.pendingEmail !== address) return undefined;
  const token = await issueEmailToken(ctx.db, userId, 'confirm', address);
  return { to: address, nickname: settings.nickname, link: `${ctx.config.publicUrl}/main/confirmaddress/${token}`, validHours: TOKEN_LIFETIME_SECONDS.confirm / 3600 };
}

/** A password-recovery link to the user's confirmed address, if they still have one. */
export async function recoveryEmail(ctx: DomainContext, userId: number): Promise<LinkEmail | undefined> {
  const settings = await getEmailSettings(ctx.db, userId);
  if (!settings?.email) return undefined;
  const token = await issueEmailToken(ctx.db, userId, 'recover');
  return { to: settings.email, nickname: settings.nickname, link: `${ctx.config.publicUrl}/main/recoverpassword/${token}`, validHours: TOKEN_LIFETIME_SECONDS.recover / 3600 };
}

async function personFacts(ctx: DomainContext, profileId: number): Promise<PersonFacts | undefined> {
  const profile = await getProfileById(ctx.db, profileId);
  if (!profile) return undefined;
  const url = profile.isLocal ? profileUrl(ctx.config.publicUrl, profile.nickname) : (profile.profileUrl ?? profile.uri ?? '');
  return { nickname: profile.nickname, fullname: profile.fullname, url, isLocal: profile.isLocal };
}

/** The new-subscriber email, if the user still wants it and the subscription still stands. */
export async function subscriberEmail(ctx: DomainContext, userId: number, subscriberId: number): Promise<SubscriberEmail | undefined> {
  const settings = await getEmailSettings(ctx.db, userId);
  if (!settings?.email || !settings.notifySubscriber || !(await isSubscribed(ctx.db, subscriberId, userId))) return undefined;
  const subscriber = await personFacts(ctx, subscriberId);
  if (!subscriber) return undefined;
  return { to: settings.email, nickname: settings.nickname, subscriber, settingsUrl: `${ctx.config.publicUrl}/settings/email` };
}

/** The mention email, if the user still wants it and the notice still exists. */
export async function mentionEmail(ctx: DomainContext, userId: number, noticeId: number): Promise<MentionEmail | undefined> {
  const settings = await getEmailSettings(ctx.db, userId);
  if (!settings?.email || !settings.notifyMention) return undefined;
  const notice = await getNoticeById(ctx.db, noticeId);
  const author = notice && (await personFacts(ctx, notice.author.id));
  if (!notice || !author) return undefined;
  return { to: settings.email, nickname: settings.nickname, author, content: notice.content, noticeUrl: noticeUrl(ctx.config.publicUrl, notice.id), settingsUrl: `${ctx.config.publicUrl}/settings/email` };
}

/** The favorite email, if the user still wants it and the favorite still stands. */
export async function favoriteEmail(ctx: DomainContext, userId: number, profileId: number, noticeId: number): Promise<FavoriteEmail | undefined> {
  const settings = await getEmailSettings(ctx.db, userId);
  if (!settings?.email || !settings.notifyFavorite || !(await hasFavorite(ctx.db, profileId, noticeId))) return undefined;
  const notice = await getNoticeById(ctx.db, noticeId);
  const favoriter = await personFacts(ctx, profileId);
  if (!notice || notice.author.id !== userId || !favoriter) return undefined;
  const publicUrl = ctx.config.publicUrl;
  return {
    to: settings.email,
    nickname: settings.nickname,
    favoriter,
    content: notice.content,
    noticeUrl: noticeUrl(publicUrl, notice.id),
    favoritesUrl: favoriter.isLocal ? `${profileUrl(publicUrl, favoriter.nickname)}/favorites` : undefined,
    settingsUrl: `${publicUrl}/settings/email`,
  };
}

/** The direct-message email, if the user still wants it and the message is still in her inbox. */
export async function messageEmail(ctx: DomainContext, userId: number, messageId: number): Promise<MessageEmail | undefined> {
  const settings = await getEmailSettings(ctx.db, userId);
  if (!settings?.email || !settings.notifyMessage) return undefined;
  const message = await getMessageById(ctx.db, messageId);
  if (!message || message.recipient.id !== userId || !message.inRecipientBox) return undefined;
  const sender = await personFacts(ctx, message.sender.id);
  if (!sender) return undefined;
  return { to: settings.email, nickname: settings.nickname, sender, content: message.content, messageUrl: messageUrl(ctx.config.publicUrl, message.id), settingsUrl: `${ctx.config.publicUrl}/settings/email` };
}
