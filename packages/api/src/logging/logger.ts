import { randomUUID } from 'node:crypto';
import type { FastifyRequest, FastifyServerOptions } from 'fastify';
import { CENSOR, lineScrubber, REDACT_PATHS, scrubUrl } from './redact.ts';

/** `true`: info level to stdout; or a level and, for tests, a destination stream. */
export type LogSettings = boolean | { level?: string; stream?: { write(line: string): unknown } };

/** An incoming `x-request-id` is kept when it is a plain token (no log injection); otherwise a fresh UUID. */
const REQUEST_ID = /^[\w.:-]{1,64}$/;

export function requestId(req: { headers: Record<string, string | string[] | undefined> }): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
}

/** fastify's pino options: JSON lines, request ids, secrets redacted by path and scrubbed from every line. */
export function loggerOptions(settings: LogSettings | undefined, secrets: readonly (string | undefined)[]): FastifyServerOptions['logger'] {
  if (!settings) return false;
  const { level = 'info', stream } = settings === true ? {} : settings;
  const scrub = lineScrubber(secrets);
  return {
    level,
    ...(stream ? { stream } : {}),
    redact: { paths: REDACT_PATHS, censor: CENSOR },
    serializers: {
      req: (req: FastifyRequest) => ({
        method: req.method,
        url: scrubUrl(req.url),
        host: req.host,
        remoteAddress: req.ip,
      }),
    },
    hooks: { streamWrite: scrub },
  };
}
