import { modeLabel, type Catalog } from '@clipfleet/engine';
import { catalogChoices, type RowDefaults } from '@clipfleet/api/rows';

/** How many images the model's image-to-video mode takes, and in which CSV columns. */
function imagesHint(images: { min: number; max: number } | null, textToVideo: boolean): string {
  if (!images) return 'Text-to-video only: leave image_url empty.';
  const which = images.max > 1 ? 'image_url (first frame) and optionally last_frame_url' : 'image_url (exactly one image)';
  return `${textToVideo ? 'Text-to-video without an image; ' : 'Needs an image: '}${modeLabel('imageToVideo')} with ${which}, https only.`;
}

/**
 * Model / resolution / duration / aspect ratio used by rows that do not set their own. Every choice comes from
 * the catalog: only what the chosen model accepts is offered; retired models are marked (and disabled when
 * the server talks to the real KIE).
 */
export function DefaultsForm({
  catalog,
  value,
  onChange,
  refusesRetired = false,
}: {
  catalog: Catalog;
  value: RowDefaults;
  onChange: (next: RowDefaults) => void;
  refusesRetired?: boolean;
}) {
  const choices = catalogChoices(catalog, value.model);

  function setModel(model: string) {
    const c = catalogChoices(catalog, model);
    const next: RowDefaults = {
      model,
      resolution: c.resolutions.includes(value.resolution) ? value.resolution : (c.resolutions[0] ?? value.resolution),
      duration: c.durations.includes(value.duration) ? value.duration : (c.durations.at(-1) ?? value.duration),
    };
    if (value.aspectRatio && c.aspectRatios.includes(value.aspectRatio)) next.aspectRatio = value.aspectRatio;
    onChange(next);
  }

  return (
    <fieldset>
      <legend>Defaults</legend>
      <div className="row">
        <label className="field">
          Model
          <select name="defaultModel" value={value.model} onChange={(e) => setModel(e.target.value)}>
            {catalog.models.map((m) => (
              <option key={m.id} value={m.id} disabled={refusesRetired && m.status.state === 'retired'}>
                {m.label}
                {m.status.state === 'retired' ? ` (retired ${m.status.date})` : ''}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          Resolution
          <select name="defaultResolution" value={value.resolution} onChange={(e) => onChange({ ...value, resolution: e.target.value })}>
            {choices.resolutions.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          Duration
          <select name="defaultDuration" value={value.duration} onChange={(e) => onChange({ ...value, duration: Number(e.target.value) })}>
            {choices.durations.map((d) => (
              <option key={d} value={d}>
                {d} s
              </option>
            ))}
          </select>
        </label>
        {choices.aspectRatios.length > 0 ? (
          <label className="field">
            Aspect ratio
            <select
              name="defaultAspectRatio"
              value={value.aspectRatio ?? ''}
              onChange={(e) => {
                const { aspectRatio: _old, ...rest } = value;
                onChange(e.target.value ? { ...rest, aspectRatio: e.target.value } : rest);
              }}
            >
              <option value="">model default ({choices.aspectRatios[0]})</option>
              {choices.aspectRatios.map((a) => (
                <option key={a} value={a}>
                  {a}
                </option>
              ))}
            </select>
          </label>
        ) : null}
      </div>
      <p className="muted small" data-testid="image-hint">
        {imagesHint(choices.images, choices.textToVideo)}
      </p>
    </fieldset>
  );
}
