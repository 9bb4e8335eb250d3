import type { FormEvent } from 'react';

export interface SimSettings {
  plan: string;
  count: number;
  /** Share of 1080p tasks, 0..1 (the rest are 720p). */
  share1080: number;
  durationSec: number;
  latency: string;
  faults: string;
  strategies: string[];
}

export interface SimChoices {
  plans: { id: string; label: string }[];
  latencies: string[];
  faults: string[];
  strategies: string[];
}

const MIXES = [
  { value: 0, label: 'all 720p' },
  { value: 0.25, label: '25% 1080p' },
  { value: 0.5, label: '50:50' },
  { value: 0.75, label: '75% 1080p' },
  { value: 1, label: 'all 1080p' },
];

/** The scenario: plan, count, class mix, latency and fault profiles, strategies to compare. */
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
  const countValid = Number.isInteger(value.count) && value.count >= 1 && value.count <= 10_000;
  function submit(e: FormEvent) {
    e.preventDefault();
    if (countValid && value.strategies.length > 0 && !running) onRun();
  }
  return (
    <form className="stack" onSubmit={submit} aria-label="Simulation scenario">
      <label className="field">
        Plan
        <select name="plan" value={value.plan} onChange={(e) => set('plan', e.target.value)}>
          {choices.plans.map((p) => (
            <option key={p.id} value={p.id}>
              {p.label}
            </option>
          ))}
        </select>
      </label>
      <label className="field">
        Videos
        <input
          type="number"
          name="count"
          min={1}
          max={10000}
          value={Number.isNaN(value.count) ? '' : value.count}
          onChange={(e) => set('count', e.target.valueAsNumber)}
          aria-invalid={!countValid || undefined}
        />
        {!countValid ? <span className="issue">1 to 10,000 videos</span> : null}
      </label>
      <label className="field">
        Mix
        <select name="mix" value={value.share1080} onChange={(e) => set('share1080', Number(e.target.value))}>
          {MIXES.map((m) => (
            <option key={m.value} value={m.value}>
              {m.label}
            </option>
          ))}
        </select>
      </label>
      <label className="field">
        Duration
        <select name="duration" value={value.durationSec} onChange={(e) => set('durationSec', Number(e.target.value))}>
          <option value={10}>10 s</option>
          <option value={15}>15 s</option>
        </select>
      </label>
      <label className="field">
        Latency profile
        <select name="latency" value={value.latency} onChange={(e) => set('latency', e.target.value)}>
          {choices.latencies.map((l) => (
            <option key={l} value={l}>
              {l}
            </option>
          ))}
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
      <button type="submit" className="btn btn-primary" disabled={running || !countValid || value.strategies.length === 0}>
        {running ? 'Simulating…' : 'Run simulation'}
      </button>
    </form>
  );
}
