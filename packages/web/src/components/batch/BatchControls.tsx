import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { downloadWithToken } from '../../utils/download.ts';
import { errorMessage, useTRPC, useTRPCClient } from '../../utils/trpc.ts';

/** Pause / resume / cancel / retry failed, and the ZIP of finished videos. */
export function BatchControls({
  batchId,
  paused,
  finished,
  failedCount,
  succeededCount,
}: {
  batchId: string;
  paused: boolean;
  finished: boolean;
  failedCount: number;
  succeededCount: number;
}) {
  const trpc = useTRPC();
  const trpcClient = useTRPCClient();
  const queryClient = useQueryClient();
  const [downloadError, setDownloadError] = useState<unknown>(null);
  const [downloading, setDownloading] = useState(false);
  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: trpc.batch.get.queryKey({ batchId }) });
    void queryClient.invalidateQueries({ queryKey: trpc.batch.tasks.pathKey() });
    void queryClient.invalidateQueries({ queryKey: trpc.me.get.queryKey() });
  };
  const pause = useMutation(trpc.batch.pause.mutationOptions({ onSettled: refresh }));
  const resume = useMutation(trpc.batch.resume.mutationOptions({ onSettled: refresh }));
  const cancel = useMutation(trpc.batch.cancel.mutationOptions({ onSettled: refresh }));
  const retry = useMutation(trpc.batch.retryFailed.mutationOptions({ onSettled: refresh }));
  const busy = pause.isPending || resume.isPending || cancel.isPending || retry.isPending;
  const error = pause.error ?? resume.error ?? cancel.error ?? retry.error ?? downloadError;

  async function download() {
    setDownloading(true);
    setDownloadError(null);
    try {
      const { token } = await trpcClient.me.linkToken.mutate({ scope: 'download' });
      downloadWithToken(`/batches/${encodeURIComponent(batchId)}/download.zip`, token, `clipfleet-${batchId}.zip`);
    } catch (err) {
      setDownloadError(err);
    } finally {
      setDownloading(false);
    }
  }

  return (
    <div className="stack" style={{ gap: 8 }}>
      <div className="row">
        {paused ? (
          <button type="button" className="btn" disabled={busy || finished} onClick={() => resume.mutate({ batchId })}>
            Resume
          </button>
        ) : (
          <button type="button" className="btn" disabled={busy || finished} onClick={() => pause.mutate({ batchId })}>
            Pause
          </button>
        )}
        <button
          type="button"
          className="btn"
          disabled={busy || failedCount === 0}
          onClick={() => retry.mutate({ batchId })}
          title={failedCount === 0 ? 'No failed tasks' : undefined}
        >
          Retry failed{failedCount ? ` (${failedCount})` : ''}
        </button>
        <button
          type="button"
          className="btn btn-danger"
          disabled={busy || finished}
          onClick={() => {
            if (window.confirm('Cancel every unfinished task of this batch? Credits for tasks that never ran are refunded.'))
              cancel.mutate({ batchId });
          }}
        >
          Cancel batch
        </button>
        <button type="button" className="btn" disabled={downloading || succeededCount === 0} onClick={() => void download()}>
          {downloading ? 'Preparing ZIP…' : 'Download ZIP'}
        </button>
      </div>
      {error ? (
        <div className="error-box" role="alert">
          {errorMessage(error)}
        </div>
      ) : null}
    </div>
  );
}
