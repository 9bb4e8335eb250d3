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
    return new RuntimeConfig(db, config, derive);
  }

  get(): FleetConfig {
    return this.current;
  }

  /** Validates, persists and applies an edit of the stored configuration; throws ConfigError (nothing applied) when the result is invalid. */
  async update(mutate: (draft: FleetConfig) => FleetConfig): Promise<FleetConfig> {
    const next = parseFleetConfig(mutate(structuredClone(this.stored)));
    const inForce = parseFleetConfig(this.derive(next));
    await writeSetting(this.db, KEY, JSON.stringify(next));
    this.stored = next;
    this.current = inForce;
    for (const l of this.listeners) l(inForce);
    return inForce;
  }

  onChange(listener: (config: FleetConfig) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
