// The words of every email the site sends: plain text, built from the domain's facts.
import type { FavoriteEmail, LinkEmail, MentionEmail, MessageEmail, PersonFacts, SubscriberEmail } from '../domain/email-notifications.ts';
import type { MailMessage } from './mailer.ts';

function nameOf(person: PersonFacts): string {
  return person.fullname ? `${person.fullname} (${person.nickname})` : person.nickname;
}

function hours(n: number): string {
  return n === 1 ? 'one hour' : `${n} hours`;
}

function footer(siteName: string, settingsUrl?: string): string {
  const lines = ['', '-- ', siteName];
  if (settingsUrl) lines.push(`Change which emails you get: ${settingsUrl}`);
  return lines.join('\n');
}

/** The email with the link that confirms an address. */
export function confirmationMessage(siteName: string, facts: LinkEmail): MailMessage {
  return {
    to: facts.to,
    subject: `${siteName}: confirm your email address`,
    text: [
      `Hello ${facts.nickname},`,
      '',
      `Someone (probably you) gave this address for the account "${facts.nickname}" on ${siteName}.`,
      'To confirm it, open this link:',
      '',
      facts.link,
      '',
      `The link works once, for ${hours(facts.validHours)}. If you did not ask for this, ignore this email.`,
      footer(siteName),
    ].join('\n'),
  };
}

/** The email with the link that sets a new password. */
export function recoveryMessage(siteName: string, facts: LinkEmail): MailMessage {
  return {
    to: facts.to,
    subject: `${siteName}: set a new password`,
    text: [
      `Hello ${facts.nickname},`,
      '',
      `Someone (probably you) asked to recover the password of the account "${facts.nickname}" on ${siteName}.`,
      'To choose a new password, open this link:',
      '',
      facts.link,
      '',
      `The link works once, for ${hours(facts.validHours)}. If you did not ask for this, ignore this email: your password stays as it is.`,
      footer(siteName),
    ].join('\n'),
  };
}

/** The email that tells someone they have a new subscriber. */
export function subscriberMessage(siteName: string, facts: SubscriberEmail): MailMessage {
  const who = nameOf(facts.subscriber);
  return {
    to: facts.to,
    subject: `${who} is now listening to your notices on ${siteName}`,
    text: [
      `Hello ${facts.nickname},`,
      '',
      `${who} is now listening to your notices on ${siteName}.`,
      '',
      `Their profile: ${facts.subscriber.url}`,
      footer(siteName, facts.settingsUrl),
    ].join('\n'),
  };
}

/** The email that tells someone a notice mentions or answers them. */
export function mentionMessage(siteName: string, facts: MentionEmail): MailMessage {
  const who = nameOf(facts.author);
  return {
    to: facts.to,
    subject: `${who} sent a notice to your attention on ${siteName}`,
    text: [
      `Hello ${facts.nickname},`,
      '',
      `${who} wrote:`,
      '',
      facts.content,
      '',
      `The notice: ${facts.noticeUrl}`,
      `Their profile: ${facts.author.url}`,
      footer(siteName, facts.settingsUrl),
    ].join('\n'),
  };
}

/** The email that brings someone a direct message (as Laconica did: its text, and where to read and answer it). */
export function directMessageMessage(siteName: string, facts: MessageEmail): MailMessage {
  const who = nameOf(facts.sender);
  return {
    to: facts.to,
    subject: `New direct message from ${who} on ${siteName}`,
    text: [
      `Hello ${facts.nickname},`,
      '',
      `${who} sent you a direct message:`,
      '',
      facts.content,
      '',
      `Read and answer it: ${facts.messageUrl}`,
      footer(siteName, facts.settingsUrl),
    ].join('\n'),
  };
}

/** The email that tells someone their notice was favorited (Laconica's "added your notice as a favorite"). */
export function favoriteMessage(siteName: string, facts: FavoriteEmail): MailMessage {
  const who = nameOf(facts.favoriter);
  return {
    to: facts.to,
    subject: `${who} added your notice as a favorite on ${siteName}`,
    text: [
      `Hello ${facts.nickname},`,
      '',
      `${who} added your notice as a favorite:`,
      '',
      facts.content,
      '',
      `The notice: ${facts.noticeUrl}`,
      facts.favoritesUrl ? `Their favorites: ${facts.favoritesUrl}` : `Their profile: ${facts.favoriter.url}`,
      footer(siteName, facts.settingsUrl),
    ].join('\n'),
  };
}
