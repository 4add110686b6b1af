import { useEffect, useRef } from 'react';
import { handleKey } from './keyboard';
import type { ErrandApp } from './state/app';
import { useListModel } from './state/hooks';
import { AppContext, touchClock, useAppState } from './ui/context';
import { ApprovalsInbox } from './views/approval';
import { Detail } from './views/detail';
import { Dialogs } from './views/dialogs';
import { FilterBar } from './views/filter';
import { Header } from './views/header';
import { JobList } from './views/job-list';
import { Sidebar } from './views/sidebar';

export function App({ app }: { app: ErrandApp }) {
  return (
    <AppContext.Provider value={app}>
      <Shell app={app} />
    </AppContext.Provider>
  );
}

function Shell({ app }: { app: ErrandApp }) {
  const model = useListModel();
  const modelRef = useRef(model);
  modelRef.current = model;
  const view = useAppState((s) => s.view);
  const synced = useAppState((s) => s.synced);

  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (handleKey(app, e, modelRef.current)) e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [app]);

  useEffect(() => {
    if (synced) touchClock();
  }, [synced]);

  return (
    <div className="app">
      <Header />
      <div className="body">
        <Sidebar />
        <main className="middle">
          <FilterBar />
          {view === 'approvals' ? <ApprovalsInbox /> : <JobList />}
        </main>
        <Detail />
      </div>
      <Dialogs />
    </div>
  );
}
