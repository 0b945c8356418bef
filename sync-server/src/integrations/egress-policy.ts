import net from 'node:net';

/**
 * Which addresses the notifiers may connect to. Integration URLs are typed in by admins (and a
 * webhook URL is whatever a receiver asks for), so without a policy the server could be pointed
 * at its own loopback, the cloud metadata service or the office network. Everything that is not a
 * public unicast address is refused unless FIREBREAK_EGRESS_ALLOW names it. Pure: the network
 * side is egress.ts.
 */

export interface Ip {
  family: 4 | 6;
  bytes: Uint8Array;
}

interface Cidr {
  ip: Ip;
  prefix: number;
}

function parseV4(s: string): Ip | null {
  if (!net.isIPv4(s)) return null;
  return { family: 4, bytes: Uint8Array.from(s.split('.').map(Number)) };
}

function parseV6(input: string): Ip | null {
  // A zone id (`fe80::1%eth0`) names an interface, not a different address.
  const s = input.split('%')[0]!;
  if (!net.isIPv6(s)) return null;
  const bytes = new Uint8Array(16);
  let text = s;
  const lastColon = text.lastIndexOf(':');
  const tail = text.slice(lastColon + 1);
  if (tail.includes('.')) {
    const v4 = parseV4(tail);
    if (!v4) return null;
    bytes.set(v4.bytes, 12);
    text = text.slice(0, lastColon + 1) + '0:0';
  }
  const [head, rest] = text.split('::') as [string, string | undefined];
  const groupsOf = (part: string) => (part === '' ? [] : part.split(':'));
  const h = groupsOf(head);
  const r = rest === undefined ? [] : groupsOf(rest);
  const groups = rest === undefined ? h : [...h, ...Array<string>(8 - h.length - r.length).fill('0'), ...r];
  groups.forEach((g, i) => {
    const n = parseInt(g, 16);
    // The dotted tail was already written into the last four bytes.
    if (i >= 6 && tail.includes('.')) return;
    bytes[i * 2] = n >> 8;
    bytes[i * 2 + 1] = n & 0xff;
  });
  return { family: 6, bytes };
}

/** An IPv4 or IPv6 literal (brackets and zone ids allowed), or null. */
export function parseIp(s: string): Ip | null {
  const bare = s.startsWith('[') && s.endsWith(']') ? s.slice(1, -1) : s;
  return parseV4(bare) ?? parseV6(bare);
}

export function formatIp(ip: Ip): string {
  if (ip.family === 4) return Array.from(ip.bytes).join('.');
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((ip.bytes[i]! << 8) | ip.bytes[i + 1]!).toString(16));
  // Shorten the longest run of zero groups, as RFC 5952 writes addresses.
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j;
  }
  if (best < 0) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}

function parseCidr(s: string): Cidr | null {
  const [addr, len, extra] = s.split('/');
  if (extra !== undefined || addr === undefined) return null;
  const ip = parseIp(addr);
  if (!ip) return null;
  const max = ip.family === 4 ? 32 : 128;
  if (len === undefined) return { ip, prefix: max };
  if (!/^\d{1,3}$/.test(len) || Number(len) > max) return null;
  return { ip, prefix: Number(len) };
}

function contains(cidr: Cidr, ip: Ip): boolean {
  if (cidr.ip.family !== ip.family) return false;
  let bits = cidr.prefix;
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((cidr.ip.bytes[i]! & mask) !== (ip.bytes[i]! & mask)) return false;
  }
  return true;
}

const cidr = (s: string): Cidr => parseCidr(s)!;

/** IANA special-purpose and non-unicast ranges (RFC 6890 and successors), with what to call them. */
const REFUSED_RANGES: ReadonlyArray<[Cidr, string]> = [
  [cidr('0.0.0.0/8'), 'unspecified'],
  [cidr('10.0.0.0/8'), 'private'],
  [cidr('100.64.0.0/10'), 'carrier-grade NAT (shared)'],
  [cidr('127.0.0.0/8'), 'loopback'],
  [cidr('169.254.0.0/16'), 'link-local'],
  [cidr('172.16.0.0/12'), 'private'],
  [cidr('192.0.0.0/24'), 'IETF protocol assignment'],
  [cidr('192.0.2.0/24'), 'documentation'],
  [cidr('192.88.99.0/24'), '6to4 relay anycast'],
  [cidr('192.168.0.0/16'), 'private'],
  [cidr('198.18.0.0/15'), 'benchmarking'],
  [cidr('198.51.100.0/24'), 'documentation'],
  [cidr('203.0.113.0/24'), 'documentation'],
  [cidr('224.0.0.0/4'), 'multicast'],
  [cidr('240.0.0.0/4'), 'reserved'],
  [cidr('::/128'), 'unspecified'],
  [cidr('::1/128'), 'loopback'],
  [cidr('100::/64'), 'discard-only'],
  [cidr('2001::/32'), 'Teredo'],
  [cidr('2001:db8::/32'), 'documentation'],
  [cidr('fc00::/7'), 'unique-local'],
  [cidr('fe80::/10'), 'link-local'],
  [cidr('fec0::/10'), 'site-local'],
  [cidr('ff00::/8'), 'multicast']
];

