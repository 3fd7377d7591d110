// An independent ActivityPub server for tests: a small Fedify application (none of Ostrakon's code)
// with its own actors, keys and inbox, listening on loopback. It records what reaches its inbox and
// can follow, unfollow, and send hand-made (and deliberately broken) signed requests.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createFederation, generateCryptoKeyPair, MemoryKvStore, signRequest } from '@fedify/fedify';
import type { Federation, InboxContext } from '@fedify/fedify';
import { Accept, Announce, Block, Create, Delete, Endpoints, Flag, Follow, Like, Person, Reject, Undo, Update } from '@fedify/fedify/vocab';
import type { Activity, Actor } from '@fedify/fedify/vocab';
import { Temporal } from '@js-temporal/polyfill';

export type PeerActivity = { type: string; json: Record<string, unknown> };

export type ApPeer = {
  url: string;
  host: string;
  federation: Federation<void>;
  /** Activities that passed the peer's own signature checks, in arrival order. */
  received: PeerActivity[];
  /** Every request the peer was sent: method, path and the keyId of its signature, if signed. */
  requests: { method: string; path: string; keyId: string | undefined }[];
  /** How each actor answers a Follow (none: it records it and answers nothing). */
  answers: Map<string, 'accept' | 'reject'>;
  /** Display names the actors serve (default "Peer <name>"). */
  names: Map<string, string>;
  /** Objects (notes) the peer serves as activity+json, by their full URL; others are 404. */
  objects: Map<string, Record<string, unknown>>;
  /** Object URLs answered only once their promise settles (a slow server). */
  holds: Map<string, Promise<unknown>>;
  /** Object URLs answered 503 this many times first (a failing server). */
  failures: Map<string, number>;
  actorUri(name: string): string;
  /** Looks up acct:user@host over WebFinger (http: loopback has no TLS) and fetches the actor. */
  resolve(handle: string): Promise<Actor>;
  /** Sends a Follow from `name` to the actor; returns the Follow's id. */
  follow(name: string, target: Actor): Promise<string>;
  /** Sends Undo(Follow) for a Follow sent earlier. */
  unfollow(name: string, target: Actor, followId: string): Promise<void>;
  /** The headers of a POST of `body` to `url` signed (draft-cavage, with Digest and Date) by `name`'s RSA key, to send as often as a test likes. */
  signedHeaders(name: string, url: string, body: string): Promise<Headers>;
  /** POSTs a body to a URL signed (draft-cavage) with `name`'s RSA key, with the changes a test asks for. */
  signedPost(name: string, url: string, body: string, options?: { date?: Date; sendBody?: string; tamperSignature?: boolean }): Promise<Response>;
  stop(): Promise<void>;
};

// ghost's inbox is a path the peer does not serve: deliveries to it fail for good (404).
const ACTORS = ['peer', 'mallory', 'ghost'];

