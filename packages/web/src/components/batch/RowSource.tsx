import { useId, useState, type ChangeEvent, type KeyboardEvent } from 'react';
import { CSV_COLUMNS, parseCsv, parsePromptLines, type ParseResult } from '@clipfleet/api/rows';

type Mode = 'paste' | 'csv';

const TABS: { mode: Mode; label: string }[] = [
  { mode: 'paste', label: 'Paste prompts' },
  { mode: 'csv', label: 'Upload CSV' },
];

/** Where the rows come from: a textarea (one prompt per line) or a CSV file. */
export function RowSource({ onChange }: { onChange: (result: ParseResult, source: string) => void }) {
  const [mode, setMode] = useState<Mode>('paste');
  const [text, setText] = useState('');
  const [fileName, setFileName] = useState<string | null>(null);
  const textId = useId();
  const fileId = useId();
  const panelId = useId();

  /** Arrow keys move between the tabs (the WAI-ARIA tabs pattern). */
  function onTabKey(e: KeyboardEvent<HTMLDivElement>) {
    if (e.key !== 'ArrowLeft' && e.key !== 'ArrowRight') return;
    e.preventDefault();
    const i = TABS.findIndex((t) => t.mode === mode);
    const next = TABS[(i + (e.key === 'ArrowRight' ? 1 : TABS.length - 1)) % TABS.length]!;
    switchMode(next.mode);
    document.getElementById(`${panelId}-${next.mode}`)?.focus();
  }

  function switchMode(next: Mode) {
    setMode(next);
    if (next === 'paste') onChange(parsePromptLines(text), 'paste');
    else onChange({ rows: [], fileErrors: [] }, 'csv');
    setFileName(null);
  }

  function onText(e: ChangeEvent<HTMLTextAreaElement>) {
    setText(e.target.value);
    onChange(parsePromptLines(e.target.value), 'paste');
  }

  async function onFile(e: ChangeEvent<HTMLInputElement>) {
    const file = e.target.files?.[0];
    if (!file) return;
    setFileName(file.name);
    onChange(parseCsv(await file.text()), file.name);
  }

  return (
    <div className="stack">
      <div className="tabs" role="tablist" aria-label="Row source" onKeyDown={onTabKey}>
        {TABS.map((t) => (
          <button
            key={t.mode}
            type="button"
            role="tab"
            id={`${panelId}-${t.mode}`}
            aria-selected={mode === t.mode}
            aria-controls={panelId}
            tabIndex={mode === t.mode ? 0 : -1}
            onClick={() => switchMode(t.mode)}
          >
            {t.label}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={panelId} aria-labelledby={`${panelId}-${mode}`}>
      {mode === 'paste' ? (
        <label className="field" htmlFor={textId}>
          Prompts <span className="hint">One prompt per line; the defaults apply to every row.</span>
          <textarea
            id={textId}
            name="prompts"
            value={text}
            onChange={onText}
            rows={10}
            placeholder={'A red fox running through fresh snow at dawn\nA lighthouse in a storm, slow aerial orbit'}
          />
        </label>
      ) : (
        <label className="field" htmlFor={fileId}>
          CSV file
          <span className="hint">
            Header row with <code>{CSV_COLUMNS.join(',')}</code>; only <code>prompt</code> is required, empty cells use the
            defaults.
          </span>
          <details className="muted small" data-testid="csv-columns">
            <summary>CSV columns</summary>
            <ul>
              <li><code>model</code>: a catalog id (e.g. <code>kling-2.6</code>, <code>seedance-2</code>, <code>veo-3.1-fast</code>)</li>
              <li><code>resolution</code>: one the model renders (480p, 720p, 768P, 1080p, 2K, 4k)</li>
              <li><code>duration</code>: whole seconds the model accepts</li>
              <li><code>aspect_ratio</code>: as the model spells it (16:9, 9:16, 1:1, ...; Sora: landscape, portrait)</li>
              <li><code>image_url</code>: https image, or the first frame (makes the row image-to-video)</li>
              <li><code>last_frame_url</code>: https last frame, for models that take first and last frame</li>
            </ul>
          </details>
          <input id={fileId} type="file" name="csv" accept=".csv,text/csv" onChange={onFile} />
          {fileName ? <span className="hint">Loaded {fileName}</span> : null}
        </label>
      )}
      </div>
    </div>
  );
}
