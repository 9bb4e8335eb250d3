// Compiles the server to plain JavaScript for `npm start` (development keeps running the TypeScript through tsx).
// One ESM bundle per entry with our workspace packages inlined (they export TypeScript sources) and every npm
// package left external, resolved from node_modules at run time as usual (better-sqlite3 is native).
import { build } from 'esbuild';

const external = {
  name: 'npm-packages-external',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => (args.path.startsWith('@clipfleet/') ? undefined : { path: args.path, external: true }));
  },
};

await build({
  entryPoints: { main: 'src/main.ts', 'bench-server': 'bench/server-child.ts', 'bench-late-clients': 'bench/late-clients.ts', 'bench-live-clients': 'bench/live-clients.ts' },
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
  plugins: [external],
});
