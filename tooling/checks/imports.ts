import { readdirSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';

/**
 * Every kind of file that can import a package: TypeScript and JavaScript in each module flavour, JSX, and the
 * tools' config files (vite.config.ts, vitest.config.mts, build.mjs, a bin's .js...), which are of these kinds.
 */
export const SOURCE_FILE = /\.(?:[cm]?[jt]s|[jt]sx)$/;

/** Never the repository's own sources: installed packages, build output, tool caches (.turbo, .git). */
const NOT_SOURCE = (name: string) => name === 'node_modules' || name === 'dist' || name.startsWith('.');

/** The source files under `dir`, leaving out the directories whose paths are in `skip` (nested workspaces). */
export function sourceFiles(dir: string, skip: ReadonlySet<string> = new Set()): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (NOT_SOURCE(name) || skip.has(path)) return [];
    if (statSync(path).isDirectory()) return sourceFiles(path, skip);
    return SOURCE_FILE.test(name) ? [path] : [];
  });
}

/** The package a bare specifier names (`@scope/name/sub` -> `@scope/name`), or null for relative and built-in ones. */
export function packageOf(specifier: string): string | null {
  if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('node:')) return null;
  const name = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]!;
  return builtinModules.includes(name) ? null : name;
}

/** Specifiers of `from` clauses, side-effect `import`s, dynamic `import()` and CommonJS `require()`. */
const IMPORT = /(?:\bfrom\s+|\bimport\s*\(\s*|\bimport\s+|\brequire\s*\(\s*)['"]([^'"]+)['"]/g;

/** The packages a source text imports (built-in modules and relative paths left out). */
export function importedPackages(text: string): string[] {
  return [...text.matchAll(IMPORT)].flatMap(([, specifier]) => packageOf(specifier!) ?? []);
}
