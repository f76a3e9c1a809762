import { useEffect, useMemo, useState } from 'preact/hooks';
import type { BenchListing } from '../bench/run-schema.js';
import { benchCurvesOption } from './bench-chart-options.js';
import {
  BAND_LABELS,
  type BandKind,
  benchCurves,
  COST_THRESHOLDS,
  longestRun,
  mergeRuns,
  objectivesOf,
  searchCostRows,
  selectRuns,
  tablesOf,
} from './bench-data.js';
import { Chart } from './chart.js';
import { Card, Empty, LabelledSelect, Notice } from './components.js';

/** Trials the curves show by default: where report.md's plot stops too. */
const DEFAULT_TRIALS = 60;
const TRIAL_CHOICES = [20, 60, 150];
const ALL_TABLES = '';
const ALL_SOURCES = '-1';

/**
 * The search-cost benchmark: each algorithm's mean best-so-far curve with a band, and trials to 90 / 95
 * / 100 % of the optimum, per objective, per table or over tables. Presentational: the dashboard and the
 * benchmark report file feed it the same listing.
 */
export function BenchView(props: { listing: BenchListing }) {
  const { listing } = props;
  const [source, setSource] = useState(ALL_SOURCES);
  const merged = useMemo(
    () => mergeRuns(listing, source === ALL_SOURCES ? undefined : Number(source)),
    [listing, source],
  );
  const objectives = useMemo(() => objectivesOf(merged.runs), [merged]);
  const [objectiveChoice, setObjective] = useState<string>();
  const objective = objectiveChoice && objectives.includes(objectiveChoice) ? objectiveChoice : objectives[0];
  const tables = useMemo(() => (objective ? tablesOf(merged.runs, objective) : []), [merged, objective]);
  const [tableChoice, setTable] = useState(ALL_TABLES);
  const table = tables.some((t) => t.table === tableChoice) ? tableChoice : ALL_TABLES;
  const [includeCorner, setIncludeCorner] = useState(false);
  const [band, setBand] = useState<BandKind>('iqr');
  const [trialsChoice, setTrials] = useState(String(DEFAULT_TRIALS));

  const runs = useMemo(
    () =>
      objective
        ? selectRuns(merged.runs, {
            objective,
            table: table === ALL_TABLES ? undefined : table,
            includeCorner,
          })
        : [],
    [merged, objective, table, includeCorner],
  );
  const longest = longestRun(runs);
  const xMax = trialsChoice === 'all' ? longest : Math.min(Number(trialsChoice), longest);
  const curves = useMemo(() => benchCurves(runs, xMax, band), [runs, xMax, band]);
  const option = useMemo(() => benchCurvesOption(curves, { xMax, band }), [curves, xMax, band]);
  const costs = useMemo(() => searchCostRows(runs), [runs]);
  const cornerTables = tables.filter((t) => t.cornerOptimum);
  const shownTables = new Set(runs.map((r) => r.table)).size;

  useEffect(() => {
    document.title = 'Benchmarks · Morphling';
  }, []);

  const broken = listing.sources.filter((s) => s.error || s.invalid > 0);
  return (
    <div data-testid="bench-page">
      <div class="page-title">
        <div>
          <h1>Benchmarks</h1>
          <p class="muted">
            Search cost of the algorithms replayed on profile tables (<code>morphling bench</code>): the best
            objective found so far as a fraction of the table's optimum.
          </p>
        </div>
      </div>
      {broken.map((s) => (
        <Notice kind="warning" key={s.path}>
          <span data-testid="bench-problem">
            <code>{s.path}</code>: {s.error ?? `${s.invalid} line(s) are not runs and were left out`}
          </span>
          {s.problems.length > 0 && (
            <pre>{s.problems.map((p) => `line ${p.line}: ${p.message}`).join('\n')}</pre>
          )}
        </Notice>
      ))}
      {listing.runs.length === 0 ? (
        <Card>
          <Empty>
            No bench runs. Run <code>morphling bench --tables DIR --out .morphling/bench/NAME</code>, then{' '}
            <code>morphling serve --bench .morphling/bench</code>.
          </Empty>
        </Card>
      ) : (
        <>
          <Card class="bench-controls">
            <div class="controls">
              {listing.sources.length > 1 && (
                <LabelledSelect label="runs from" testid="bench-source" value={source} onChange={setSource}>
                  <option value={ALL_SOURCES}>all files ({listing.sources.length})</option>
                  {listing.sources.map((s, i) => (
                    <option key={s.path} value={String(i)} disabled={s.runs === 0}>
                      {s.path} ({s.runs})
                    </option>
                  ))}
                </LabelledSelect>
              )}
              <LabelledSelect
                label="objective"
                testid="bench-objective"
                value={objective}
                onChange={setObjective}
              >
                {objectives.map((o) => (
                  <option key={o} value={o}>
                    {o}
                  </option>
                ))}
              </LabelledSelect>
              <LabelledSelect label="table" testid="bench-table" value={table} onChange={setTable}>
                <option value={ALL_TABLES}>all tables ({tables.length})</option>
                {tables.map((t) => (
                  <option key={t.table} value={t.table}>
                    {t.table}
                    {t.cornerOptimum ? ' (optimum on a corner)' : ''}
                  </option>
                ))}
              </LabelledSelect>
              {table === ALL_TABLES && cornerTables.length > 0 && (
                <label title="the initial design tries the corners first: these tables flatter every method">
                  <input
                    type="checkbox"
                    data-testid="bench-corner"
                    checked={includeCorner}
                    onChange={(e) => setIncludeCorner((e.target as HTMLInputElement).checked)}
                  />{' '}
                  include {cornerTables.length} corner-optimum table{cornerTables.length > 1 ? 's' : ''}
                </label>
              )}
              <LabelledSelect
                label="band"
                testid="bench-band"
                value={band}
                onChange={(value) => setBand(value as BandKind)}
              >
                {(Object.keys(BAND_LABELS) as BandKind[]).map((b) => (
                  <option key={b} value={b}>
                    {BAND_LABELS[b]}
                  </option>
                ))}
              </LabelledSelect>
              <LabelledSelect label="trials" testid="bench-trials" value={trialsChoice} onChange={setTrials}>
                {TRIAL_CHOICES.map((n) => (
                  <option key={n} value={String(n)}>
                    first {n}
                  </option>
                ))}
                <option value="all">all ({longest})</option>
              </LabelledSelect>
            </div>
            {merged.repeated > 0 && (
              <p class="caption muted">
                {merged.repeated} runs repeated in a later file (same objective, table, algorithm and seed)
                are counted once.
              </p>
            )}
          </Card>
          <Card
            title="Best found vs trials"
            tools={
              <span class="muted">
                {table === ALL_TABLES ? `${shownTables} tables` : table} · {objective}
              </span>
            }
          >
            {curves.length > 0 ? (
              <>
                <Chart name="bench-curves" option={option} height={380} />
                <p class="caption muted">
                  Each line is an algorithm's mean over its runs (tables × seeds) of the best objective found
                  so far divided by the table's optimum; the band is the {BAND_LABELS[band]} across those
                  runs. A search stops at the optimum and counts as 1 after it.
                  {table === ALL_TABLES &&
                    !includeCorner &&
                    cornerTables.length > 0 &&
                    ' Tables whose optimum is an initial-design corner are left out, as in report.md.'}{' '}
                  Click a legend entry to hide or show an algorithm.
                </p>
              </>
            ) : (
              <Empty>No runs for this choice.</Empty>
            )}
          </Card>
          <Card
            title="Search cost"
            tools={
              <span class="muted">trials to reach a fraction of the optimum: median / max over runs</span>
            }
          >
            <CostTable rows={costs} />
          </Card>
        </>
      )}
    </div>
  );
}

function CostTable(props: { rows: ReturnType<typeof searchCostRows> }) {
  if (props.rows.length === 0) return <Empty>No runs for this choice.</Empty>;
  return (
    <div class="table-scroll">
      <table class="experiments bench-costs" data-testid="bench-costs">
        <thead>
          <tr>
            <th>Algorithm</th>
            <th class="num">Runs (tables)</th>
            {COST_THRESHOLDS.map((t) => (
              <th class="num" key={t}>
                {Math.round(t * 100)}%
              </th>
            ))}
            <th class="num">Optimum found</th>
          </tr>
        </thead>
        <tbody>
          {props.rows.map((row) => (
            <tr key={row.algorithm} class="cost-row" data-algorithm={row.algorithm}>
              <td>{row.algorithm}</td>
              <td class="num">
                {row.runs} ({row.tables})
              </td>
              {row.cells.map((cell) => (
                <td class="num" key={cell.threshold} title={`${cell.censored} runs never reached it`}>
                  {cell.text}
                </td>
              ))}
              <td class="num">
                {row.reachedOptimum}/{row.runs}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p class="caption muted">
        Trials include the initial design. <code>&gt;B</code>: some runs never got there within their budget
        of B trials (they count as never).
      </p>
    </div>
  );
}
