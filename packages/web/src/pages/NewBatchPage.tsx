import { DEFAULT_CONFIG } from '@clipfleet/engine';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useDeferredValue, useMemo, useState, type FormEvent } from 'react';
import { DefaultsForm } from '../components/batch/DefaultsForm.tsx';
import { EstimatePanel, type BatchRequest } from '../components/batch/EstimatePanel.tsx';
import { RowSource } from '../components/batch/RowSource.tsx';
import { RowsTable } from '../components/batch/RowsTable.tsx';
import { Empty } from '../components/ui/States.tsx';
import { useCatalog } from '../hooks/useCatalog.ts';
import { catalogDefaults, checkRows, type ParseResult, type RowDefaults } from '@clipfleet/api/rows';
import { navigate } from '../utils/router.ts';
import { errorMessage, useTRPC } from '../utils/trpc.ts';

export function NewBatchPage() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const me = useQuery(trpc.me.get.queryOptions());
  const [parsed, setParsed] = useState<ParseResult>({ rows: [], fileErrors: [] });
  const [name, setName] = useState('');
  const { catalog, maxRows, refusesRetired } = useCatalog();
  const [defaults, setDefaults] = useState<RowDefaults>(() => catalogDefaults(DEFAULT_CONFIG.catalog));

  // Validation of thousands of rows runs on a deferred copy, so typing in the textarea stays responsive.
  const deferred = useDeferredValue(parsed);
  const checked = useMemo(() => checkRows(deferred.rows, defaults, catalog, maxRows, { refusesRetired }), [deferred, defaults, catalog, maxRows, refusesRetired]);
  const inputs = useMemo(() => checked.rows.map((r) => r.input), [checked]);
  const valid = deferred === parsed && parsed.fileErrors.length === 0 && checked.batchErrors.length === 0 && checked.invalidCount === 0;

  const create = useMutation(
    trpc.batch.create.mutationOptions({
      onSuccess: async (res) => {
        await queryClient.invalidateQueries({ queryKey: trpc.batch.list.pathKey() });
        await queryClient.invalidateQueries({ queryKey: trpc.me.get.queryKey() });
        navigate({ name: 'batch', batchId: res.batchId });
      },
    }),
  );

  const request = useMemo<BatchRequest | null>(
    () =>
      valid
        ? {
            ...(name.trim() ? { name: name.trim() } : {}),
            rows: inputs,
            defaultModel: defaults.model,
            defaultResolution: defaults.resolution,
            defaultDuration: defaults.duration,
          }
        : null,
    [valid, name, inputs, defaults],
  );

  function submit(e: FormEvent) {
    e.preventDefault();
    if (!request || create.isPending) return;
    create.mutate(request);
  }

  return (
    <form onSubmit={submit} className="stack" aria-label="New batch">
      <div className="page-head">
        <div>
          <h1>New batch</h1>
          <p>Paste prompts or upload a CSV. Every row is checked against the catalog before anything is sent.</p>
        </div>
      </div>
      <div className="grid-2">
        <div className="stack">
          <section className="card">
            <div className="card-body stack">
              <label className="field">
                Name <span className="hint">Optional, shown in the batch list.</span>
                <input type="text" name="name" value={name} onChange={(e) => setName(e.target.value)} maxLength={200} />
              </label>
              <RowSource onChange={(result) => setParsed(result)} />
              <DefaultsForm catalog={catalog} value={defaults} onChange={setDefaults} refusesRetired={refusesRetired} />
            </div>
          </section>
          <section className="card" aria-label="Rows">
            <div className="card-head">
              <h2>Rows</h2>
              <p>
                {checked.rows.length.toLocaleString('en')} row{checked.rows.length === 1 ? '' : 's'}
                {checked.invalidCount ? (
                  <span className="issue" data-testid="invalid-count">
                    {' '}
                    · {checked.invalidCount} invalid
                  </span>
                ) : null}
              </p>
            </div>
            {parsed.fileErrors.map((e) => (
              <div key={e} className="error-box" role="alert" style={{ margin: 12 }}>
                {e}
              </div>
            ))}
            {checked.rows.length ? (
              <RowsTable rows={checked.rows} />
            ) : (
              <Empty title="No rows yet">Paste prompts above, one per line, or upload a CSV file.</Empty>
            )}
          </section>
        </div>
        <aside className="card" aria-label="Summary" style={{ position: 'sticky', top: 72 }}>
          <div className="card-head">
            <h2>Summary</h2>
          </div>
          <div className="card-body stack">
            <EstimatePanel request={request} balance={me.data?.balance} />
            {!valid && checked.rows.length > 0 ? (
              <p className="issue">Fix the highlighted rows to submit.</p>
            ) : null}
            {create.error ? (
              <div className="error-box" role="alert">
                {errorMessage(create.error)}
              </div>
            ) : null}
            <button type="submit" className="btn btn-primary" disabled={!valid || create.isPending}>
              {create.isPending ? 'Submitting…' : `Submit ${checked.rows.length || ''} video${checked.rows.length === 1 ? '' : 's'}`}
            </button>
          </div>
        </aside>
      </div>
    </form>
  );
}
