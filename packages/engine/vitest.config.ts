import { defineProject } from 'vitest/config';

// Property tests run whole batches in virtual time: each case is fast, a hundred of them take seconds.
export default defineProject({ test: { name: 'engine', include: ['src/**/*.test.ts', 'test/**/*.test.ts'], testTimeout: 60_000 } });
