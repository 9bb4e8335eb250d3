import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/** Where `npm run dev` forwards API calls (the API server's default port). */
const api = process.env.CLIPFLEET_API_URL ?? 'http://localhost:3000';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [react()],
  resolve: {
    // One @trpc/client for this client and the API package's (`@clipfleet/api/client`): npm installs a copy in
    // each workspace, and with two in the bundle the client's errors fail `instanceof TRPCClientError`.
    dedupe: ['@trpc/client'],
  },
  server: {
    port: 5173,
    proxy: {
      '/trpc': { target: api, changeOrigin: true },
      '/batches': { target: api, changeOrigin: true },
    },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Charts, graph layout and the flow renderer are split into lazily loaded page chunks.
    chunkSizeWarningLimit: 2000,
    rolldownOptions: {
      // The engine is pure TS: declaring it side-effect free lets the bundle keep only the catalog helpers the
      // client uses, without XState and the machines it never runs.
      treeshake: { moduleSideEffects: (id: string) => !/[\\/]packages[\\/]engine[\\/]src[\\/]/.test(id) },
    },
  },
});
