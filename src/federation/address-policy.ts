// Which IP addresses outbound requests may connect to. Classification comes from ipaddr.js (the
// IANA special-purpose registries of both families); on top of it, every IPv6 form that carries an
// IPv4 address is judged by the IPv4 address inside it, so that ::127.0.0.1, ::ffff:10.0.0.1,
// 64:ff9b::a9fe:a9fe or 2002:7f00:1:: are loopback, private or link-local like their IPv4 selves.
import net from 'node:net';
import ipaddr from 'ipaddr.js';

type IPv4 = ipaddr.IPv4;
type IPv6 = ipaddr.IPv6;

/** What an address is: public; loopback or private (allowed only by the setting); anything else special. */
export type AddressClass = { kind: 'public' } | { kind: 'private' | 'special'; why: string };

// ipaddr.js range names of loopback and private networks: usable with ALLOW_PRIVATE_ADDRESSES.
const PRIVATE_V4 = new Set(['loopback', 'private']);
const PRIVATE_V6 = new Set(['loopback', 'uniqueLocal']);
// IANA hands out IPv6 unicast from 2000::/3 only; anything else "unicast" to ipaddr.js is unassigned
// (or special-purpose space it does not name yet, such as 100:0:0:1::/64).
const GLOBAL_UNICAST_V6 = ipaddr.IPv6.parseCIDR('2000::/3');

function v4(bytes: number[], at: number[], invert = false): IPv4 {
  return new ipaddr.IPv4(at.map((index) => (invert ? ~bytes[index]! & 0xff : bytes[index]!)));
}

const last32 = [12, 13, 14, 15];
const LOCAL_USE_NAT64 = ipaddr.IPv6.parseCIDR('64:ff9b:1::/48');

type Embedding = { name: string; range: [IPv6, number]; inside: (bytes: number[]) => IPv4[] };

// Every IPv6 form that maps, translates or tunnels an IPv4 address, and where the IPv4 address sits.
const EMBEDDINGS: Embedding[] = [
  { name: 'IPv4-mapped', range: ipaddr.IPv6.parseCIDR('::ffff:0:0/96'), inside: (b) => [v4(b, last32)] },
  { name: 'IPv4-translated', range: ipaddr.IPv6.parseCIDR('::ffff:0:0:0/96'), inside: (b) => [v4(b, last32)] },
  // Deprecated IPv4-compatible addresses (RFC 4291); :: and ::1 are judged as IPv6 before this.
  { name: 'IPv4-compatible', range: ipaddr.IPv6.parseCIDR('::/96'), inside: (b) => [v4(b, last32)] },
  { name: 'NAT64', range: ipaddr.IPv6.parseCIDR('64:ff9b::/96'), inside: (b) => [v4(b, last32)] },
  { name: '6to4', range: ipaddr.IPv6.parseCIDR('2002::/16'), inside: (b) => [v4(b, [2, 3, 4, 5])] },
  // Teredo (RFC 4380): the server's address in bits 32-63, the client's inverted in the last 32.
  { name: 'Teredo', range: ipaddr.IPv6.parseCIDR('2001::/32'), inside: (b) => [v4(b, [4, 5, 6, 7]), v4(b, last32, true)] },
];

function classifyV4(address: IPv4): AddressClass {
  const range = address.range();
  if (range === 'unicast') return { kind: 'public' };
  if (PRIVATE_V4.has(range)) return { kind: 'private', why: `a ${range} address` };
  return { kind: 'special', why: `a special-purpose address (${range})` };
}

const SEVERITY = { public: 0, private: 1, special: 2 } as const;

function classifyV6(address: IPv6): AddressClass {
  const range = address.range() as string;
  if (range === 'unspecified') return { kind: 'special', why: 'the unspecified address' };
  if (range === 'loopback') return { kind: 'private', why: 'a loopback address' };
  // Local-use NAT64 (RFC 8215) is not globally reachable, and where the IPv4 address sits inside it
  // depends on the prefix length the local network chose: it cannot be judged, so it is refused.
  if (address.match(LOCAL_USE_NAT64)) return { kind: 'special', why: 'a local-use NAT64 address (64:ff9b:1::/48)' };
  const embedding = EMBEDDINGS.find((candidate) => address.match(candidate.range));
  if (embedding) {
    let worst: AddressClass = { kind: 'public' };
    for (const inner of embedding.inside(address.toByteArray())) {
      const verdict = classifyV4(inner);
      if (SEVERITY[verdict.kind] > SEVERITY[worst.kind]) worst = { kind: verdict.kind, why: `a ${embedding.name} form of ${inner.toString()}, ${(verdict as { why: string }).why}` };
    }
    return worst;
  }
  if (PRIVATE_V6.has(range)) return { kind: 'private', why: `a ${range} address` };
  if (range !== 'unicast') return { kind: 'special', why: `a special-purpose address (${range})` };
  if (!address.match(GLOBAL_UNICAST_V6)) return { kind: 'special', why: 'outside the global unicast space (2000::/3)' };
  return { kind: 'public' };
}

/** Classifies an IP address written as Node prints them (dotted quad or RFC 5952 IPv6); undefined if it is none. */
export function classifyAddress(ip: string): AddressClass | undefined {
  const family = net.isIP(ip);
  if (family === 0) return undefined;
  return family === 4 ? classifyV4(ipaddr.IPv4.parse(ip)) : classifyV6(ipaddr.IPv6.parse(ip));
}

/** Why an outbound connection to this IP address is refused, or undefined when it is allowed. */
export function blockedAddressReason(ip: string, allowPrivate: boolean): string | undefined {
  const verdict = classifyAddress(ip);
  if (!verdict) return `"${ip}" is not an IP address`;
  if (verdict.kind === 'public' || (verdict.kind === 'private' && allowPrivate)) return undefined;
  return `${ip} is ${verdict.why}`;
}