/** IPv6 forms that carry an IPv4 address the packets end up at: mapped, compatible, NAT64, 6to4. */
const EMBEDDING_V4: ReadonlyArray<[Cidr, number, string]> = [
  [cidr('::ffff:0:0/96'), 12, 'IPv4-mapped'],
  [cidr('::/96'), 12, 'IPv4-compatible'],
  [cidr('64:ff9b::/96'), 12, 'NAT64'],
  [cidr('2002::/16'), 2, '6to4']
];

function embeddedV4(ip: Ip): { v4: Ip; form: string } | null {
  if (ip.family !== 6) return null;
  for (const [range, offset, form] of EMBEDDING_V4) {
    if (!contains(range, ip)) continue;
    // `::` and `::1` sit inside ::/96 but are the IPv6 unspecified and loopback addresses.
    if (form === 'IPv4-compatible' && ip.bytes.slice(0, 15).every((b) => b === 0) && ip.bytes[15]! <= 1) return null;
    return { v4: { family: 4, bytes: ip.bytes.slice(offset, offset + 4) }, form };
  }
  return null;
}

/** Why an address is not public unicast (e.g. "private", "IPv4-mapped loopback"), or null when it is. */
export function refusedKind(ip: Ip): string | null {
  const inner = embeddedV4(ip);
  if (inner) {
    const kind = refusedKind(inner.v4);
    if (kind) return `${inner.form} ${kind}`;
  }
  for (const [range, kind] of REFUSED_RANGES) if (contains(range, ip)) return kind;
  return null;
}

/** An IPv4-mapped IPv6 address as the IPv4 address it is, so `10.0.0.5` allows `::ffff:10.0.0.5`. */
function unmapped(ip: Ip): Ip {
  const inner = embeddedV4(ip);
  return inner && inner.form === 'IPv4-mapped' ? inner.v4 : ip;
}

export type EgressAllowEntry =
  { kind: 'cidr'; cidr: Cidr; text: string } | { kind: 'host'; name: string; text: string };

const HOST_NAME = /^(\*\.)?[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*\.?$/;

/** One FIREBREAK_EGRESS_ALLOW entry: a host name (`*.corp.example` for subdomains), an IP or a CIDR. */
export function parseAllowEntry(text: string): EgressAllowEntry {
  const t = text.trim().toLowerCase();
  const range = parseCidr(t);
  if (range) return { kind: 'cidr', cidr: { ip: unmapped(range.ip), prefix: range.prefix }, text: t };
  if (!t.includes('/') && HOST_NAME.test(t)) return { kind: 'host', name: t.replace(/\.$/, ''), text: t };
  throw new Error(
    `FIREBREAK_EGRESS_ALLOW: "${text}" is not a host name, an IP address or a CIDR range (e.g. 10.0.0.0/8, fd00::/8, jira.internal)`
  );
}

/** The entries of FIREBREAK_EGRESS_ALLOW (comma-separated; blanks ignored). */
export function parseEgressAllow(env: NodeJS.ProcessEnv = process.env): string[] {
  return (env.FIREBREAK_EGRESS_ALLOW ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

export class EgressPolicy {
  private readonly entries: EgressAllowEntry[];

  constructor(readonly allow: readonly string[] = []) {
    this.entries = allow.map(parseAllowEntry);
  }

  private hostAllowed(host: string): boolean {
    const h = host.toLowerCase().replace(/\.$/, '');
    return this.entries.some(
      (e) => e.kind === 'host' && (e.name.startsWith('*.') ? h.endsWith(e.name.slice(1)) : h === e.name)
    );
  }

  /** Null when `host` may be reached at `address`, else why not (in words for the admin). */
  check(host: string, address: string): string | null {
    const ip = parseIp(address);
    if (!ip) return `${address} is not an IP address`;
    const kind = refusedKind(ip);
    if (!kind) return null;
    if (this.hostAllowed(host)) return null;
    const plain = unmapped(ip);
    if (this.entries.some((e) => e.kind === 'cidr' && contains(e.cidr, plain))) return null;
    return kind;
  }

  /** The message of a refusal: which address, why, and the exact setting that would allow it. */
  refusal(host: string, refused: Array<{ address: string; kind: string }>): string {
    const first = refused[0]!;
    const ip = parseIp(first.address);
    const shown = ip ? formatIp(unmapped(ip)) : first.address;
    const bare = host.replace(/^\[|\]$/g, '');
    const where =
      bare === first.address || parseIp(bare)
        ? `${shown} is ${/^[aeiou]/i.test(first.kind) ? 'an' : 'a'} ${first.kind} address`
        : `${host} resolves to ${refused.map((r) => r.address).join(', ')} (${first.kind})`;
    const setting = [...this.allow, shown].join(',');
    const byName = parseIp(bare) ? '' : ` (or the host name: ${[...this.allow, bare].join(',')})`;
    return `Refused to connect: ${where}, and private networks are off limits by default. To allow it, set FIREBREAK_EGRESS_ALLOW=${setting}${byName}`;
  }
}
