import { defineConfig } from 'vitest/config';

// One root config with each package as a project, for `npx vitest run <file>` from the root; `npm test` runs
// each package's own `test` script through turbo.
export default defineConfig({
  test: {
    // api-pg: the api suite again on PostgreSQL (packages/api/vitest.postgres.config.ts).
    projects: ['packages/*', 'tooling/*', 'packages/api/vitest.postgres.config.ts'],
  },
});
