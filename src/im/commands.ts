// What the bot answers to a chat message, as Laconica's bot did: a command when the first word is
// one (case-insensitive, "/" in front allowed) and the rest fits it; otherwise a notice. As in
// Laconica, a command word followed by more than it takes ("on my way", "get coffee now") is a
// notice; a command missing what it needs gets its usage; "/word" that is no command gets the list.
import type { DomainContext } from '../domain/context.ts';
import { chatAccount, chatNoticeUrl, chatStats, latestNoticeOf, postByChat, setChatPaused, whoisOf } from '../domain/im-chat.ts';
import type { ImAccountRecord } from '../domain/im-chat.ts';
import { favoriteNotice } from '../domain/favorites.ts';
import { chatHandle } from '../domain/im-delivery.ts';
import { sendMessage } from '../domain/messages.ts';
import type { MessageReach } from '../domain/messages.ts';
import { subscribe, unsubscribe } from '../domain/subscriptions.ts';
import { HttpError } from '../errors.ts';
import { helpMessage, noticeMessage, unknownAddressMessage, unknownCommandMessage } from './messages.ts';

/** What a command takes after its word: nothing, one word, or one word and some text. */
type Shape = 'none' | 'word' | 'word+text';

/** What commands need beyond the domain context: which remote people a direct message can reach (the federation core knows). */
export type ChatDependencies = { messageReach: MessageReach };

type Command = {
  shape: Shape;
  usage: string;
  run(ctx: DomainContext, account: ImAccountRecord, args: { word: string; text: string }, deps: ChatDependencies): Promise<string>;
};

