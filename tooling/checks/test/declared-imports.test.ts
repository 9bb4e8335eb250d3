import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importedPackages, sourceFiles } from '../imports.ts';

const root = resolve(import.meta.dirname, '../../..');

interface Manifest {
  name: string;
  workspaces?: string[];
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}
const manifestOf = (dir: string) => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest;

/** The root's workspaces (`packages/*`, `tooling/*`), each a directory with its package.json. */
const workspaces = manifestOf(root).workspaces!.flatMap((pattern) => {
  const parent = join(root, pattern.replace(/\/\*$/, ''));
  return readdirSync(parent).map((name) => join(parent, name));
});

describe('every package declares what it imports', () => {
  // The root is a package too (its config files import vitest); its workspaces are checked on their own.
  for (const dir of [root, ...workspaces]) {
    const manifest = manifestOf(dir);
    it(`${manifest.name} (${relative(root, dir) || 'the root'})`, () => {
      const declared = new Set([manifest.name, ...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.devDependencies ?? {})]);
      const undeclared = sourceFiles(dir, new Set(workspaces)).flatMap((file) =>
        importedPackages(readFileSync(file, 'utf8'))
          .filter((name) => !declared.has(name))
          .map((name) => `${relative(root, file)}: ${name}`),
      );
      expect(undeclared).toEqual([]);
    });
  }
});
