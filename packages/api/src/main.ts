import { runFromEnv } from './boot.ts';

await runFromEnv();
