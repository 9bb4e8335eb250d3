import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { isPublicAddress } from './public-address.ts';

export interface FetchPolicy {
  /** Origins fetched as they are (the simulator's own base URL in simulated mode): http allowed, any address. */
  trustedOrigins: string[];
  timeoutMs: number;
  maxRedirects: number;
}

/** A destination ClipFleet will not fetch from (not https, not public, too many redirects). */
export class FetchRefused extends Error {
  override name = 'FetchRefused';
}

/**
 * A DNS lookup that only ever answers public addresses: the socket connects to exactly the address checked
 * here, so a name that resolves to a public address for a check and a private one for the connection (DNS
 * rebinding) gains nothing. A name with any non-public address is refused whole.
 */
export const publicOnlyLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { all: true, family: options.family ?? 0 }, (err, addresses: LookupAddress[]) => {
    if (err) return callback(err, '', 0);
    const bad = addresses.find((a) => !isPublicAddress(a.address));
    if (bad || addresses.length === 0) {
      return callback(new FetchRefused(`${hostname} resolves to a non-public address${bad ? ` (${bad.address})` : ''}`), '', 0);
    }
    if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
    callback(null, addresses[0]!.address, addresses[0]!.family);
  });
};

/**
 * GET a result file without letting a stored URL reach inside the network: only https to public addresses,
 * checked after DNS resolution and again on every redirect (followed by hand, at most `maxRedirects`).
 */
export async function safeGet(url: string, policy: FetchPolicy): Promise<IncomingMessage> {
  let current = parseUrl(url);
  for (let hop = 0; hop <= policy.maxRedirects; hop++) {
    const trusted = policy.trustedOrigins.includes(current.origin);
    if (!trusted) checkDestination(current);
    const res = await get(current, trusted, policy.timeoutMs);
    const status = res.statusCode ?? 0;
    if (status >= 300 && status < 400 && res.headers.location) {
      res.resume();
      current = parseUrl(new URL(res.headers.location, current).href);
      continue;
    }
    if (status !== 200) {
      res.resume();
      throw new Error(`HTTP ${status} from ${current.host}`);
    }
    return res;
  }
  throw new FetchRefused(`more than ${policy.maxRedirects} redirects`);
}

function parseUrl(url: string): URL {
  try {
    return new URL(url);
  } catch {
    throw new FetchRefused(`not a URL: ${JSON.stringify(url.slice(0, 100))}`);
  }
}

function checkDestination(url: URL): void {
  if (url.protocol !== 'https:') throw new FetchRefused(`only https URLs are fetched, not ${url.protocol}`);
  if (url.username || url.password) throw new FetchRefused('URLs with credentials are not fetched');
  const host = url.hostname.replace(/^\[|\]$/g, '');
  // Literal addresses skip DNS, so the lookup hook never sees them: check them here.
  if (isIP(host) && !isPublicAddress(host)) throw new FetchRefused(`${host} is not a public address`);
}

function get(url: URL, trusted: boolean, timeoutMs: number): Promise<IncomingMessage> {
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'GET', timeout: timeoutMs, ...(trusted ? {} : { lookup: publicOnlyLookup }) }, resolve);
    req.on('timeout', () => req.destroy(new Error(`no answer from ${url.host} within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}
