// The address policy, form by form: every IPv6 spelling that carries an IPv4 address is judged by
// that IPv4 address, and the special-purpose ranges of both families are refused (loopback and
// private ones unless ALLOW_PRIVATE_ADDRESSES is set). URLs are judged by the host WHATWG URL
// parsing leaves, which is what the outbound client connects to.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { blockedAddressReason } from '../../src/federation/address-policy.ts';

type Expect = 'allowed' | 'private' | 'special';

// [address, what it is, expected verdict]: 'private' = refused unless the setting allows it.
const TABLE: [string, string, Expect][] = [
  // IPv4
  ['1.2.3.4', 'public', 'allowed'],
  ['8.8.8.8', 'public', 'allowed'],
  ['127.0.0.1', 'loopback', 'private'],
  ['127.255.255.254', 'loopback', 'private'],
  ['10.0.0.1', 'private', 'private'],
  ['172.16.5.4', 'private', 'private'],
  ['172.31.255.255', 'private', 'private'],
  ['192.168.1.1', 'private', 'private'],
  ['0.0.0.0', 'this network', 'special'],
  ['0.1.2.3', 'this network', 'special'],
  ['169.254.169.254', 'link-local (cloud metadata)', 'special'],
  ['100.64.0.1', 'shared address space', 'special'],
  ['192.0.0.8', 'IETF protocol assignments', 'special'],
  ['192.0.2.1', 'documentation', 'special'],
  ['192.88.99.1', '6to4 relay anycast', 'special'],
  ['198.18.0.1', 'benchmarking', 'special'],
  ['198.51.100.7', 'documentation', 'special'],
  ['203.0.113.9', 'documentation', 'special'],
  ['224.0.0.1', 'multicast', 'special'],
  ['240.0.0.1', 'reserved', 'special'],
  ['255.255.255.255', 'broadcast', 'special'],
  // native IPv6
  ['2001:4860:4860::8888', 'public', 'allowed'],
  ['2a00:1450:4001::200e', 'public', 'allowed'],
  ['::1', 'loopback', 'private'],
  ['fd00::1', 'unique local', 'private'],
  ['fc00::1', 'unique local', 'private'],
  ['::', 'unspecified', 'special'],
  ['fe80::1', 'link-local', 'special'],
  ['fe80::1%eth0', 'link-local with a zone', 'special'],
  ['fec0::1', 'site-local (deprecated)', 'special'],
  ['ff02::1', 'multicast', 'special'],
  ['100::1', 'discard-only', 'special'],
  ['100:0:0:1::1', 'dummy prefix', 'special'],
  ['2001:db8::1', 'documentation', 'special'],
  ['2001:2::1', 'benchmarking', 'special'],
  ['2001:10::1', 'ORCHID', 'special'],
  ['2001:20::1', 'ORCHIDv2', 'special'],
  ['3fff::1', 'documentation', 'special'],
  ['5f00::1', 'segment routing', 'special'],
  ['4000::1', 'outside 2000::/3', 'special'],
  // IPv4-compatible ::/96
  ['::7f00:1', 'IPv4-compatible 127.0.0.1', 'private'],
  ['::127.0.0.1', 'IPv4-compatible 127.0.0.1, dotted', 'private'],
  ['::a00:1', 'IPv4-compatible 10.0.0.1', 'private'],
  ['::a9fe:a9fe', 'IPv4-compatible 169.254.169.254', 'special'],
  ['::0.0.0.2', 'IPv4-compatible 0.0.0.2', 'special'],
  ['::808:808', 'IPv4-compatible 8.8.8.8', 'allowed'],
  // IPv4-mapped ::ffff:0:0/96
  ['::ffff:127.0.0.1', 'mapped loopback', 'private'],
  ['::ffff:7f00:1', 'mapped loopback, hex', 'private'],
  ['::ffff:192.168.0.1', 'mapped private', 'private'],
  ['::ffff:169.254.169.254', 'mapped link-local', 'special'],
  ['::ffff:0.0.0.0', 'mapped this-network', 'special'],
  ['::ffff:8.8.8.8', 'mapped public', 'allowed'],
  // IPv4-translated ::ffff:0:0:0/96
  ['::ffff:0:7f00:1', 'translated loopback', 'private'],
  ['::ffff:0:a9fe:a9fe', 'translated link-local', 'special'],
  ['::ffff:0:808:808', 'translated public', 'allowed'],
  // NAT64 64:ff9b::/96
  ['64:ff9b::7f00:1', 'NAT64 loopback', 'private'],
  ['64:ff9b::127.0.0.1', 'NAT64 loopback, dotted', 'private'],
  ['64:ff9b::a00:1', 'NAT64 private', 'private'],
  ['64:ff9b::a9fe:a9fe', 'NAT64 link-local', 'special'],
  ['64:ff9b::808:808', 'NAT64 public', 'allowed'],
  // local-use NAT64 64:ff9b:1::/48: where the IPv4 address sits is up to the local network
  ['64:ff9b:1::808:808', 'local-use NAT64', 'special'],
  ['64:ff9b:1:7f00:1::', 'local-use NAT64', 'special'],
  // 6to4 2002::/16: the IPv4 address in bits 16-47
  ['2002:7f00:1::1', '6to4 loopback', 'private'],
  ['2002:c0a8:101::1', '6to4 192.168.1.1', 'private'],
  ['2002:a9fe:a9fe::', '6to4 link-local', 'special'],
  ['2002:808:808::1', '6to4 public', 'allowed'],
  // Teredo 2001::/32: server in bits 32-63, client inverted in the last 32 bits
  ['2001:0:4136:e378:8000:63bf:80ff:fffe', 'Teredo client 127.0.0.1', 'private'],
  ['2001:0:4136:e378:8000:63bf:f5ff:fffe', 'Teredo client 10.0.0.1', 'private'],
  ['2001:0:4136:e378:8000:63bf:5601:5601', 'Teredo client 169.254.169.254', 'special'],
  ['2001:0:a00:1:8000:63bf:f7f7:f7f7', 'Teredo server 10.0.0.1', 'private'],
  ['2001:0:4136:e378:8000:63bf:f7f7:f7f7', 'Teredo client 8.8.8.8, server 65.54.227.120', 'allowed'],
];

