import type { CheckedRow } from '@clipfleet/api/rows';

const SHOWN = 200;

const FIELD_LABEL: Record<string, string> = {
  prompt: 'prompt',
  model: 'model',
  resolution: 'resolution',
  duration: 'duration',
  aspectRatio: 'aspect ratio',
  imageUrl: 'image URL',
  lastFrameUrl: 'last frame URL',
};

/** Every row with its effective settings, price, and inline problems; invalid rows first. */
export function RowsTable({ rows }: { rows: CheckedRow[] }) {
  const invalid = rows.filter((r) => r.issues.length > 0);
  const valid = rows.filter((r) => r.issues.length === 0);
  const shown = [...invalid, ...valid].slice(0, Math.max(SHOWN, invalid.length));
  return (
    <div className="table-wrap" style={{ maxHeight: 480 }}>
      <table className="table" aria-label="Batch rows">
        <thead>
          <tr>
            <th className="num">Line</th>
            <th>Prompt</th>
            <th>Model</th>
            <th>Res.</th>
            <th className="num">Dur.</th>
            <th className="num">Credits</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((r) => {
            const bad = r.issues.length > 0;
            return (
              <tr key={r.draft.line} className={bad ? 'invalid' : undefined} data-testid={bad ? 'invalid-row' : 'row'} aria-invalid={bad || undefined}>
                <td className="num muted">{r.draft.line}</td>
                <td>
                  <div className="truncate" title={r.draft.prompt}>
                    {r.draft.prompt || <span className="muted">(empty)</span>}
                  </div>
                  {r.issues.map((issue) => (
                    <div key={issue.field + issue.message} className="issue" role="alert">
                      Line {r.draft.line}, {FIELD_LABEL[issue.field] ?? issue.field}: {issue.message}
                    </div>
                  ))}
                </td>
                <td className="nowrap">{r.effective.model}</td>
                <td>{r.effective.resolution}</td>
                <td className="num">{r.effective.duration} s</td>
                <td className="num">{r.credits ?? '—'}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {rows.length > shown.length ? (
        <p className="muted small" style={{ padding: '0 12px' }}>
          Showing {shown.length} of {rows.length.toLocaleString('en')} rows (every invalid row is listed).
        </p>
      ) : null}
    </div>
  );
}
