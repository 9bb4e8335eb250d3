import { DEFAULT_CONFIG, parseFleetConfig, type FleetConfig } from '@clipfleet/engine';
import type { Db } from './db/database.ts';
import { readSetting, writeSetting } from './store/settings.ts';

const KEY = 'fleet_config';

/** Facts of this process that the configuration in force reflects but that are never stored as configuration. */
export type DeriveConfig = (stored: FleetConfig) => FleetConfig;

/**
 * The fleet configuration in force. Admin edits are validated whole (parseFleetConfig), stored so they survive a
 * restart, and pushed to the running supervisor (hot reload: next admissions use them). What is derived at
 * start-up (whether KIE calls back, from PUBLIC_URL) is applied over the stored configuration, never written
 * into it: a later start without PUBLIC_URL must not keep waiting for callbacks that never come.
 */
export class RuntimeConfig {
  private listeners = new Set<(config: FleetConfig) => void>();
  private current: FleetConfig;

  private constructor(
    private readonly db: Db,
    private stored: FleetConfig,
    private readonly derive: DeriveConfig,
    /** The stored text last read or written (refresh applies a different one). */
    private storedText: string | undefined,
  ) {
    this.current = derive(stored);
  }

  static async load(db: Db, base: FleetConfig = DEFAULT_CONFIG, derive: DeriveConfig = (c) => c): Promise<RuntimeConfig> {
    const saved = await readSetting(db, KEY);
    let config = base;
    if (saved) {
      try {
        config = parseFleetConfig(JSON.parse(saved));
      } catch (err) {
        console.error(`ignoring the stored fleet configuration: ${(err as Error).message}`);
      }
    }
    return new RuntimeConfig(db, config, derive, saved);
  }

  get(): FleetConfig {
    return this.current;
  }

  /** Validates, persists and applies an edit of the stored configuration; throws ConfigError (nothing applied) when the result is invalid. */
  async update(mutate: (draft: FleetConfig) => FleetConfig): Promise<FleetConfig> {
    const next = parseFleetConfig(mutate(structuredClone(this.stored)));
    const inForce = parseFleetConfig(this.derive(next));
    const text = JSON.stringify(next);
    await writeSetting(this.db, KEY, text);
    this.storedText = text;
    this.stored = next;
    this.current = inForce;
    for (const l of this.listeners) l(inForce);
    return inForce;
  }

  /**
   * Applies what another process stored since (an admin edit made through an API process reaches the workers
   * at their next heartbeat). An unreadable stored value is ignored, as at load.
   */
  async refresh(): Promise<void> {
    const saved = await readSetting(this.db, KEY);
    if (saved === undefined || saved === this.storedText) return;
    this.storedText = saved;
    let next: FleetConfig;
    try {
      next = parseFleetConfig(JSON.parse(saved));
    } catch (err) {
      console.error(`ignoring the stored fleet configuration: ${(err as Error).message}`);
      return;
    }
    this.stored = next;
    this.current = parseFleetConfig(this.derive(next));
    for (const l of this.listeners) l(this.current);
  }

  onChange(listener: (config: FleetConfig) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
