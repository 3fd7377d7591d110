// The chat bot in a worker: its connection, what it does with messages and presence it receives,
// and the switch that works its outgoing queue only while it is online. The sender of a message is
// the bare JID its XMPP server authenticated (the stanza's "from"); resources are ignored and
// nothing in a message body says who wrote it.
import type { Element } from '@xmpp/client';
import type { Logger } from 'pino';
import type { XmppSettings } from '../config.ts';
import type { DomainContext } from '../domain/context.ts';
import { chatAccount } from '../domain/im-chat.ts';
import { normalizeJid } from '../domain/im-addresses.ts';
import { queueChatMessage } from '../domain/im-delivery.ts';
import { countAttempt } from '../domain/login-attempts.ts';
import { answerChatMessage } from './commands.ts';
import type { ChatDependencies } from './commands.ts';
import { ChatConnection } from './connection.ts';
import { slowDownMessage } from './messages.ts';

/** What the bot needs of the job queue: working its outgoing queue while online. */
export type OutgoingQueue = { resume(): Promise<void>; pause(): Promise<void> };

/** The bot: start(ctx) connects, stop() disconnects; sendChat is what the im.send job uses. */
export type ChatBot = {
  start(ctx: DomainContext, outgoing: OutgoingQueue): void;
  stop(): Promise<void>;
  sendChat(to: string, body: string): Promise<void>;
  readonly isOnline: boolean;
};

/** The bare, lower-case JID a stanza came from, or undefined (the server itself, or nonsense). */
function senderOf(stanza: Element): string | undefined {
  const from = stanza.attrs.from;
  return from === undefined ? undefined : normalizeJid(from);
}

/** Creates the bot for these settings; nothing connects before start(). */
export function createChatBot(settings: XmppSettings, logger: Logger, deps: ChatDependencies): ChatBot {
  const log = logger.child({ module: 'im' });
  let ctx: DomainContext | undefined;
  let outgoing: OutgoingQueue | undefined;
  // One message at a time per address, in the order they came: a notice, then its correction.
  const lines = new Map<string, Promise<void>>();

  const inOrder = (jid: string, work: () => Promise<void>) => {
    const next = (lines.get(jid) ?? Promise.resolve()).then(work).catch((error: unknown) => log.error({ err: error, jid }, 'chat message not handled'));
    lines.set(jid, next);
    void next.finally(() => {
      if (lines.get(jid) === next) lines.delete(jid);
    });
  };

  const onMessage = async (jid: string, body: string) => {
    const limit = ctx!.config.xmppReceivePerMinute;
    const count = await countAttempt(ctx!, `im-in:${jid}`, 60_000);
    if (count.hits > limit) {
      if (count.hits === limit + 1) await queueChatMessage(ctx!, jid, slowDownMessage(limit));
      log.info({ jid }, 'chat message ignored: over the per-address limit');
      return;
    }
    const answer = await answerChatMessage(ctx!, deps, jid, body);
    if (answer !== undefined) await queueChatMessage(ctx!, jid, answer);
  };

  // Subscription requests from confirmed addresses are accepted, so that their servers show the
  // bot online and route to it; requests from anyone else are left unanswered.
  const onSubscribe = async (jid: string) => {
    const account = await chatAccount(ctx!, jid);
    if (!account || account.suspended) return log.info({ jid }, 'presence subscription from an unconfirmed address ignored');
    await connection.sendPresence(jid, 'subscribed');
  };

  const onStanza = (stanza: Element) => {
    const jid = senderOf(stanza);
    if (!jid || jid === settings.jid || !ctx) return;
    if (stanza.is('message')) {
      const type = stanza.attrs.type ?? 'normal';
      const body = stanza.getChildText('body');
      if (type === 'error') return log.info({ jid }, 'an XMPP server could not deliver a chat message');
      if ((type !== 'chat' && type !== 'normal') || body === null) return; // typing notices, receipts, group chats
      inOrder(jid, () => onMessage(jid, body));
    } else if (stanza.is('presence') && stanza.attrs.type === 'subscribe') {
      inOrder(jid, () => onSubscribe(jid));
    }
  };

  const connection = new ChatConnection(settings, logger, {
    online: () => void outgoing?.resume().catch((error: unknown) => log.error({ err: error }, 'could not start sending chat messages')),
    offline: () => void outgoing?.pause().catch((error: unknown) => log.error({ err: error }, 'could not pause sending chat messages')),
    stanza: onStanza,
  });

  return {
    start(context, queue) {
      ctx = context;
      outgoing = queue;
      connection.start();
    },
    async stop() {
      await outgoing?.pause().catch(() => {});
      await connection.stop();
      await Promise.allSettled([...lines.values()]);
    },
    sendChat: (to, body) => connection.sendChat(to, body),
    get isOnline() {
      return connection.isOnline;
    },
  };
}
