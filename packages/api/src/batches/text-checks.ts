import { isIP } from 'node:net';
import { isPublicAddress } from '../results/public-address.ts';

/** Characters that render as nothing: whitespace, format characters (zero-width space, BOM, bidi marks) and the like. */
const INVISIBLE = /[\p{White_Space}\p{Cf}\p{Default_Ignorable_Code_Point}]/gu;
/** Control characters other than newline and tab (a CRLF line end is read as a newline first). */
const CONTROL = /[^\P{Cc}\n\t]/u;

/** Why a prompt cannot be sent (it would be charged for a video of nothing, or smuggle control bytes), or null. */
export function promptProblem(prompt: string): string | null {
  const control = CONTROL.exec(prompt.replace(/\r\n/g, '\n'));
  if (control) return `prompt contains the control character U+${control[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')} at position ${control.index + 1}`;
  if (prompt.replace(INVISIBLE, '') === '') return 'prompt is empty (it has no visible characters)';
  return null;
}

/** Host names that only mean something inside a network. */
const LOCAL_HOST = /(^|\.)(localhost|local|internal|intranet|lan|home\.arpa)$/i;

/** KIE fetches the image: it must be a public https URL, not an address inside someone's network. `field` names it in the message. */
export function imageUrlProblem(url: string, field = 'imageUrl'): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `${field} is not a URL`;
  }
  if (parsed.protocol !== 'https:') return `${field} must be an https URL, not ${parsed.protocol}`;
  if (parsed.username || parsed.password) return `${field} must not carry credentials`;
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host)) return isPublicAddress(host) ? null : `${field} points at ${host}, which is not a public address`;
  if (!host.includes('.') || LOCAL_HOST.test(host)) return `${field} host ${host} is not a public host name`;
  return null;
}
