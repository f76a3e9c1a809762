import { useEffect, useState } from 'preact/hooks';
import { api } from './api.js';
import { BenchPage } from './bench-page.js';
import { ExperimentPage } from './experiment-page.js';
import { ListPage } from './list-page.js';
import { useRoute } from './router.js';
import { SubmitPage } from './submit-page.js';

/** The dashboard: a header and the page of the current hash route. */
export function App() {
  const route = useRoute();
  const [version, setVersion] = useState<string>();
  useEffect(() => {
    api
      .health()
      .then((h) => setVersion(h.version))
      .catch(() => {});
  }, []);
  return (
    <>
      <header class="topbar">
        <a class="brand" href="#/">
          Morphling
        </a>
        <nav>
          <a href="#/" class={route.page === 'list' || route.page === 'experiment' ? 'active' : ''}>
            Experiments
          </a>
          <a href="#/new" class={route.page === 'submit' ? 'active' : ''}>
            New experiment
          </a>
          <a href="#/bench" class={route.page === 'bench' ? 'active' : ''}>
            Benchmarks
          </a>
        </nav>
        {version && <span class="version">v{version}</span>}
      </header>
      <main>
        {route.page === 'list' && <ListPage />}
        {route.page === 'submit' && <SubmitPage />}
        {route.page === 'bench' && <BenchPage />}
        {route.page === 'experiment' && (
          <ExperimentPage key={route.name} name={route.name} openSeq={route.trial} />
        )}
        {route.page === 'not-found' && (
          <p class="empty">
            Nothing at <code>{route.path}</code>. <a href="#/">Back to the experiments</a>.
          </p>
        )}
      </main>
    </>
  );
}
