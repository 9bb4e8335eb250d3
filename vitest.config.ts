import { defineConfig } from 'vitest/config';

// One root config; each package is a project so `npm test` runs every test in the repo.
export default defineConfig({
  test: {
    projects: ['packages/*'],
  },
});
