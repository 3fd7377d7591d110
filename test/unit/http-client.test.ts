// The outbound client refuses loopback, private, link-local and other special addresses before it
// connects, follows at most two redirects (checking each hop), and bounds size and time. Only
// 127.0.0.1 is ever contacted: where a test needs another address to look reachable, the injected
// connector records what the client asked for and connects to the local test server instead.
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createHttpClient, OutboundError } from '../../src/federation/http-client.ts';
import type { ConnectTarget, Resolver } from '../../src/federation/http-client.ts';
import { blockedAddressReason } from '../../src/federation/address-policy.ts';
import { DiscoveryError, discoverServices } from '../../src/federation/omb/discovery.ts';
import { postSigned } from '../../src/federation/omb/outbound.ts';

let server: http.Server;
let port: number;
let connections = 0;

before(async () => {
  server = http.createServer((req, res) => {
    const url = new URL(req.url!, 'http://x');
    const go = (location: string) => res.writeHead(302, { location }).end();
    switch (url.pathname) {
      case '/ok':
        return res.end(`ok ${req.method}`);
      case '/to-metadata':
        return go('http://169.254.169.254/latest/meta-data/');
      case '/to-private':
        return go('http://10.1.2.3/admin');
      case '/to-loopback':
        return go(`http://localhost:${port}/ok`);
      case '/to-compat':
        return go(`http://[::127.0.0.1]:${port}/ok`);
      case '/to-6to4':
        return go(`http://[2002:a9fe:a9fe::1]/latest/meta-data/`);
      case '/xrds-header':
        return res.writeHead(200, { 'content-type': 'text/html', 'x-xrds-location': `http://[::127.0.0.1]:${port}/xrds` }).end('<html></html>');
      case '/xrds-meta':
        return res.writeHead(200, { 'content-type': 'text/html' }).end(`<html><head><meta http-equiv="X-XRDS-Location" content="http://[64:ff9b::7f00:1]:${port}/xrds"></head></html>`);
      case '/hop':
        return Number(url.searchParams.get('n')) > 0 ? go(`/hop?n=${Number(url.searchParams.get('n')) - 1}`) : res.end('arrived');
      case '/big':
        return res.end('x'.repeat(2 * 1024 * 1024));
      case '/slow':
        return; // never answers
      default:
        res.writeHead(404).end();
    }
  });
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
after(() => {
  server.closeAllConnections();
  server.close();
});

// Pretends names and addresses are reachable, but every socket goes to the local test server.
function seams(names: Record<string, string[]>) {
  const asked: ConnectTarget[] = [];
  const resolve: Resolver = async (hostname) => (names[hostname] ?? []).map((address) => ({ address, family: net.isIP(address) }));
  const connect = (target: ConnectTarget) => {
    asked.push(target);
    return net.connect({ host: '127.0.0.1', port });
  };
  return { asked, resolve, connect };
}

async function refused(promise: Promise<unknown>, kind: string): Promise<void> {
  await assert.rejects(promise, (error: unknown) => error instanceof OutboundError && error.kind === kind);
}

describe('outbound address checks', () => {
  it('classifies addresses', () => {
    for (const ip of ['127.0.0.1', '10.0.0.1', '172.16.5.4', '192.168.1.1', '::1', 'fd00::1', '::ffff:127.0.0.1']) {
      assert.ok(blockedAddressReason(ip, false), `${ip} is blocked by default`);
      assert.equal(blockedAddressReason(ip, true), undefined, `${ip} is allowed by the setting`);
    }
    for (const ip of ['169.254.169.254', '0.0.0.0', '100.64.0.1', '224.0.0.1', '255.255.255.255', 'fe80::1', '::', 'ff02::1', '::ffff:169.254.169.254', '64:ff9b::a9fe:a9fe']) {
      assert.ok(blockedAddressReason(ip, true), `${ip} is always blocked`);
    }
    for (const ip of ['1.2.3.4', '2001:4860::8888']) assert.equal(blockedAddressReason(ip, false), undefined);
  });

  it('never connects to loopback by default (real resolver and sockets)', async () => {
    const client = createHttpClient({ allowPrivateAddresses: false });
    const before = connections;
    await refused(client.request(`http://127.0.0.1:${port}/ok`), 'blocked');
    await refused(client.request(`http://localhost:${port}/ok`), 'blocked');
    await refused(client.request(`http://[::1]:${port}/ok`), 'blocked');
    await refused(client.request(`http://[::ffff:127.0.0.1]:${port}/ok`), 'blocked');
    await refused(client.request(`http://2130706433:${port}/ok`), 'blocked'); // 127.0.0.1 as one number
    await refused(client.request(`http://0x7f.1:${port}/ok`), 'blocked');
    await refused(client.request(`http://127.1:${port}/ok`), 'blocked');
    await refused(client.request(`http://[::127.0.0.1]:${port}/ok`), 'blocked'); // IPv4-compatible
    await refused(client.request(`http://[::ffff:0:7f00:1]:${port}/ok`), 'blocked'); // IPv4-translated
    assert.equal(connections, before, 'the local server saw no connection');
  });

  it('reaches loopback when ALLOW_PRIVATE_ADDRESSES is set', async () => {
    const client = createHttpClient({ allowPrivateAddresses: true });
    const response = await client.request(`http://127.0.0.1:${port}/ok`);
    assert.equal(response.status, 200);
    assert.equal(response.body, 'ok GET');
  });

  it('refuses private, link-local (metadata) and special addresses before connecting', async () => {
    const { asked, resolve, connect } = seams({});
    const client = createHttpClient({ allowPrivateAddresses: false, resolve, connect });
    for (const url of ['http://10.0.0.1/', 'http://172.16.0.1/', 'http://192.168.1.1/', 'http://169.254.169.254/latest/meta-data/', 'http://[fe80::1]/', 'http://0.0.0.0/', 'http://100.64.0.1/', 'http://[fd00::1]/']) {
      await refused(client.request(url), 'blocked');
    }
    const permissive = createHttpClient({ allowPrivateAddresses: true, resolve, connect });
    await refused(permissive.request('http://169.254.169.254/latest/meta-data/'), 'blocked');
    await refused(permissive.request('http://[fe80::1]/'), 'blocked');
    assert.deepEqual(asked, [], 'no connection was attempted');
  });

  it('refuses names that resolve to private addresses, even when one of their addresses is public', async () => {
    const { asked, resolve, connect } = seams({ 'internal.test': ['10.0.0.5'], 'mixed.test': ['1.2.3.4', '127.0.0.1'], 'metadata.test': ['169.254.169.254'] });
    const client = createHttpClient({ allowPrivateAddresses: false, resolve, connect });
    await refused(client.request('http://internal.test/'), 'blocked');
    await refused(client.request('http://mixed.test/'), 'blocked');
    await refused(client.request('http://metadata.test/'), 'blocked');
    assert.deepEqual(asked, []);
  });

  it('connects to exactly the address it checked', async () => {
    const { asked, resolve, connect } = seams({ 'public.test': ['1.2.3.4'] });
    const client = createHttpClient({ allowPrivateAddresses: false, resolve, connect });
    const response = await client.request('http://public.test/ok');
    assert.equal(response.body, 'ok GET');
    assert.deepEqual(asked.map((t) => [t.address, t.hostname, t.port]), [['1.2.3.4', 'public.test', 80]]);
  });

  it('checks every redirect: redirects to metadata, private and loopback addresses never connect', async () => {
    const { asked, resolve, connect } = seams({ 'public.test': ['1.2.3.4'], localhost: ['127.0.0.1'] });
    const client = createHttpClient({ allowPrivateAddresses: false, resolve, connect });
    await refused(client.request('http://public.test/to-metadata'), 'blocked');
    await refused(client.request('http://public.test/to-private'), 'blocked');
    await refused(client.request('http://public.test/to-loopback'), 'blocked');
    assert.deepEqual(asked.map((t) => t.address), ['1.2.3.4', '1.2.3.4', '1.2.3.4'], 'only the first hop of each connected');
  });
});

describe('IPv6 forms of IPv4 addresses', () => {
  // A connector that would reach the local server whatever it is asked for: so a form that got
  // through the checks would show up in `asked`.
  it('refuses every IPv6 spelling of loopback, private and link-local before connecting', async () => {
    const { asked, resolve, connect } = seams({ 'v6.test': ['::7f00:1'], 'nat64.test': ['64:ff9b::a9fe:a9fe'] });
    const client = createHttpClient({ allowPrivateAddresses: false, resolve, connect });
    for (const url of [
      'http://[::127.0.0.1]/',
      'http://[::7f00:1]/',
      'http://[::ffff:127.0.0.1]/',
      'http://[::ffff:0:7f00:1]/',
      'http://[64:ff9b::7f00:1]/',
      'http://[64:ff9b:1::7f00:1]/',
      'http://[2002:7f00:1::1]/',
      'http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/',
      'http://[::a00:1]/',
      'http://v6.test/',
      'http://nat64.test/',
    ]) {
      await refused(client.request(url), 'blocked');
    }
    const permissive = createHttpClient({ allowPrivateAddresses: true, resolve, connect });
    for (const url of ['http://[::169.254.169.254]/', 'http://[64:ff9b::a9fe:a9fe]/', 'http://[2002:a9fe:a9fe::1]/', 'http://nat64.test/']) {
      await refused(permissive.request(url), 'blocked');
    }
    assert.deepEqual(asked, [], 'no connection was attempted');
  });

  it('connects to IPv6 forms of public IPv4 addresses (NAT64 from DNS64)', async () => {
    const { asked, resolve, connect } = seams({ 'dns64.test': ['64:ff9b::102:304'] });
    const client = createHttpClient({ allowPrivateAddresses: false, resolve, connect });
    assert.equal((await client.request('http://dns64.test/ok')).body, 'ok GET');
    assert.deepEqual(asked.map((t) => t.address), ['64:ff9b::102:304']);
  });

  it('checks redirects to IPv6 forms', async () => {
    const { asked, resolve, connect } = seams({ 'public.test': ['1.2.3.4'] });
    const client = createHttpClient({ allowPrivateAddresses: false, resolve, connect });
    await refused(client.request('http://public.test/to-compat'), 'blocked');
    await refused(createHttpClient({ allowPrivateAddresses: true, resolve, connect }).request('http://public.test/to-6to4'), 'blocked');
    assert.deepEqual(asked.map((t) => t.address), ['1.2.3.4', '1.2.3.4']);
  });

  it('discovery never follows an XRDS location (header or meta tag) to an IPv6 form of loopback', async () => {
    const { asked, resolve, connect } = seams({ 'public.test': ['1.2.3.4'] });
    const client = createHttpClient({ allowPrivateAddresses: false, resolve, connect });
    await assert.rejects(discoverServices(client, 'http://public.test/xrds-header'), (error: Error) => error instanceof DiscoveryError && /refused to connect/.test(error.message));
    await assert.rejects(discoverServices(client, 'http://public.test/xrds-meta'), (error: Error) => error instanceof DiscoveryError && /refused to connect/.test(error.message));
    await assert.rejects(discoverServices(client, 'http://[::127.0.0.1]/alice'), (error: Error) => error instanceof DiscoveryError && /refused to connect/.test(error.message));
    assert.deepEqual(asked.map((t) => t.address), ['1.2.3.4', '1.2.3.4'], 'only the public profile pages were fetched');
  });

  it('never posts to OAuth or OMB endpoints at IPv6 forms of loopback', async () => {
    const { asked, resolve, connect } = seams({});
    const client = createHttpClient({ allowPrivateAddresses: false, resolve, connect });
    for (const endpoint of ['http://[::127.0.0.1]/omb/requesttoken', 'http://[::ffff:7f00:1]/omb/accesstoken', 'http://[64:ff9b::a00:1]/omb/postnotice', 'http://[2002:7f00:1::]/omb/updateprofile']) {
      await refused(postSigned(client, endpoint, 'http://us.example/', { key: 'k', secret: 's' }, { omb_version: 'v' }), 'blocked');
    }
    assert.deepEqual(asked, []);
  });
});

describe('outbound limits', () => {
  const client = () => createHttpClient({ allowPrivateAddresses: true });

  it('follows at most two redirects', async () => {
    assert.equal((await client().request(`http://127.0.0.1:${port}/hop?n=2`)).body, 'arrived');
    await refused(client().request(`http://127.0.0.1:${port}/hop?n=3`), 'redirects');
    await refused(client().request(`http://127.0.0.1:${port}/hop?n=3`, { maxRedirects: 10 }), 'redirects');
  });

  it('never follows a redirect of a POST', async () => {
    const response = await client().request(`http://127.0.0.1:${port}/hop?n=1`, { method: 'POST', body: 'a=b', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(response.status, 302);
  });

  it('caps the size of an answer', async () => {
    await refused(client().request(`http://127.0.0.1:${port}/big`, { maxBytes: 1024 * 1024 }), 'too-large');
  });

  it('gives up on a server that does not answer', async () => {
    const started = Date.now();
    await refused(client().request(`http://127.0.0.1:${port}/slow`, { totalTimeoutMs: 500 }), 'timeout');
    assert.ok(Date.now() - started < 3000);
  });

  it('refuses other schemes and URLs with credentials', async () => {
    await refused(client().request('file:///etc/passwd'), 'bad-url');
    await refused(client().request('gopher://127.0.0.1/'), 'bad-url');
    await refused(client().request(`http://user:pw@127.0.0.1:${port}/ok`), 'bad-url');
  });
});
