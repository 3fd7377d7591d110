// A person's chat client for tests: an @xmpp/client connection to the test Prosody that keeps every
// chat message and presence it receives, reconnects when the server comes back (sending its
// presence again, so stored offline messages arrive), and lets a test wait for what it expects.
import { client, xml } from '@xmpp/client';
import type { Client, Element } from '@xmpp/client';

export type Received = { from: string; body: string; at: number };
export type ReceivedPresence = { from: string; type: string };

type Waiter<T> = { match: (item: T) => boolean; resolve: (item: T) => void };

export class TestChatClient {
  readonly jid: string;
  private readonly xmpp: Client;
  private readonly inbox: Received[] = [];
  private readonly presences: ReceivedPresence[] = [];
  private readonly waiters: Waiter<Received>[] = [];
  private readonly presenceWaiters: Waiter<ReceivedPresence>[] = [];
  private readonly seenIds = new Set<string>();

  private constructor(jid: string, xmpp: Client) {
    this.jid = jid;
    this.xmpp = xmpp;
  }

  /** Connects as `jid` (bare) with `resource`, and announces itself available. */
  static async connect(service: string, jid: string, password: string, resource = 'test'): Promise<TestChatClient> {
    const [username, domain] = jid.split('@') as [string, string];
    const xmpp = client({ service, domain, username, password, resource });
    const chat = new TestChatClient(jid, xmpp);
    xmpp.on('error', () => {}); // a restarted server: the reconnect module tries again
    // As a real client does: fetch the roster (the server then tells this resource of subscription
    // changes), and announce itself available (stored offline messages then arrive).
    xmpp.on('online', () => {
      void xmpp.send(xml('iq', { type: 'get', id: `roster-${Date.now()}` }, xml('query', { xmlns: 'jabber:iq:roster' }))).catch(() => {});
      void xmpp.send(xml('presence')).catch(() => {});
    });
    xmpp.on('stanza', (stanza: Element) => chat.take(stanza));
    await xmpp.start();
    return chat;
  }

  private take(stanza: Element): void {
    const from = (stanza.attrs.from ?? '').split('/')[0]!;
    if (stanza.is('message') && stanza.attrs.type !== 'error') {
      const body = stanza.getChildText('body');
      if (body === null) return;
      // A server hands a message again that this client received but had not acknowledged when the
      // stream broke (stream management); chat clients recognise it by its id, and so does this one.
      const id = stanza.attrs.id;
      if (id !== undefined && this.seenIds.has(id)) return;
      if (id !== undefined) this.seenIds.add(id);
      const item = { from, body, at: Date.now() };
      const waiter = this.waiters.find((w) => w.match(item));
      if (waiter) {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        waiter.resolve(item);
      } else this.inbox.push(item);
    } else if (stanza.is('presence')) {
      const item = { from, type: stanza.attrs.type ?? 'available' };
      const waiter = this.presenceWaiters.find((w) => w.match(item));
      if (waiter) {
        this.presenceWaiters.splice(this.presenceWaiters.indexOf(waiter), 1);
        waiter.resolve(item);
      } else this.presences.push(item);
    }
  }

  /** Whether the connection is up. */
  get online(): boolean {
    return this.xmpp.status === 'online';
  }

  /** Sends a chat message. */
  async send(to: string, body: string): Promise<void> {
    await this.xmpp.send(xml('message', { to, type: 'chat' }, xml('body', null, body)));
  }

  /** Sends a presence stanza of this type (subscribe ...) to an address. */
  async sendPresence(to: string, type: string): Promise<void> {
    await this.xmpp.send(xml('presence', { to, type }));
  }

  /** The first message not yet taken that matches (waiting up to timeoutMs for one), taken out of the inbox. */
  next(match: (message: Received) => boolean = () => true, timeoutMs = 15_000, what = 'a chat message'): Promise<Received> {
    const index = this.inbox.findIndex(match);
    if (index >= 0) return Promise.resolve(this.inbox.splice(index, 1)[0]!);
    return new Promise((resolve, reject) => {
      const waiter: Waiter<Received> = { match, resolve: (item) => (clearTimeout(timer), resolve(item)) };
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(new Error(`${this.jid} timed out after ${timeoutMs} ms waiting for ${what}; its inbox holds: ${JSON.stringify(this.inbox)}`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  /** The next message from `from` (by default anyone) whose body matches `pattern`. */
  nextFrom(from: string, pattern: RegExp = /[\s\S]*/, timeoutMs = 15_000): Promise<Received> {
    return this.next((m) => m.from === from && pattern.test(m.body), timeoutMs, `a message from ${from} matching ${pattern}`);
  }

  /** Resolves after waitMs with the messages that arrived meanwhile (and were not taken), taking them out. */
  async quietFor(waitMs: number): Promise<Received[]> {
    await new Promise((resolve) => setTimeout(resolve, waitMs));
    return this.inbox.splice(0);
  }

  /** The next presence stanza matching, waiting up to timeoutMs. */
  nextPresence(match: (presence: ReceivedPresence) => boolean, timeoutMs = 10_000): Promise<ReceivedPresence> {
    const index = this.presences.findIndex(match);
    if (index >= 0) return Promise.resolve(this.presences.splice(index, 1)[0]!);
    return new Promise((resolve, reject) => {
      const waiter: Waiter<ReceivedPresence> = { match, resolve: (item) => (clearTimeout(timer), resolve(item)) };
      const timer = setTimeout(() => {
        this.presenceWaiters.splice(this.presenceWaiters.indexOf(waiter), 1);
        reject(new Error(`${this.jid} timed out waiting for a presence; received: ${JSON.stringify(this.presences)}`));
      }, timeoutMs);
      this.presenceWaiters.push(waiter);
    });
  }

  /** Waits until the connection is up again (after the server came back). */
  async waitOnline(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.online) {
      if (Date.now() > deadline) throw new Error(`${this.jid} did not reconnect within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Disconnects for good. */
  async stop(): Promise<void> {
    this.xmpp.reconnect.stop();
    await this.xmpp.stop().catch(() => {});
  }
}

/** The path of the first link to this site's `prefix` in a message, e.g. /main/confirmim/<token>. */
export function chatLinkPath(message: Received, prefix: string): string {
  const match = new RegExp(`https?://[^\\s/]+(${prefix.replace(/[/]/g, '\\/')}[A-Za-z0-9_-]+)`).exec(message.body);
  if (!match) throw new Error(`no ${prefix} link in: ${message.body}`);
  return match[1]!;
}
