import ipaddr from 'ipaddr.js';

/**
 * Whether an address is on the public internet, by ipaddr.js's range table: loopback, private, link-local
 * (cloud metadata at 169.254.169.254), carrier-grade NAT, multicast, reserved, unspecified and the like are
 * not. IPv4-mapped IPv6 (::ffff:127.0.0.1) is judged as the IPv4 address it is.
 */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  return ipaddr.process(address).range() === 'unicast';
}
