// The one outbound HTTP client: every request to another server (discovery, token calls, pushes)
// goes through it. It resolves the host itself, refuses special and (unless allowed) private
// addresses before any connection is made, connects to exactly the address it checked, and bounds
// time, size and redirects.
import { promises as dns } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import type { Config } from '../config.ts';
import { blockedAddressReason } from './address-policy.ts';

/** The hard limit on redirects any request follows. */
export const MAX_REDIRECTS = 2;

export type OutboundErrorKind = 'bad-url' | 'blocked' | 'timeout' | 'network' | 'too-large' | 'redirects';

/** A request that could not be completed; `kind` says why. */
export class OutboundError extends Error {
  readonly kind: OutboundErrorKind;
  constructor(kind: OutboundErrorKind, message: string) {
    super(message);
    this.kind = kind;
  }
}

export type ResolvedAddress = { address: string; family: number };
/** Turns a host name into the addresses to connect to. */
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;
export type ConnectTarget = { address: string; family: number; port: number; hostname: string; secure: boolean };
/** Opens the socket to an address that has already passed the checks. */
export type Connector = (target: ConnectTarget) => Duplex;

export type HttpClientOptions = {
  allowPrivateAddresses: boolean;
  resolve?: Resolver;
  connect?: Connector;
  connectTimeoutMs?: number;
  readTimeoutMs?: number;
  totalTimeoutMs?: number;
  maxBytes?: number;
  userAgent?: string;
};

export type OutboundRequest = {
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  /** Redirects to follow (GET only), at most MAX_REDIRECTS; POSTs never follow them. */
  maxRedirects?: number;
  maxBytes?: number;
  totalTimeoutMs?: number;
};

export type OutboundResponse = {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** The body as received, for binary answers (images). */
  bytes: Buffer;
  /** The URL that answered, after redirects. */
  url: string;
};

export type HttpClient = {
  request(url: string, init?: OutboundRequest): Promise<OutboundResponse>;
};

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

const systemResolver: Resolver = async (hostname) => {
  try {
    return await dns.lookup(hostname, { all: true, verbatim: true });
  } catch (error) {
    throw new OutboundError('network', `cannot resolve ${hostname}: ${(error as Error).message}`);
  }
};

const systemConnector: Connector = (target) =>
  target.secure
    ? tls.connect({ host: target.address, port: target.port, servername: net.isIP(target.hostname) ? undefined : target.hostname })
    : net.connect({ host: target.address, port: target.port });

