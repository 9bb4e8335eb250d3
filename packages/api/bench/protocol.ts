/** Messages between api-bench.ts (parent) and server-child.ts over the fork() IPC channel. */

export interface PhaseFigures {
  phase: string;
  /** Event-loop lag beyond the monitor's timer period, ms. */
  lagP50Ms: number;
  lagP99Ms: number;
  lagMaxMs: number;
  lagSamples: number;
  /** Peak resident set size seen by the 100 ms sampler, MB (MiB). */
  rssPeakMb: number;
  rssSamples: number;
  /** The server process's CPU time (user + system) during the phase, s: comparable across runs where wall lag is not. */
  cpuSeconds: number;
}

export type ParentCommand = { cmd: 'phase'; name: string } | { cmd: 'stop' };

export type ChildReport =
  | { type: 'ready'; url: string; adminKey: string; pid: number }
  | { type: 'phase'; figures: PhaseFigures }
  | { type: 'overall'; figures: PhaseFigures }
  | { type: 'stopped' }
  | { type: 'error'; message: string };
