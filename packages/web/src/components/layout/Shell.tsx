import { lazy, Suspense } from 'react';
import { BatchDetailPage } from '../../pages/BatchDetailPage.tsx';
import { BatchesPage } from '../../pages/BatchesPage.tsx';
import { NewBatchPage } from '../../pages/NewBatchPage.tsx';
import { href, useRoute, type Route } from '../../utils/router.ts';
import { Empty, Loading } from '../ui/States.tsx';
import { AccountMenu } from './AccountMenu.tsx';

// The heavy pages (graph layout, flow renderer, charts) load on demand.
const InspectorPage = lazy(() => import('../../pages/InspectorPage.tsx').then((m) => ({ default: m.InspectorPage })));
const MonitorPage = lazy(() => import('../../pages/MonitorPage.tsx').then((m) => ({ default: m.MonitorPage })));
const SimulatorPage = lazy(() => import('../../pages/SimulatorPage.tsx').then((m) => ({ default: m.SimulatorPage })));

const NAV: { label: string; route: Route; match: Route['name'][] }[] = [
  { label: 'Batches', route: { name: 'batches' }, match: ['batches', 'batch'] },
  { label: 'New batch', route: { name: 'new' }, match: ['new'] },
  { label: 'Inspector', route: { name: 'inspector', batchId: null, taskId: null }, match: ['inspector'] },
  { label: 'Simulator', route: { name: 'simulator' }, match: ['simulator'] },
  { label: 'Monitoring', route: { name: 'monitor' }, match: ['monitor'] },
];

function Page({ route }: { route: Route }) {
  switch (route.name) {
    case 'batches':
      return <BatchesPage />;
    case 'new':
      return <NewBatchPage />;
    case 'batch':
      return <BatchDetailPage key={route.batchId} batchId={route.batchId} />;
    case 'inspector':
      return <InspectorPage batchId={route.batchId} taskId={route.taskId} />;
    case 'simulator':
      return <SimulatorPage />;
    case 'monitor':
      return <MonitorPage />;
    case 'notFound':
      return (
        <Empty title="Page not found">
          <a href={href({ name: 'batches' })}>Back to batches</a>
        </Empty>
      );
  }
}

export function Shell() {
  const route = useRoute();
  return (
    <div className="app">
      <header className="topbar">
        <a className="brand" href={href({ name: 'batches' })}>
          <span className="brand-mark" aria-hidden="true">
            ▶
          </span>
          ClipFleet
        </a>
        <nav className="nav" aria-label="Main">
          {NAV.map((item) => (
            <a key={item.label} href={href(item.route)} aria-current={item.match.includes(route.name) ? 'page' : undefined}>
              {item.label}
            </a>
          ))}
        </nav>
        <AccountMenu />
      </header>
      <main className="main">
        <Suspense fallback={<Loading />}>
          <Page route={route} />
        </Suspense>
      </main>
    </div>
  );
}