function parseTarget(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new OutboundError('bad-url', `not a URL: ${raw.slice(0, 200)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new OutboundError('bad-url', `only http and https URLs are fetched, not ${url.protocol}`);
  if (url.username || url.password) throw new OutboundError('bad-url', 'URLs with credentials are not fetched');
  return url;
}

/** Creates the client; tests may replace the resolver and the connector (never the checks). */
export function createHttpClient(options: HttpClientOptions): HttpClient {
  const resolve = options.resolve ?? systemResolver;
  const connect = options.connect ?? systemConnector;
  const connectTimeoutMs = options.connectTimeoutMs ?? 5_000;
  const readTimeoutMs = options.readTimeoutMs ?? 10_000;
  const userAgent = options.userAgent ?? 'Ostrakon';

  async function checkedAddress(url: URL): Promise<ResolvedAddress> {
    const hostname = url.hostname.replace(/^\[(.*)\]$/, '$1');
    const family = net.isIP(hostname);
    const addresses = family !== 0 ? [{ address: hostname, family }] : await resolve(hostname);
    if (addresses.length === 0) throw new OutboundError('network', `${hostname} has no addresses`);
    // Every address must pass, so a name that also points inside cannot be used to get there.
    for (const candidate of addresses) {
      const reason = blockedAddressReason(candidate.address, options.allowPrivateAddresses);
      if (reason) throw new OutboundError('blocked', `refused to connect to ${hostname}: ${reason}`);
    }
    return addresses[0]!;
  }

  function once(url: URL, address: ResolvedAddress, init: OutboundRequest, deadline: number, maxBytes: number) {
    return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }>((done, fail) => {
      const secure = url.protocol === 'https:';
      const port = Number(url.port) || (secure ? 443 : 80);
      const headers: Record<string, string> = { 'user-agent': userAgent, ...init.headers };
      if (init.body !== undefined) headers['content-length'] = String(Buffer.byteLength(init.body));
      const request = (secure ? https : http).request({
        protocol: url.protocol,
        host: url.hostname,
        port,
        path: `${url.pathname}${url.search}`,
        method: init.method ?? 'GET',
        headers,
        createConnection: () => connect({ address: address.address, family: address.family, port, hostname: url.hostname, secure }),
      });
      let settled = false;
      const finish = (error: Error | undefined, value?: { status: number; headers: http.IncomingHttpHeaders; body: Buffer }) => {
        if (settled) return;
        settled = true;
        clearTimeout(totalTimer);
        clearTimeout(connectTimer);
        if (error) {
          request.destroy();
          fail(error);
        } else done(value!);
      };
      const totalTimer = setTimeout(() => finish(new OutboundError('timeout', `no complete answer from ${url.host} in time`)), Math.max(0, deadline - Date.now()));
      const connectTimer = setTimeout(() => finish(new OutboundError('timeout', `could not connect to ${url.host} in time`)), connectTimeoutMs);
      request.on('socket', (socket) => {
        socket.once('connect', () => clearTimeout(connectTimer));
      });
      request.setTimeout(readTimeoutMs, () => finish(new OutboundError('timeout', `${url.host} stopped answering`)));
      request.on('error', (error) => finish(error instanceof OutboundError ? error : new OutboundError('network', `${url.host}: ${error.message}`)));
      request.on('response', (response) => {
        const declared = Number(response.headers['content-length']);
        if (Number.isFinite(declared) && declared > maxBytes) {
          finish(new OutboundError('too-large', `${url.host} answered with more than ${maxBytes} bytes`));
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > maxBytes) finish(new OutboundError('too-large', `${url.host} answered with more than ${maxBytes} bytes`));
          else chunks.push(chunk);
        });
        response.on('end', () => finish(undefined, { status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }));
        response.on('error', (error) => finish(new OutboundError('network', `${url.host}: ${error.message}`)));
      });
      request.end(init.body);
    });
  }

  return {
    async request(rawUrl, init = {}) {
      const method = init.method ?? 'GET';
      const maxRedirects = method === 'GET' ? Math.min(init.maxRedirects ?? MAX_REDIRECTS, MAX_REDIRECTS) : 0;
      const maxBytes = init.maxBytes ?? options.maxBytes ?? 1024 * 1024;
      const deadline = Date.now() + (init.totalTimeoutMs ?? options.totalTimeoutMs ?? 15_000);
      let url = parseTarget(rawUrl);
      for (let redirects = 0; ; redirects++) {
        const address = await checkedAddress(url);
        const response = await once(url, address, init, deadline, maxBytes);
        const location = response.headers.location;
        if (!REDIRECTS.has(response.status) || !location || maxRedirects === 0) {
          return { status: response.status, headers: response.headers, body: response.body.toString('utf8'), bytes: response.body, url: url.href };
        }
        if (redirects >= maxRedirects) throw new OutboundError('redirects', `more than ${maxRedirects} redirects from ${rawUrl.slice(0, 200)}`);
        const next = parseTarget(new URL(location, url).href);
        if (url.protocol === 'https:' && next.protocol === 'http:') throw new OutboundError('bad-url', 'refused a redirect from https to http');
        url = next;
      }
    },
  };
}

/** The process's client for this configuration (loopback and private addresses only when allowed). */
export function httpClientForConfig(config: Config): HttpClient {
  return createHttpClient({ allowPrivateAddresses: config.allowPrivateAddresses, userAgent: `Ostrakon (+${config.publicUrl}/)` });
}
