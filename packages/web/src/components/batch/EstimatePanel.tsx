import { skipToken, useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { formatCredits, formatDuration } from '../../lib/format.ts';
import { useDebounced } from '../../utils/useDebounced.ts';
import { errorMessage, useTRPC, type RouterInputs } from '../../utils/trpc.ts';

export type BatchRequest = RouterInputs['batch']['create'];

/** The server's price and time estimate for the rows as they stand, beside the balance. */
export function EstimatePanel({ request, balance }: { request: BatchRequest | null; balance: number | undefined }) {
  const trpc = useTRPC();
  const input = useDebounced(request, 250);
  const estimate = useQuery({
    ...trpc.batch.estimate.queryOptions(input ?? skipToken),
    placeholderData: (prev) => prev,
  });
  const shown = request !== null && input !== null ? estimate.data : undefined;
  const credits = shown?.totalCredits;
  const bal = shown?.balance ?? balance;
  return (
    <div className="stack" aria-live="polite">
      <div className="stats">
        <Stat label="Cost" testId="estimate-credits">
          {credits !== undefined ? formatCredits(credits) : '—'}
        </Stat>
        <Stat label="Estimated time" testId="estimate-time">
          {shown ? formatDuration(shown.estimatedSeconds * 1000) : '—'}
        </Stat>
        <Stat label="Balance" testId="estimate-balance">
          {bal !== undefined ? formatCredits(bal) : '—'}
        </Stat>
      </div>
      {shown ? (
        <p className="muted small" style={{ margin: 0 }}>
          On the {shown.plan} plan:{' '}
          {shown.classes
            .map((c) => `${c.count} × ${c.model} ${c.resolution} ${c.durationSec} s at ${c.concurrency} at once`)
            .join('; ')}
          .
        </p>
      ) : null}
      {estimate.isFetching && request ? <span className="muted small">Updating estimate…</span> : null}
      {estimate.error && request ? (
        <div className="error-box" role="alert">
          {errorMessage(estimate.error)}
        </div>
      ) : null}
      {shown && !shown.enoughCredits ? (
        <div className="warn-box" role="alert">
          Not enough credits: this batch needs {formatCredits(shown.totalCredits)}, you have {formatCredits(shown.balance)}.
        </div>
      ) : null}
    </div>
  );
}

function Stat(props: { label: string; testId: string; children: ReactNode }) {
  return (
    <div className="stat">
      <div className="label">{props.label}</div>
      <div className="value" data-testid={props.testId}>
        {props.children}
      </div>
    </div>
  );
}
