#!/usr/bin/env node
// `npx clipfleet ...`: the CLI runs from its TypeScript source through tsx (no build step).
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
