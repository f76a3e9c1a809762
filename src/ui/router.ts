import { useEffect, useState } from 'preact/hooks';

/** Hash routes, so that the dashboard works from any static server and the report from a file. */
export type Route =
  | { page: 'list' }
  | { page: 'submit' }
  | { page: 'bench' }
  | { page: 'experiment'; name: string; trial?: number }
  | { page: 'not-found'; path: string };

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '') || '/';
  if (path === '/' || path === '/experiments') return { page: 'list' };
  if (path === '/new') return { page: 'submit' };
  if (path === '/bench') return { page: 'bench' };
  const match = /^\/experiments\/([^/]+)(?:\/trials\/(\d+))?\/?$/.exec(path);
  if (match?.[1]) {
    const route: Route = { page: 'experiment', name: decodeURIComponent(match[1]) };
    if (match[2]) route.trial = Number(match[2]);
    return route;
  }
  return { page: 'not-found', path };
}

export function experimentHref(name: string, trial?: number): string {
  return `#/experiments/${encodeURIComponent(name)}${trial === undefined ? '' : `/trials/${trial}`}`;
}

export function navigate(href: string): void {
  window.location.hash = href.replace(/^#/, '');
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}
