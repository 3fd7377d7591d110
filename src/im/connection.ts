// The bot's one connection to its XMPP server (@xmpp/client): authenticates only over TLS unless
// told the server is on this machine, reconnects with exponential backoff and jitter when the
// server goes away (resuming the stream with XEP-0198 stream management when it can), and sends a
// message as delivered only once the server has acknowledged it.
import { randomUUID } from 'node:crypto';
import { client, jid as parseJid, xml } from '@xmpp/client';
import type { Client, Element, OnAuthenticate } from '@xmpp/client';
import type { Logger } from 'pino';
import type { XmppSettings } from '../config.ts';

/** First wait before reconnecting; doubled after each failed attempt up to the maximum. */
const FIRST_RETRY_MS = 1000;
const MAX_RETRY_MS = 60_000;
/** How long a sent message may wait for the server's acknowledgement before it counts as not delivered. */
const ACK_TIMEOUT_MS = 20_000;

/** Thrown when a message could not be handed to the server (not connected, or not acknowledged). */
export class NotDeliveredError extends Error {}

export type ConnectionEvents = {
  /** The stream is up (new or resumed): messages can be sent. */
  online(): void;
  /** The stream is down: nothing can be sent until the next online(). */
  offline(): void;
  /** A stanza from the server (messages and presence: the bot decides). */
  stanza(stanza: Element): void;
};

type Waiter = { resolve(): void; reject(error: Error): void; timer: NodeJS.Timeout };

/** The settings' service and credentials as @xmpp/client takes them, with the TLS rule in the SASL step. */
function clientFor(settings: XmppSettings): Client {
  const [username, domain] = settings.jid.split('@') as [string, string];
  const credentials: OnAuthenticate = async (authenticate, mechanisms, _fast, entity) => {
    // Checked here, right before the password would go out: a server that offered no STARTTLS
    // (or a stream downgraded on the way) gets nothing.
    if (settings.tls === 'require' && !entity.isSecure()) throw new Error('the XMPP server offered no TLS; the password is not sent over a plain stream (XMPP_TLS=require)');
    const mechanism = mechanisms.find((m) => m.startsWith('SCRAM-')) ?? mechanisms.find((m) => m === 'PLAIN');
    if (!mechanism) throw new Error(`the XMPP server offers no password mechanism we use (it offers ${mechanisms.join(', ') || 'none'})`);
    await authenticate({ username, password: settings.password }, mechanism);
  };
  // One fixed resource: a second connection of the bot's account replaces the first, never adds to it.
  return client({ service: settings.service, domain, resource: 'ostrakon', credentials, timeout: 10_000 });
}

/** The bot's connection; start() connects and keeps reconnecting until stop(). */
export class ChatConnection {
  private readonly settings: XmppSettings;
  private readonly logger: Logger;
  private readonly handlers: ConnectionEvents;
  private xmpp: Client | undefined;
  private online = false;
  private retryMs = FIRST_RETRY_MS;
  private readonly waiting = new Map<string, Waiter>();
  private warnedNoAcks = false;

  constructor(settings: XmppSettings, logger: Logger, handlers: ConnectionEvents) {
    this.settings = settings;
    this.logger = logger.child({ module: 'im' });
    this.handlers = handlers;
  }

  /** Whether messages can be sent now. */
  get isOnline(): boolean {
    return this.online;
  }

  /** Connects (and reconnects for as long as the connection runs); resolves at once, whether the server answers or not. */
  start(): void {
    if (this.xmpp) return;
    const xmpp = clientFor(this.settings);
    this.xmpp = xmpp;
    xmpp.reconnect.delay = this.retryMs;
    // Ask for the server's acknowledgement right after each message (not a quarter second later):
    // the shorter the wait, the fewer messages are sent twice when the server goes away meanwhile.
    xmpp.streamManagement.requestAckDebounce = 0;
    xmpp.on('error', (error: Error) => this.logger.warn({ err: error }, 'XMPP connection error'));
    xmpp.on('status', (status: string) => this.logger.debug({ status }, 'XMPP connection status'));
    xmpp.on('online', () => void this.becameOnline(xmpp, false));
    xmpp.streamManagement.on('resumed', () => void this.becameOnline(xmpp, true));
    xmpp.on('disconnect', () => this.wentAway());
    xmpp.reconnect.on('reconnecting', () => {
      // The next attempt after this one waits twice as long (with jitter), up to a minute.
      this.retryMs = Math.min(MAX_RETRY_MS, this.retryMs * 2);
      xmpp.reconnect.delay = Math.round(this.retryMs * (0.75 + Math.random() * 0.5));
    });
    xmpp.streamManagement.on('ack', (stanza: Element) => this.settle(stanza.attrs.id, undefined));
    xmpp.streamManagement.on('fail', (stanza: Element) => this.settle(stanza.attrs.id, new NotDeliveredError('the XMPP server did not acknowledge the message before the stream ended')));
    xmpp.on('stanza', (stanza: Element) => this.handlers.stanza(stanza));
    // A server that is down at start: the reconnect module keeps trying, as after any disconnect.
    xmpp.start().catch((error: unknown) => this.logger.warn({ err: error, service: this.settings.service }, 'could not connect to the XMPP server; retrying'));
  }