/** Starts the peer on a loopback port the OS picks. */
export async function startApPeer(): Promise<ApPeer> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  const keys = new Map<string, CryptoKeyPair>();
  for (const name of ACTORS) keys.set(name, await generateCryptoKeyPair('RSASSA-PKCS1-v1_5'));
  const received: PeerActivity[] = [];
  const answers = new Map<string, 'accept' | 'reject'>();
  const names = new Map<string, string>();
  const objects = new Map<string, Record<string, unknown>>();
  const holds = new Map<string, Promise<unknown>>();
  const failures = new Map<string, number>();
  const requests: ApPeer['requests'] = [];

  const federation = createFederation<void>({ kv: new MemoryKvStore(), origin: url, allowPrivateAddress: true, firstKnock: 'draft-cavage-http-signatures-12' });
  federation
    .setActorDispatcher('/actors/{identifier}', async (ctx, identifier) => {
      if (!keys.has(identifier)) return null;
      const [pair] = await ctx.getActorKeyPairs(identifier);
      return new Person({
        id: ctx.getActorUri(identifier),
        preferredUsername: identifier,
        name: names.get(identifier) ?? `Peer ${identifier}`,
        summary: '<p>I live <script>alert(1)</script>elsewhere</p>',
        inbox: identifier === 'ghost' ? new URL(`${url}/nowhere`) : ctx.getInboxUri(identifier),
        endpoints: identifier === 'ghost' ? null : new Endpoints({ sharedInbox: ctx.getInboxUri() }),
        // mallory claims a profile page on another site, which Ostrakon must not take as hers
        url: new URL(identifier === 'mallory' ? 'https://elsewhere.example/@mallory' : `${url}/@${identifier}`),
        publicKey: pair!.cryptographicKey,
      });
    })
    .setKeyPairsDispatcher((_ctx, identifier) => {
      const pair = keys.get(identifier);
      return pair ? [pair] : [];
    });
  const record = async (_ctx: unknown, activity: Activity) => {
    received.push({ type: activity.constructor.name, json: (await activity.toJsonLd()) as Record<string, unknown> });
  };
  const onFollow = async (ctx: InboxContext<void>, follow: Follow) => {
    await record(ctx, follow);
    const parsed = follow.objectId ? ctx.parseUri(follow.objectId) : null;
    const answer = parsed?.type === 'actor' ? answers.get(parsed.identifier) : undefined;
    if (!answer || parsed?.type !== 'actor') return;
    const follower = await follow.getActor(ctx);
    if (!follower) return;
    const Answer = answer === 'accept' ? Accept : Reject;
    const me = ctx.getActorUri(parsed.identifier);
    await ctx.sendActivity({ identifier: parsed.identifier }, follower, new Answer({ id: new URL(`${me.href}#answers/${crypto.randomUUID()}`), actor: me, object: follow }));
  };
  federation.setInboxListeners('/actors/{identifier}/inbox', '/inbox').on(Accept, record).on(Reject, record).on(Follow, onFollow).on(Undo, record).on(Create, record).on(Update, record).on(Delete, record).on(Like, record).on(Announce, record).on(Block, record).on(Flag, record);

  server.on('request', (req, res) => {
    const signature = req.headers.signature ?? req.headers['signature-input'];
    const keyId = typeof signature === 'string' ? /keyid="([^"]+)"/i.exec(signature)?.[1] : undefined;
    requests.push({ method: req.method ?? '', path: req.url ?? '', keyId });
    const address = `${url}${req.url}`;
    const object = req.method === 'GET' ? objects.get(address) : undefined;
    if (object) {
      void (async () => {
        await holds.get(address);
        const failing = failures.get(address) ?? 0;
        if (failing > 0) {
          failures.set(address, failing - 1);
          return void res.writeHead(503).end('busy');
        }
        res.writeHead(200, { 'content-type': 'application/activity+json' });
        res.end(JSON.stringify({ '@context': 'https://www.w3.org/ns/activitystreams', ...object }));
      })();
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', async () => {
      const headers = new Headers();
      for (const [name, value] of Object.entries(req.headers)) if (typeof value === 'string') headers.set(name, value);
      const body = req.method === 'GET' || req.method === 'HEAD' ? undefined : Buffer.concat(chunks);
      const response = await federation.fetch(new Request(`${url}${req.url}`, { method: req.method, headers, body }), { contextData: undefined });
      res.writeHead(response.status, Object.fromEntries(response.headers.entries()));
      res.end(Buffer.from(await response.arrayBuffer()));
    });
  });

  const context = () => federation.createContext(new URL(url), undefined);

  return {
    url,
    host: `127.0.0.1:${port}`,
    federation,
    received,
    answers,
    names,
    objects,
    holds,
    failures,
    requests,
    actorUri: (name) => `${url}/actors/${name}`,
    async resolve(handle) {
      const [user, host] = handle.replace(/^@/, '').split('@');
      const response = await fetch(`http://${host}/.well-known/webfinger?resource=${encodeURIComponent(`acct:${user}@${host}`)}`);
      if (response.status !== 200) throw new Error(`WebFinger for ${handle} answered ${response.status}`);
      const jrd = (await response.json()) as { links: { rel: string; type?: string; href: string }[] };
      const self = jrd.links.find((link) => link.rel === 'self' && link.type === 'application/activity+json');
      if (!self) throw new Error(`no actor link for ${handle}`);
      const actor = await context().lookupObject(self.href);
      if (!actor || !('inboxId' in actor)) throw new Error(`${self.href} is not an actor`);
      return actor as Actor;
    },
    async follow(name, target) {
      const ctx = context();
      const id = `${ctx.getActorUri(name).href}#follows/${crypto.randomUUID()}`;
      await ctx.sendActivity({ identifier: name }, target, new Follow({ id: new URL(id), actor: ctx.getActorUri(name), object: target.id }));
      return id;
    },
    async unfollow(name, target, followId) {
      const ctx = context();
      const follow = new Follow({ id: new URL(followId), actor: ctx.getActorUri(name), object: target.id });
      await ctx.sendActivity({ identifier: name }, target, new Undo({ id: new URL(`${followId}/undo`), actor: ctx.getActorUri(name), object: follow }));
    },
    async signedHeaders(name, target, body) {
      const pair = keys.get(name)!;
      const request = new Request(target, { method: 'POST', headers: { 'content-type': 'application/activity+json' }, body });
      return new Headers((await signRequest(request, pair.privateKey, new URL(`${url}/actors/${name}#main-key`), { spec: 'draft-cavage-http-signatures-12' })).headers);
    },
    async signedPost(name, target, body, options = {}) {
      const pair = keys.get(name)!;
      const request = new Request(target, { method: 'POST', headers: { 'content-type': 'application/activity+json' }, body });
      const signed = await signRequest(request, pair.privateKey, new URL(`${url}/actors/${name}#main-key`), {
        spec: 'draft-cavage-http-signatures-12',
        ...(options.date ? { currentTime: Temporal.Instant.fromEpochMilliseconds(options.date.getTime()) } : {}),
      });
      const headers = new Headers(signed.headers);
      if (options.tamperSignature) headers.set('signature', headers.get('signature')!.replace(/signature="([A-Za-z0-9+/])/, (_m, c: string) => `signature="${c === 'A' ? 'B' : 'A'}`));
      return fetch(target, { method: 'POST', headers, body: options.sendBody ?? body });
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
