// Which IP addresses outbound requests may connect to: never special-purpose ranges, and
// loopback or private ranges only when ALLOW_PRIVATE_ADDRESSES is set.
import net from 'node:net';

type Range = [address: string, prefix: number, family: 'ipv4' | 'ipv6'];

// Loopback and private networks: blocked unless the setting allows them (tests, local development).
const PRIVATE: Range[] = [
  ['127.0.0.0', 8, 'ipv4'],
  ['10.0.0.0', 8, 'ipv4'],
  ['172.16.0.0', 12, 'ipv4'],
  ['192.168.0.0', 16, 'ipv4'],
  ['::1', 128, 'ipv6'],
  ['fc00::', 7, 'ipv6'],
];

// Always blocked: "this network", link-local (cloud metadata lives there), shared and reserved
// space, documentation and benchmarking ranges, multicast, broadcast, and IPv6 translation
// prefixes that could embed any of those.
const SPECIAL: Range[] = [
  ['0.0.0.0', 8, 'ipv4'],
  ['100.64.0.0', 10, 'ipv4'],
  ['169.254.0.0', 16, 'ipv4'],
  ['192.0.0.0', 24, 'ipv4'],
  ['192.0.2.0', 24, 'ipv4'],
  ['198.18.0.0', 15, 'ipv4'],
  ['198.51.100.0', 24, 'ipv4'],
  ['203.0.113.0', 24, 'ipv4'],
  ['224.0.0.0', 4, 'ipv4'],
  ['240.0.0.0', 4, 'ipv4'],
  ['::', 128, 'ipv6'],
  ['64:ff9b::', 96, 'ipv6'],
  ['64:ff9b:1::', 48, 'ipv6'],
  ['100::', 64, 'ipv6'],
  ['2001:db8::', 32, 'ipv6'],
  ['2002::', 16, 'ipv6'],
  ['fe80::', 10, 'ipv6'],
  ['fec0::', 10, 'ipv6'],
  ['ff00::', 8, 'ipv6'],
];

function listOf(ranges: Range[]): net.BlockList {
  const list = new net.BlockList();
  for (const [address, prefix, family] of ranges) list.addSubnet(address, prefix, family);
  return list;
}

const privateList = listOf(PRIVATE);
const specialList = listOf(SPECIAL);

// "::ffff:10.0.0.1" is 10.0.0.1 to the kernel: judge it as IPv4.
function unmapped(address: string): { address: string; family: 'ipv4' | 'ipv6' } {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return { address: mapped[1]!, family: 'ipv4' };
  return { address, family: net.isIPv4(address) ? 'ipv4' : 'ipv6' };
}

/** Why an outbound connection to this IP address is refused, or undefined when it is allowed. */
export function blockedAddressReason(ip: string, allowPrivate: boolean): string | undefined {
  if (net.isIP(ip) === 0) return `"${ip}" is not an IP address`;
  const { address, family } = unmapped(ip);
  if (family === 'ipv6' && /^::ffff:/i.test(address)) return `${ip} is a mapped address`;
  if (specialList.check(address, family)) return `${ip} is a special-purpose address`;
  if (!allowPrivate && privateList.check(address, family)) return `${ip} is a loopback or private address`;
  return undefined;
}