  private async becameOnline(xmpp: Client, resumed: boolean): Promise<void> {
    if (xmpp !== this.xmpp) return;
    this.retryMs = FIRST_RETRY_MS;
    xmpp.reconnect.delay = FIRST_RETRY_MS;
    try {
      // Available presence, so that the server routes messages for the bot's address to it.
      if (!resumed) await xmpp.send(xml('presence', null, xml('status', null, 'Send "help" for the commands.')));
    } catch (error) {
      this.logger.warn({ err: error }, 'could not send presence');
      return;
    }
    this.online = true;
    this.logger.info({ jid: this.settings.jid, resumed, secure: xmpp.isSecure() }, 'chat bot online');
    this.handlers.online();
  }

  private wentAway(): void {
    if (!this.online) return;
    this.online = false;
    this.logger.warn({ service: this.settings.service }, 'chat bot lost its XMPP connection; reconnecting');
    this.handlers.offline();
  }

  private settle(id: string | undefined, error: Error | undefined): void {
    const waiter = id === undefined ? undefined : this.waiting.get(id);
    if (!waiter) return;
    this.waiting.delete(id!);
    clearTimeout(waiter.timer);
    if (error) waiter.reject(error);
    else waiter.resolve();
  }

  /** Sends a presence stanza (type subscribed, unsubscribed ...) to an address. */
  async sendPresence(to: string, type: string): Promise<void> {
    if (!this.online || !this.xmpp) throw new NotDeliveredError('not connected to the XMPP server');
    await this.xmpp.send(xml('presence', { to, type }));
  }

  /** Sends a chat message; resolves once the server acknowledged it, throws NotDeliveredError otherwise. */
  async sendChat(to: string, body: string): Promise<void> {
    const xmpp = this.xmpp;
    if (!this.online || !xmpp) throw new NotDeliveredError('not connected to the XMPP server');
    const id = randomUUID();
    const stanza = xml('message', { to: parseJid(to).toString(), type: 'chat', id }, xml('body', null, body));
    if (!xmpp.streamManagement.enabled) {
      // Without stream management a written message is all we can know of.
      if (!this.warnedNoAcks) this.logger.warn('the XMPP server does not offer stream management (XEP-0198): a message sent as the connection drops may be lost');
      this.warnedNoAcks = true;
      await xmpp.send(stanza).catch((error: unknown) => {
        throw new NotDeliveredError(`could not write to the XMPP stream: ${String(error)}`);
      });
      return;
    }
    const acknowledged = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => this.settle(id, new NotDeliveredError(`the XMPP server did not acknowledge the message within ${ACK_TIMEOUT_MS / 1000} s`)), ACK_TIMEOUT_MS);
      this.waiting.set(id, { resolve, reject, timer });
    });
    try {
      await xmpp.send(stanza);
    } catch (error) {
      this.settle(id, new NotDeliveredError(`could not write to the XMPP stream: ${String(error)}`));
    }
    await acknowledged;
  }

  /** Says goodbye to the server and stops reconnecting. */
  async stop(): Promise<void> {
    const xmpp = this.xmpp;
    if (!xmpp) return;
    this.xmpp = undefined;
    xmpp.reconnect.stop();
    this.online = false;
    for (const id of [...this.waiting.keys()]) this.settle(id, new NotDeliveredError('the chat bot is stopping'));
    await xmpp.stop().catch((error: unknown) => this.logger.debug({ err: error }, 'XMPP stream closed uncleanly'));
    xmpp.removeAllListeners();
    xmpp.on('error', () => {}); // late socket errors of a closed connection are of no interest
  }
}
