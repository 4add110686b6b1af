import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import type { ErrandBridge } from '../../electron/contract/bridge';
import { App } from './app';
import { createClient } from './client';
import { createApp } from './state/app';
import 'react-diff-view/style/index.css';
import 'react-json-view-lite/dist/index.css';
import './styles.css';

const client = createClient(window as unknown as { errand?: ErrandBridge; location: Location });
const app = createApp(client);
app.start();
// For the benchmark and e2e tests: read-only access to the store from the page.
(window as unknown as { __errand?: unknown }).__errand = app;

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App app={app} />
  </StrictMode>,
);
