// The words of the chat bot's messages, from the domain's facts.
import type { ImNoticeFacts } from '../domain/im-delivery.ts';

/** A notice as a chat message: "nickname: text" and its link; behind a content warning, only the warning (a chat cannot fold the text away). */
export function noticeMessage(notice: ImNoticeFacts): string {
  if (notice.warning) return `${notice.handle}: [${notice.warning}] (content warning: the notice is behind the link)\n${notice.url}`;
  const pictures = notice.pictures === 0 ? '' : ` [${notice.pictures} picture${notice.pictures === 1 ? '' : 's'}]`;
  return `${notice.handle}: ${notice.content}${pictures}\n${notice.url}`;
}

/** The message with the confirmation link, sent to an address someone gave in their settings. */
export function confirmationMessage(siteName: string, facts: { nickname: string; link: string; validHours: number }, jid: string): string {
  return [
    `Someone (hopefully you) asked ${siteName} to send the notices of the account "${facts.nickname}" to this address (${jid}), and to take notices from it.`,
    `To confirm, open this link within ${facts.validHours} hours (it works once):`,
    facts.link,
    'If it was not you, ignore this message: nothing is sent to this address or taken from it without the link.',
  ].join('\n');
}

/** What every command does, one line each. */
export const COMMAND_LINES = [
  'help: this list',
  'on / off: resume / pause the notices sent to you here',
  'follow <nickname> (or sub): subscribe to someone',
  'leave <nickname> (or unsub): unsubscribe',
  'd <nickname> <text>: a direct message',
  'reply <notice id> <text>: answer a notice (its id ends its link)',
  '@nickname <text>: a notice that answers their latest one',
  'fav <notice id or nickname>: mark a notice (or their latest) as a favorite',
  'get <nickname>: their latest notice',
  'whois <nickname>: who they are',
  'stats: your counts',
];

/** The answer to "help". */
export function helpMessage(siteName: string, canPost: boolean): string {
  const posting = canPost ? 'Anything else you send is posted as a notice.' : 'Posting by chat is switched off in your IM settings.';
  return [`Commands of ${siteName} (a leading "/" works too):`, ...COMMAND_LINES, posting].join('\n');
}

/** The short help an address that is not confirmed here gets, whatever it sends. */
export function unknownAddressMessage(siteName: string, settingsUrl: string): string {
  return `This is the chat bot of ${siteName}. This address is not confirmed for any account here: add it at ${settingsUrl} and follow the link the bot sends you. Until then, messages from it are not read.`;
}

/** The answer to a command the bot does not know. */
export function unknownCommandMessage(word: string): string {
  return `Unknown command "${word}". Send "help" for the list.`;
}

/** The answer when an address sends faster than the limit allows (sent once per minute). */
export function slowDownMessage(perMinute: number): string {
  return `You are sending messages faster than this site takes them (at most ${perMinute} a minute): the rest of this minute's messages are ignored. Wait a minute, then send again.`;
}
