import { useId, useState, type ChangeEvent } from 'react';
import { CSV_COLUMNS, parseCsv, parsePromptLines, type ParseResult } from '../../lib/rows.ts';

type Mode = 'paste' | 'csv';

/** Where the rows come from: a textarea (one prompt per line) or a CSV file. */
export function RowSource({ onChange }: { onChange: (result: ParseResult, source: string) => void }) {
  const [mode, setMode] = useState<Mode>('paste');
  const [text, setText] = useState('');
  const [fileName, setFileName] = useState<string | null>(null);
  const textId = useId();
  const fileId = useId();

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
      <div className="tabs" role="tablist" aria-label="Row source">
        <button type="button" role="tab" aria-selected={mode === 'paste'} onClick={() => switchMode('paste')}>
          Paste prompts
        </button>
        <button type="button" role="tab" aria-selected={mode === 'csv'} onClick={() => switchMode('csv')}>
          Upload CSV
        </button>
      </div>
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
          <input id={fileId} type="file" name="csv" accept=".csv,text/csv" onChange={onFile} />
          {fileName ? <span className="hint">Loaded {fileName}</span> : null}
        </label>
      )}
    </div>
  );
}