const COMMANDS: Readonly<Record<string, Command>> = {
  help: { shape: 'none', usage: 'help', run: async (ctx, account) => helpMessage(ctx.config.siteName, account.switches.post) },
  on: {
    shape: 'none',
    usage: 'on',
    run: async (ctx, account) => {
      await setChatPaused(ctx, account.userId, false);
      return 'Notifications on: notices are sent to you here again.';
    },
  },
  off: {
    shape: 'none',
    usage: 'off',
    run: async (ctx, account) => {
      await setChatPaused(ctx, account.userId, true);
      return 'Notifications off: nothing is sent to you here until you send "on".';
    },
  },
  follow: {
    shape: 'word',
    usage: 'follow <nickname>',
    run: async (ctx, account, { word }) => `Subscribed to ${(await subscribe(ctx, account.userId, word.replace(/^@/, ''))).nickname}.`,
  },
  leave: {
    shape: 'word',
    usage: 'leave <nickname>',
    run: async (ctx, account, { word }) => `Unsubscribed from ${(await unsubscribe(ctx, account.userId, word.replace(/^@/, ''))).nickname}.`,
  },
  d: {
    shape: 'word+text',
    usage: 'd <nickname> <text>',
    // As the web form: only to someone who subscribes to you, here or where a protocol carries it privately.
    run: async (ctx, account, { word, text }, deps) => {
      const { recipient } = await sendMessage(ctx, account.userId, { to: word, content: text, source: 'xmpp' }, deps.messageReach);
      return `Direct message sent to ${recipient.isLocal ? recipient.nickname : word.replace(/^@/, '')}.`;
    },
  },
  reply: {
    shape: 'word+text',
    usage: 'reply <notice id> <text>',
    run: async (ctx, account, { word, text }) => {
      if (!/^#?\d{1,18}$/.test(word)) return 'Usage: reply <notice id> <text> (the id is the number at the end of the notice’s link).';
      const id = await postByChat(ctx, account.userId, text, word.replace(/^#/, ''));
      return `Your reply is posted: ${chatNoticeUrl(ctx, id)}`;
    },
  },
  fav: {
    shape: 'word',
    usage: 'fav <notice id or nickname>',
    // A number is a notice's id (as in its link); anything else names someone, whose latest notice it is.
    run: async (ctx, account, { word }) => {
      let id = /^#?\d{1,18}$/.test(word) ? word.replace(/^#/, '') : undefined;
      if (id === undefined) {
        const { handle, notice } = await latestNoticeOf(ctx, account.userId, word);
        if (!notice) return `${handle} has not posted anything yet.`;
        id = String(notice.noticeId);
      }
      const notice = await favoriteNotice(ctx, account.userId, id);
      return `Added to your favorites: ${chatHandle(notice.author)}’s notice ${chatNoticeUrl(ctx, notice.id)}`;
    },
  },
  get: {
    shape: 'word',
    usage: 'get <nickname>',
    run: async (ctx, account, { word }) => {
      const { handle, notice } = await latestNoticeOf(ctx, account.userId, word);
      return notice ? noticeMessage(notice) : `${handle} has not posted anything yet.`;
    },
  },
  whois: {
    shape: 'word',
    usage: 'whois <nickname>',
    run: async (ctx, account, { word }) => {
      const { handle, profile, url } = await whoisOf(ctx, account.userId, word);
      const lines = [profile.fullname ? `${handle} (${profile.fullname})` : handle];
      if (profile.location) lines.push(`Location: ${profile.location}`);
      if (profile.homepage) lines.push(`Homepage: ${profile.homepage}`);
      if (profile.bio) lines.push(`Bio: ${profile.bio}`);
      lines.push(`Profile: ${url}`);
      return lines.join('\n');
    },
  },
  stats: {
    shape: 'none',
    usage: 'stats',
    run: async (ctx, account) => {
      const counts = await chatStats(ctx, account.userId);
      return [`Subscriptions: ${counts.subscriptions}`, `Subscribers: ${counts.subscribers}`, `Notices: ${counts.notices}`].join('\n');
    },
  },
};
const ALIASES: Readonly<Record<string, string>> = { sub: 'follow', unsub: 'leave' };

type Parsed = { kind: 'command'; command: Command; word: string; text: string } | { kind: 'usage'; usage: string } | { kind: 'unknown'; word: string } | { kind: 'notice' };

/** Reads a message as a command (or its usage, or an unknown command) or a notice. */
export function parseChatMessage(body: string): Parsed {
  const text = body.trim();
  const slash = text.startsWith('/');
  const match = /^(\S+)(?:\s+([\s\S]*))?$/.exec(slash ? text.slice(1) : text);
  if (!match) return slash ? { kind: 'unknown', word: text } : { kind: 'notice' };
  const typed = match[1]!.toLowerCase();
  const name = Object.hasOwn(ALIASES, typed) ? ALIASES[typed]! : typed;
  if (!Object.hasOwn(COMMANDS, name)) return slash ? { kind: 'unknown', word: match[1]! } : { kind: 'notice' };
  const command = COMMANDS[name]!;
  const rest = (match[2] ?? '').trim();
  const [, word = '', more = ''] = /^(\S*)\s*([\s\S]*)$/.exec(rest)!;
  const fits = command.shape === 'none' ? rest === '' : command.shape === 'word' ? word !== '' && more === '' : word !== '' && more !== '';
  if (fits) return { kind: 'command', command, word, text: more };
  // Too little after a command word is a mistake; too much, a notice that happens to start with one.
  const tooLittle = command.shape === 'word+text' ? more === '' : rest === '';
  return tooLittle || slash ? { kind: 'usage', usage: command.usage } : { kind: 'notice' };
}

// Refusals the domain words for people (too long, nobody by that name, 429 ...) are the answer.
async function answering(action: () => Promise<string | undefined>): Promise<string | undefined> {
  try {
    return await action();
  } catch (error) {
    if (error instanceof HttpError && error.status < 500) return `Sorry: ${error.message}`;
    throw error;
  }
}

/** The bot's answer to a message from a bare JID (undefined: none, as after a notice posted). */
export async function answerChatMessage(ctx: DomainContext, deps: ChatDependencies, jid: string, body: string): Promise<string | undefined> {
  const siteName = ctx.config.siteName;
  const account = await chatAccount(ctx, jid);
  if (!account) return unknownAddressMessage(siteName, `${ctx.config.publicUrl}/settings/im`);
  if (account.suspended) return `The account ${account.nickname} is suspended on ${siteName}.`;
  const parsed = parseChatMessage(body);
  switch (parsed.kind) {
    case 'command':
      return answering(() => parsed.command.run(ctx, account, parsed, deps));
    case 'usage':
      return `Usage: ${parsed.usage}`;
    case 'unknown':
      return unknownCommandMessage(parsed.word);
    case 'notice':
      if (!account.switches.post) return `Posting by chat is switched off in your IM settings (${ctx.config.publicUrl}/settings/im). Send "help" for the commands.`;
      return answering(async () => {
        const id = await postByChat(ctx, account.userId, body);
        return account.switches.echo ? `Posted: ${chatNoticeUrl(ctx, id)}` : undefined;
      });
  }
}
