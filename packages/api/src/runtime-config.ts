import { DEFAULT_CONFIG, parseFleetConfig, type FleetConfig } from '@clipfleet/engine';
import type { Db } from './db/database.ts';
import { readSetting, writeSetting } from './store/settings.ts';

const KEY = 'fleet_config';

/**
 * The fleet configuration in force. Admin edits are validated whole (parseFleetConfig), stored so they survive a
 * restart, and pushed to the running supervisor (hot reload: next admissions use them).
 */
export class RuntimeConfig {
  private listeners = new Set<(config: FleetConfig) => void>();

  private constructor(
    private readonly db: Db,
    private current: FleetConfig,
  ) {}

  static async load(db: Db, base: FleetConfig = DEFAULT_CONFIG): Promise<RuntimeConfig> {
    const stored = await readSetting(db, KEY);
    let config = base;
    if (stored) {
      try {
        config = parseFleetConfig(JSON.parse(stored));
      } catch (err) {
        console.error(`ignoring the stored fleet configuration: ${(err as Error).message}`);
      }
    }
    return new RuntimeConfig(db, config);
  }

  get(): FleetConfig {
    return this.current;
  }

  /** Validates, persists and applies; throws ConfigError (nothing applied) when the result is invalid. */
  async update(mutate: (draft: FleetConfig) => FleetConfig): Promise<FleetConfig> {
    const next = parseFleetConfig(mutate(structuredClone(this.current)));
    await writeSetting(this.db, KEY, JSON.stringify(next));
    this.current = next;
    for (const l of this.listeners) l(next);
    return next;
  }

  onChange(listener: (config: FleetConfig) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
