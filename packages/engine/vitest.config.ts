import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'engine',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Property tests run whole batches in virtual time: each case is fast, a hundred of them take seconds.
    testTimeout: 60_000,
    // The engine is pure (no module state, no globals), so test files may share a worker's module cache:
    // importing @fast-check/vitest costs 2-4 s of CPU per isolated file (it walks every chain of vitest's `test`).
    isolate: false,
  },
});
