import { EventSource } from 'eventsource';
import { z } from 'zod';
import { createClipFleetClient, type ClipFleetClient } from '../client.ts';
import { CliError, EXIT } from './errors.ts';

const Env = z.object({
  CLIPFLEET_URL: z.preprocess((v) => (v === '' ? undefined : v), z.url({ error: 'must be the server URL, e.g. http://localhost:3000' }).default('http://localhost:3000')),
  CLIPFLEET_KEY: z.string({ error: 'is not set: export CLIPFLEET_KEY=<your API key>' }).min(1, 'is empty: export CLIPFLEET_KEY=<your API key>'),
});

export interface Connection {
  url: string;
  key: string;
  client: ClipFleetClient;
}

/** The server and key from the environment, and the typed client over them. */
export function connect(env: NodeJS.ProcessEnv = process.env): Connection {
  const parsed = Env.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new CliError(`${String(issue.path[0])} ${issue.message}`, EXIT.badInput);
  }
  const url = parsed.data.CLIPFLEET_URL.replace(/\/+$/, '');
  const key = parsed.data.CLIPFLEET_KEY;
  return { url, key, client: createClipFleetClient(url, key, { EventSource }) };
}
