import { skipToken, useQuery } from '@tanstack/react-query';
import { formatCredits, formatDuration } from '../../lib/format.ts';
import type { BatchRowInput, RowDefaults } from '../../lib/rows.ts';
import { useDebounced } from '../../utils/useDebounced.ts';
import { errorMessage, useTRPC } from '../../utils/trpc.ts';

/** The server's price and time estimate for the rows as they stand, beside the balance. */
export function EstimatePanel({
  rows,
  defaults,
  enabled,
  balance,
}: {
  rows: BatchRowInput[];
  defaults: RowDefaults;
  enabled: boolean;
  balance: number | undefined;
}) {
  const trpc = useTRPC();
  const input = useDebounced(enabled ? { rows, defaults } : null, 250);
  const estimate = useQuery({
    ...trpc.batch.estimate.queryOptions(input ?? skipToken),
    placeholderData: (prev) => prev,
  });
  const credits = estimate.data?.totalCredits;
  const short = credits !== undefined && balance !== undefined && credits > balance;
  return (
    <div className="stack" aria-live="polite">
      <div className="stats">
        <div className="stat">
          <div className="label">Cost</div>
          <div className="value" data-testid="estimate-credits">
            {enabled && credits !== undefined ? formatCredits(credits) : '—'}
          </div>
        </div>
        <div className="stat">
          <div className="label">Estimated time</div>
          <div className="value" data-testid="estimate-time">
            {enabled && estimate.data ? formatDuration(estimate.data.estimatedMs) : '—'}
          </div>
        </div>
        <div className="stat">
          <div className="label">Balance</div>
          <div className="value">{balance !== undefined ? formatCredits(balance) : '—'}</div>
        </div>
      </div>
      {estimate.isFetching && enabled ? <span className="muted small">Updating estimate…</span> : null}
      {estimate.error && enabled ? <div className="error-box">{errorMessage(estimate.error)}</div> : null}
      {short ? (
        <div className="warn-box" role="alert">
          Not enough credits: this batch needs {formatCredits(credits)}, you have {formatCredits(balance)}.
        </div>
      ) : null}
    </div>
  );
}
