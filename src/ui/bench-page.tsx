import { useEffect, useState } from 'preact/hooks';
import type { BenchListing } from '../bench/run-schema.js';
import { api } from './api.js';
import { BenchView } from './bench-view.js';
import { Notice } from './components.js';

/** The dashboard's Benchmarks page: the runs files `morphling serve --bench` was given, read once. */
export function BenchPage() {
  const [listing, setListing] = useState<BenchListing>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    document.title = 'Benchmarks · Morphling';
    let cancelled = false;
    api
      .bench()
      .then((l) => !cancelled && setListing(l))
      .catch((e: Error) => !cancelled && setError(e.message));
    return () => {
      cancelled = true;
    };
  }, []);
  if (error) return <Notice kind="error">Cannot load the bench runs: {error}</Notice>;
  if (!listing) return <p class="empty">Loading…</p>;
  return <BenchView listing={listing} />;
}
