import ipaddr from 'ipaddr.js';

/**
 * Which IP addresses an outbound request may connect to.
 *
 * Public (global unicast) addresses are always allowed. Everything else — loopback,
 * RFC 1918 private, link-local, CGNAT (100.64/10), unique-local IPv6, IPv4-mapped /
 * translated IPv6 forms that could smuggle an IPv4 address past the check, multicast,
 * reserved — is allowed only when the connection opts in with `allowPrivateNetwork`
 * (an on-premises SCIM server, the local sandbox).
 *
 * Some addresses are refused even then: cloud metadata services (a SCIM base URL has no
 * business there and they hand out instance credentials), the unspecified address and
 * multicast/broadcast.
 */

const ALWAYS_REFUSED = new Set([
  '169.254.169.254', // AWS/GCP/Azure/OpenStack instance metadata
  '169.254.170.2', // AWS ECS task metadata
  '100.100.100.200', // Alibaba Cloud metadata
  'fd00:ec2::254', // AWS IMDS over IPv6
]);

const ALWAYS_REFUSED_RANGES = new Set(['unspecified', 'multicast', 'broadcast']);

export type AddressVerdict = { allowed: true } | { allowed: false; reason: string };

export function checkAddress(address: string, allowPrivateNetwork: boolean): AddressVerdict {
  if (!ipaddr.isValid(address)) return { allowed: false, reason: 'not an IP address' };
  const parsed = ipaddr.parse(address);
  const normalized = parsed.toNormalizedString();
  const canonical = parsed.kind() === 'ipv6' ? parsed.toString() : normalized;
  if (ALWAYS_REFUSED.has(canonical) || ALWAYS_REFUSED.has(normalized)) {
    return { allowed: false, reason: 'cloud metadata address' };
  }
  if (parsed.kind() === 'ipv6') {
    const v6 = parsed as ipaddr.IPv6;
    if (v6.isIPv4MappedAddress()) {
      // ::ffff:a.b.c.d — judge the embedded IPv4 address, and never treat it as public.
      const inner = checkAddress(v6.toIPv4Address().toString(), allowPrivateNetwork);
      if (!inner.allowed) return inner;
      return allowPrivateNetwork
        ? { allowed: true }
        : { allowed: false, reason: 'IPv4-mapped IPv6 address' };
    }
  }
  const range = parsed.range();
  if (ALWAYS_REFUSED_RANGES.has(range)) return { allowed: false, reason: `${range} address` };
  if (range === 'unicast') return { allowed: true };
  if (allowPrivateNetwork) return { allowed: true };
  return { allowed: false, reason: `${range} address` };
}