describe('the outbound address policy', () => {
  for (const [address, what, expected] of TABLE) {
    it(`${address} (${what}): ${expected === 'private' ? 'refused unless private addresses are allowed' : expected === 'special' ? 'always refused' : 'allowed'}`, () => {
      const strict = blockedAddressReason(address, false);
      const permissive = blockedAddressReason(address, true);
      if (expected === 'allowed') {
        assert.equal(strict, undefined);
        assert.equal(permissive, undefined);
      } else {
        assert.ok(strict, 'refused by default');
        if (expected === 'private') assert.equal(permissive, undefined, 'allowed by the setting');
        else assert.ok(permissive, 'refused even with the setting');
      }
    });
  }

  it('says why, naming the IPv4 address inside an IPv6 form', () => {
    assert.match(blockedAddressReason('::7f00:1', false)!, /IPv4-compatible form of 127\.0\.0\.1, a loopback address/);
    assert.match(blockedAddressReason('2001:0:4136:e378:8000:63bf:5601:5601', true)!, /Teredo form of 169\.254\.169\.254, a special-purpose address \(linkLocal\)/);
    assert.match(blockedAddressReason('example.com', true)!, /not an IP address/);
  });

  // What a URL's host becomes before any check: WHATWG URL normalizes every IPv4 spelling.
  const URLS: [string, string][] = [
    ['http://[::127.0.0.1]/', '[::7f00:1]'],
    ['http://[::ffff:127.0.0.1]/', '[::ffff:7f00:1]'],
    ['http://[0:0:0:0:0:ffff:7f00:1]/', '[::ffff:7f00:1]'],
    ['http://0x7f.1/', '127.0.0.1'],
    ['http://2130706433/', '127.0.0.1'],
    ['http://127.1/', '127.0.0.1'],
    ['http://0177.0.0.1/', '127.0.0.1'],
    ['http://0x7f000001/', '127.0.0.1'],
    ['http://127.000.000.001/', '127.0.0.1'],
    ['http://0/', '0.0.0.0'],
    ['http://127.0.0.1./', '127.0.0.1'],
    ['http://%31%32%37.0.0.1/', '127.0.0.1'],
    ['http://\u2460\u2461\u2466.0.0.1/', '127.0.0.1'], // circled digits, NFKC-mapped
    ['http://127\u30020\u30020\u30021/', '127.0.0.1'], // ideographic full stops
    ['http://0x7f.0x0.0x0.0x1/', '127.0.0.1'],
    ['http://[64:ff9b::169.254.169.254]/', '[64:ff9b::a9fe:a9fe]'],
  ];
  for (const [url, host] of URLS) {
    it(`${url} is judged as ${host} and refused`, () => {
      const hostname = new URL(url).hostname;
      assert.equal(hostname, host);
      assert.ok(blockedAddressReason(hostname.replace(/^\[(.*)\]$/, '$1'), false));
    });
  }
});
