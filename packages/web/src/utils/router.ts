import { useSyncExternalStore } from 'react';

/**
 * Hash routes (`#/batches/abc`): the API serves the client as static files at `/`,
 * so hash routing needs no server-side fallback.
 */
export type Route =
  | { name: 'batches' }
  | { name: 'new' }
  | { name: 'batch'; batchId: string }
  | { name: 'inspector'; batchId: string | null; taskId: string | null }
  | { name: 'simulator' }
  | { name: 'monitor' }
  | { name: 'notFound'; path: string };

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '') || '/';
  const [pathname = '/', query = ''] = path.split('?');
  const parts = pathname.split('/').filter(Boolean).map(decodeURIComponent);
  const params = new URLSearchParams(query);
  if (parts.length === 0 || (parts[0] === 'batches' && parts.length === 1)) return { name: 'batches' };
  if (parts[0] === 'new' && parts.length === 1) return { name: 'new' };
  if (parts[0] === 'batches' && parts.length === 2 && parts[1]) return { name: 'batch', batchId: parts[1] };
  if (parts[0] === 'inspector' && parts.length <= 2)
    return { name: 'inspector', batchId: parts[1] ?? null, taskId: params.get('task') };
  if (parts[0] === 'simulator' && parts.length === 1) return { name: 'simulator' };
  if (parts[0] === 'monitor' && parts.length === 1) return { name: 'monitor' };
  return { name: 'notFound', path: pathname };
}

export function href(route: Route): string {
  switch (route.name) {
    case 'batches':
      return '#/batches';
    case 'new':
      return '#/new';
    case 'batch':
      return `#/batches/${encodeURIComponent(route.batchId)}`;
    case 'inspector': {
      const base = route.batchId ? `#/inspector/${encodeURIComponent(route.batchId)}` : '#/inspector';
      return route.taskId ? `${base}?task=${encodeURIComponent(route.taskId)}` : base;
    }
    case 'simulator':
      return '#/simulator';
    case 'monitor':
      return '#/monitor';
    case 'notFound':
      return `#${route.path}`;
  }
}

/** Goes to a route; `replace` swaps the current history entry (redirects must not trap the Back button). */
export function navigate(route: Route, opts: { replace?: boolean } = {}): void {
  if (opts.replace) {
    window.history.replaceState(window.history.state, '', href(route));
    window.dispatchEvent(new HashChangeEvent('hashchange'));
  } else window.location.hash = href(route);
}

function subscribe(cb: () => void): () => void {
  window.addEventListener('hashchange', cb);
  return () => window.removeEventListener('hashchange', cb);
}

export function useRoute(): Route {
  const hash = useSyncExternalStore(subscribe, () => window.location.hash);
  return parseRoute(hash);
}
