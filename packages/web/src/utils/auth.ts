/** The API key lives in localStorage so a reload keeps the operator signed in. */
const STORAGE_KEY = 'clipfleet.apiKey';

type Listener = () => void;
const listeners = new Set<Listener>();

export function getApiKey(): string | null {
  try {
    return localStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

export function setApiKey(key: string | null): void {
  if (key) localStorage.setItem(STORAGE_KEY, key);
  else localStorage.removeItem(STORAGE_KEY);
  for (const l of listeners) l();
}

export function subscribeApiKey(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
