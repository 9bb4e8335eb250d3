/**
 * What must never reach a log line: API keys, the admin key, KIE's key, webhook signatures, tokens in URLs.
 * Structured fields are redacted by path (pino's `redact`); the final line is also scrubbed as text, so a secret
 * inside a message (an error quoting a URL, a header echoed back) is caught too.
 */

export const CENSOR = '[redacted]';

/** Header and field paths pino redacts (request headers as fastify serializes them, and our own fields). */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'req.headers["x-webhook-signature"]',
  'res.headers["set-cookie"]',
  'apiKey',
  'authorization',
  'signature',
  'token',
  '*.apiKey',
  '*.authorization',
  '*.signature',
  '*.token',
];

/** Query parameters that carry credentials (the ZIP link's `?key=`, SSE's connectionParams, signed URLs). */
const SECRET_PARAMS = /([?&](?:key|api_?key|token|access_token|signature|sig|x-amz-signature|x-amz-credential|connectionParams)=)[^&\s"'\\]*/gi;
const BEARER = /(Bearer\s+)[^\s"'\\,]+/gi;
/** ClipFleet's user keys (`cf_` + 43 base64url characters) and the simulator's (`sim_` + hex). */
const KEY_SHAPES = /\b(?:cf_[A-Za-z0-9_-]{20,}|sim_[0-9a-f]{16,})/g;
const SECRET_FIELDS = /("(?:apiKey|api_key|authorization|signature|token|key)"\s*:\s*")[^"]*(")/gi;

/** Removes credentials from a URL's query (for the request serializer). */
export function scrubUrl(url: string): string {
  return url.replace(SECRET_PARAMS, `$1${CENSOR}`);
}

/** A scrubber for finished log lines: known secrets by value, then credential shapes. */
export function lineScrubber(secrets: readonly (string | undefined)[]): (line: string) => string {
  // Longest first, so a secret containing another is removed whole.
  const known = [...new Set(secrets.filter((s): s is string => typeof s === 'string' && s.length >= 8))].sort((a, b) => b.length - a.length);
  return (line) => {
    let out = line;
    for (const secret of known) if (out.includes(secret)) out = out.split(secret).join(CENSOR);
    return out
      .replace(SECRET_PARAMS, `$1${CENSOR}`)
      .replace(BEARER, `$1${CENSOR}`)
      .replace(KEY_SHAPES, CENSOR)
      .replace(SECRET_FIELDS, `$1${CENSOR}$2`);
  };
}
