import { useSyncExternalStore } from 'react';
import { AuthedApp } from './components/layout/AuthedApp.tsx';
import { SignInPage } from './pages/SignInPage.tsx';
import { getApiKey, subscribeApiKey } from './utils/auth.ts';

/** Signed out: the sign-in page; signed in: the app with a client bound to the key. */
export function App() {
  const apiKey = useSyncExternalStore(subscribeApiKey, getApiKey);
  if (!apiKey) return <SignInPage />;
  return <AuthedApp key={apiKey} apiKey={apiKey} />;
}
