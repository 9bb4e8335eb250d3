import type { Catalog } from '@clipfleet/engine';
import { catalogChoices, type RowDefaults } from '@clipfleet/api/rows';

/** Model / resolution / duration used by rows that do not set their own. */
export function DefaultsForm({
  catalog,
  value,
  onChange,
}: {
  catalog: Catalog;
  value: RowDefaults;
  onChange: (next: RowDefaults) => void;
}) {
  const { resolutions, durations } = catalogChoices(catalog, value.model);

  function setModel(model: string) {
    const c = catalogChoices(catalog, model);
    onChange({
      model,
      resolution: c.resolutions.includes(value.resolution) ? value.resolution : (c.resolutions[0] ?? value.resolution),
      duration: c.durations.includes(value.duration) ? value.duration : (c.durations[0] ?? value.duration),
    });
  }

  return (
    <fieldset>
      <legend>Defaults</legend>
      <div className="row">
        <label className="field">
          Model
          <select name="defaultModel" value={value.model} onChange={(e) => setModel(e.target.value)}>
            {catalog.models.map((m) => (
              <option key={m.id} value={m.id}>
                {m.label}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          Resolution
          <select name="defaultResolution" value={value.resolution} onChange={(e) => onChange({ ...value, resolution: e.target.value })}>
            {resolutions.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          Duration
          <select name="defaultDuration" value={value.duration} onChange={(e) => onChange({ ...value, duration: Number(e.target.value) })}>
            {durations.map((d) => (
              <option key={d} value={d}>
                {d} s
              </option>
            ))}
          </select>
        </label>
      </div>
    </fieldset>
  );
}
