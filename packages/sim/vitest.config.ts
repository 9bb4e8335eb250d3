import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'sim',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // The simulator holds no module state: test files may share a worker's module cache (see engine's config).
    isolate: false,
  },
});
