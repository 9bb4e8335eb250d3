import { getApiKey } from './auth.ts';

/** Downloads an authenticated file: fetch with the bearer key, then save the blob. */
export async function downloadWithAuth(url: string, fileName: string): Promise<void> {
  const res = await fetch(url, { headers: { authorization: `Bearer ${getApiKey() ?? ''}` } });
  if (!res.ok) {
    let message = `download failed (HTTP ${res.status})`;
    try {
      const body = (await res.json()) as { message?: string; error?: string };
      message = body.message ?? body.error ?? message;
    } catch {
      /* not JSON */
    }
    throw new Error(message);
  }
  const blob = await res.blob();
  const objectUrl = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = objectUrl;
  a.download = fileName;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(objectUrl), 10_000);
}
