import type { FormEvent } from 'react';
import type { SeedMix } from '../../lib/seedTable.ts';
import type { RouterInputs } from '../../utils/trpc.ts';

/** `sim.run`'s input, one scenario at a time: the form's choices are typed from the server's. */
type SimRunInput = RouterInputs['sim']['run'];
type MixedInput = Extract<SimRunInput, { scenario: 'mixed' }>;

export type ScenarioKind = SimRunInput['scenario'];

export interface SimSettings {
  scenario: ScenarioKind;
  /** table: pro or pro_plus; mixed: any plan. */
  plan: string;
  mix: SeedMix;
  users: number;
  tasksPerUser: number;
  latency: NonNullable<MixedInput['latency']>;
  faults: string;
  strategies: string[];
  seed: number;
}

export interface SimChoices {
  plans: { id: string; label: string }[];
  faults: readonly string[];
  strategies: readonly string[];
}

const TABLE_PLANS = ['pro', 'pro_plus'];
const MIXES = [
  { value: '720p', label: 'all 720p' },
  { value: '1080p', label: 'all 1080p' },
  { value: '50:50', label: '50:50' },
] as const;

function validCount(n: number, max: number): boolean {
  return Number.isInteger(n) && n >= 1 && n <= max;
}

/** The scenario: the seed's table cell, or a mixed batch with latency and fault profiles; strategies to compare. */
export function SimForm({
  value,
  choices,
  onChange,
  onRun,
  running,
}: {
  value: SimSettings;
  choices: SimChoices;
  onChange: (next: SimSettings) => void;
  onRun: () => void;
  running: boolean;
}) {
  const set = <K extends keyof SimSettings>(k: K, v: SimSettings[K]) => onChange({ ...value, [k]: v });
  const mixed = value.scenario === 'mixed';
  const valid = value.strategies.length > 0 && (!mixed || (validCount(value.users, 10) && validCount(value.tasksPerUser, 300)));
  const plans = mixed ? choices.plans : choices.plans.filter((p) => TABLE_PLANS.includes(p.id));

  function setScenario(scenario: ScenarioKind) {
    const plan = scenario === 'table' && !TABLE_PLANS.includes(value.plan) ? 'pro' : value.plan;
    onChange({ ...value, scenario, plan });
  }

  function submit(e: FormEvent) {
    e.preventDefault();
    if (valid && !running) onRun();
  }

  return (
    <form className="stack" onSubmit={submit} aria-label="Simulation scenario">
      <label className="field">
        Scenario
        <select name="scenario" value={value.scenario} onChange={(e) => setScenario(e.target.value as ScenarioKind)}>
          <option value="table">Seed table (100 × Pro 15 s)</option>
          <option value="mixed">Mixed classes + faults</option>
        </select>
      </label>
      <label className="field">
        Plan
        <select name="plan" value={value.plan} onChange={(e) => set('plan', e.target.value)}>
          {plans.map((p) => (
            <option key={p.id} value={p.id}>
              {p.label}
            </option>
          ))}
        </select>
      </label>
      {mixed ? (
        <>
          <div className="row" style={{ flexWrap: 'nowrap' }}>
            <CountField label="Users" name="users" max={10} value={value.users} onChange={(n) => set('users', n)} />
            <CountField label="Videos each" name="tasksPerUser" max={300} value={value.tasksPerUser} onChange={(n) => set('tasksPerUser', n)} />
          </div>
          {!validCount(value.users, 10) || !validCount(value.tasksPerUser, 300) ? (
            <span className="issue">1 to 10 users, 1 to 300 videos each</span>
          ) : null}
          <label className="field">
            Latency profile
            <select name="latency" value={value.latency} onChange={(e) => set('latency', e.target.value as SimSettings['latency'])}>
              <option value="seed">seed (75 s / 302 s, the seed's table)</option>
              <option value="field">field (measured spread, long tail)</option>
            </select>
          </label>
          <label className="field">
            Fault profile
            <select name="faults" value={value.faults} onChange={(e) => set('faults', e.target.value)}>
              {choices.faults.map((f) => (
                <option key={f} value={f}>
                  {f}
                </option>
              ))}
            </select>
          </label>
        </>
      ) : (
        <label className="field">
          Mix
          <select name="mix" value={value.mix} onChange={(e) => set('mix', e.target.value as SimSettings['mix'])}>
            {MIXES.map((m) => (
              <option key={m.value} value={m.value}>
                {m.label}
              </option>
            ))}
          </select>
        </label>
      )}
      <fieldset>
        <legend>Strategies</legend>
        {choices.strategies.map((s) => (
          <label key={s} className="checkbox">
            <input
              type="checkbox"
              name="strategy"
              value={s}
              checked={value.strategies.includes(s)}
              onChange={(e) =>
                set('strategies', e.target.checked ? [...value.strategies, s] : value.strategies.filter((x) => x !== s))
              }
            />
            {s}
          </label>
        ))}
        {value.strategies.length === 0 ? <span className="issue">Pick at least one strategy</span> : null}
      </fieldset>
      <button type="submit" className="btn btn-primary" disabled={running || !valid}>
        {running ? 'Simulating…' : 'Run simulation'}
      </button>
    </form>
  );
}

/** A whole-number field from 1 to `max`, marked invalid (not blocked) while out of range. */
function CountField(props: { label: string; name: string; max: number; value: number; onChange: (n: number) => void }) {
  const { label, name, max, value, onChange } = props;
  return (
    <label className="field" style={{ flex: 1 }}>
      {label}
      <input
        type="number"
        name={name}
        min={1}
        max={max}
        value={Number.isNaN(value) ? '' : value}
        onChange={(e) => onChange(e.target.valueAsNumber)}
        aria-invalid={!validCount(value, max) || undefined}
      />
    </label>
  );
}
