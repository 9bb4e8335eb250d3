// Public surface of @clipfleet/api.
export type { AppRouter } from './trpc/root.ts';
export { appRouter } from './trpc/root.ts';
export { createClipFleetClient, type ClipFleetClient, type ClipFleetClientOptions } from './client.ts';
export { createServer, type ClipFleetServer, type KieMode, type ServerOptions } from './server.ts';
export { createScaledClock } from './fleet/clock.ts';
