import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { importedPackages, sourceFiles } from '../imports.ts';

describe('what the declared-imports check reads', () => {
  const dir = mkdtempSync(join(tmpdir(), 'checks-imports-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const write = (path: string) => {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), '');
  };

  it('every kind of source file, config files and scripts included; never installed, built, cached or nested-workspace files', () => {
    const sources = ['a.ts', 'b.tsx', 'c.mts', 'd.cts', 'e.js', 'f.jsx', 'g.mjs', 'h.cjs', 'vite.config.ts', 'vitest.config.mts', 'bin/cli.js', 'scripts/build.mjs'];
    const others = ['README.md', 'data.json', 'types.d.ts.map', 'node_modules/x/index.js', 'dist/main.js', '.turbo/cache.js', 'ws/inner.ts'];
    for (const path of [...sources, ...others]) write(path);
    const found = sourceFiles(dir, new Set([join(dir, 'ws')])).map((f) => relative(dir, f));
    expect(found.sort()).toEqual(sources.sort());
  });

  it('finds the packages of ES imports and re-exports, dynamic imports and CommonJS requires, not built-ins or relative paths', () => {
    // A text file: the repository's own check would read these imports in a source file as the package's.
    const text = readFileSync(join(import.meta.dirname, 'fixtures/imports.txt'), 'utf8');
    expect(importedPackages(text)).toEqual(['esbuild', 'vite', '@fontsource/inter', 'kysely', 'tsx', 'pg', 'better-sqlite3']);
  });
});
