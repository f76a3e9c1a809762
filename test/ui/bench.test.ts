import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BenchListing } from '../../src/bench/run-schema.js';
import { type BenchReportData, REPORT_DATA_ID, type ReportData } from '../../src/report/types.js';
import { mergeRuns, searchCostRows, selectRuns } from '../../src/ui/bench-data.js';
import { runSmallBench, SMALL_BENCH } from '../helpers/bench-runs.js';
import { morphling, ROOT } from '../helpers/cli.js';
import { writeSyntheticTable } from '../helpers/synthetic-table.js';
import { type Browser, hasChromium, launchBrowser, text } from './browser.js';
import { runSyntheticExperiment } from './fixtures.js';
import { type Served, serve } from './serve.js';

/**
 * The Benchmarks page, the bench overlay on a replay experiment's convergence plot, and both in report
 * files, on the runs of a real small `morphling bench`. MORPHLING_SCREENSHOTS=<dir> saves
 * benchmarks.png and experiment-bench.png there (see docs/screenshots/README.md).
 */
const screenshots = process.env.MORPHLING_SCREENSHOTS
  ? resolve(ROOT, process.env.MORPHLING_SCREENSHOTS)
  : undefined;
const WAIT = { timeout: 15_000 };
const dir = mkdtempSync(join(tmpdir(), 'morphling-bench-ui-'));
const benchDir = join(dir, 'bench');
const store = join(dir, 'store.db');
const ALGORITHMS = [...SMALL_BENCH.algorithms];

beforeAll(() => {
  runSmallBench(join(benchDir, 'small'), writeSyntheticTable(dir));
  // Random search (seed 3, 40 trials) replaying the table the bench calls "synthetic".
  runSyntheticExperiment(dir, store, 'random-replay');
}, 120_000);

/** The texts ECharts drew in a chart's SVG (legend entries, axis names and labels). */
function chartTexts(page: Page, name: string): Promise<string[]> {
  return page.locator(`[data-chart="${name}"] svg text`).allTextContents();
}

function chartPaths(page: Page, name: string): Promise<number> {
  return page.locator(`[data-chart="${name}"] svg path`).count();
}

function embedded<T>(path: string): T {
  const html = readFileSync(path, 'utf8');
  const json = new RegExp(`<script type="application/json" id="${REPORT_DATA_ID}">(.*?)</script>`, 's').exec(
    html,
  );
  return JSON.parse(json?.[1] ?? 'null') as T;
}

async function shoot(page: Page, name: string, fullPage = true): Promise<void> {
  if (!screenshots) return;
  mkdirSync(screenshots, { recursive: true });
  await page.screenshot({ path: join(screenshots, `${name}.png`), fullPage });
}

/** Checks the Benchmarks view (dashboard or report) against the pure transforms of the same runs. */
async function checkBenchView(page: Page, listing: BenchListing): Promise<void> {
  await page.locator('[data-chart="bench-curves"] svg').waitFor(WAIT);
  // One legend entry, hence one series, per algorithm; one search-cost row each, in the bench's order.
  const texts = await chartTexts(page, 'bench-curves');
  for (const algorithm of ALGORITHMS)
    expect(
      texts.filter((t) => t === algorithm),
      algorithm,
    ).toHaveLength(1);
  const order = await Promise.all(
    (await page.locator('tr.cost-row').all()).map((row) => row.getAttribute('data-algorithm')),
  );
  expect(order).toEqual(ALGORITHMS);
  expect(await page.locator('[data-testid="bench-objective"]').inputValue()).toBe('rps');
  const rows = searchCostRows(
    selectRuns(mergeRuns(listing).runs, { objective: 'rps', includeCorner: false }),
  );
  for (const row of rows) {
    const cells = await page.locator(`tr.cost-row[data-algorithm="${row.algorithm}"] td`).allTextContents();
    expect(cells).toEqual([
      row.algorithm,
      `${row.runs} (${row.tables})`,
      ...row.cells.map((c) => c.text),
      `${row.reachedOptimum}/${row.runs}`,
    ]);
  }
  // Every band is drawn, and "none" leaves the mean lines only.
  const withBands = await chartPaths(page, 'bench-curves');
  await page.selectOption('[data-testid="bench-band"]', 'none');
  await expect
    .poll(() => chartPaths(page, 'bench-curves'), WAIT)
    .toBeLessThanOrEqual(withBands - 2 * ALGORITHMS.length);
  await page.selectOption('[data-testid="bench-band"]', 'iqr');
  // One table, then the other objective.
  await page.selectOption('[data-testid="bench-table"]', 'synthetic');
  await expect
    .poll(() => text(page.locator('tr.cost-row[data-algorithm="bo"] td').nth(1)), WAIT)
    .toBe(`${SMALL_BENCH.seeds} (1)`);
  await page.selectOption('[data-testid="bench-objective"]', 'rps_per_cost');
  await expect.poll(() => page.locator('tr.cost-row').count(), WAIT).toBe(ALGORITHMS.length);
  await page.selectOption('[data-testid="bench-table"]', '');
  await page.selectOption('[data-testid="bench-objective"]', 'rps');
}

describe('bench report files', () => {
  it('refuses a report with neither an experiment nor --bench, and a --bench that is not there', () => {
    expect(morphling(['report', '--store', store])).toMatchObject({ status: 2 });
    const missing = morphling(['report', '--bench', join(dir, 'nope'), '--store', store]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('no such file or folder');
  });
});

describe.skipIf(!hasChromium)('bench pages in a browser', () => {
  let browser: Browser;
  let server: Served;

  beforeAll(async () => {
    server = await serve(dir, ['--store', store, '--bench', benchDir]);
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('shows one curve and one search-cost row per algorithm on the Benchmarks page', async () => {
    const page = await browser.page();
    await page.goto(`${server.url}/#/`);
    await page.locator('.topbar nav a', { hasText: 'Benchmarks' }).click();
    await page.waitForURL(/#\/bench$/);
    const listing = (await (await fetch(`${server.url}/api/bench`)).json()) as BenchListing;
    await checkBenchView(page, listing);
    expect(await page.title()).toBe('Benchmarks · Morphling');
    await page.mouse.move(0, 0);
    await shoot(page, 'benchmarks');
    expect(browser.errors).toEqual([]);
    await page.close();
  });

  it("overlays the algorithms' curves on a replay experiment's convergence plot, each toggled by its legend entry", async () => {
    const page = await browser.page();
    await page.goto(`${server.url}/#/experiments/random-replay`);
    const caption = page.locator('[data-testid="bench-caption"]');
    await caption.waitFor(WAIT);
    expect(await text(caption)).toMatch(
      /optimum of table synthetic \(\d+(\.\d+)? under the bench objective rps\)/,
    );
    const texts = await chartTexts(page, 'convergence');
    for (const name of ['this experiment', 'trial', ...ALGORITHMS]) expect(texts, name).toContain(name);
    expect(texts.join(' ')).toContain('best rps so far / table optimum');
    expect(texts).toContain('100%');

    // Hiding one algorithm removes its line and band; showing it again brings them back.
    const all = await chartPaths(page, 'convergence');
    await page.locator('[data-chart="convergence"] svg text', { hasText: /^bo$/ }).click();
    await expect.poll(() => chartPaths(page, 'convergence'), WAIT).toBeLessThan(all);
    await page.locator('[data-chart="convergence"] svg text', { hasText: /^bo$/ }).click();
    await expect.poll(() => chartPaths(page, 'convergence'), WAIT).toBe(all);
    await page.mouse.move(0, 0);
    await shoot(page, 'experiment-bench', false);

    // Without the overlay the plot is the experiment's own, in its units.
    await page.locator('[data-testid="bench-overlay"]').uncheck();
    await expect
      .poll(async () => (await chartTexts(page, 'convergence')).includes('this experiment'), WAIT)
      .toBe(false);
    expect((await chartTexts(page, 'convergence')).join(' ')).toContain('rps (higher is better)');
    expect(browser.errors).toEqual([]);
    await page.close();
  });

  it('writes both into self-contained report files that work offline', async () => {
    const experimentFile = join(dir, 'random-replay.html');
    const written = morphling([
      'report',
      'random-replay',
      '--bench',
      benchDir,
      '--out',
      experimentFile,
      '--store',
      store,
    ]);
    expect(written.stderr).toBe('');
    expect(written.stdout).toMatch(
      new RegExp(
        `^bench overlay: ${SMALL_BENCH.seeds * 2 + 1} runs of ${ALGORITHMS.length} algorithms on table synthetic \\(rps\\)$`,
        'm',
      ),
    );
    expect(embedded<ReportData>(experimentFile).bench).toMatchObject({
      table: 'synthetic',
      objective: 'rps',
    });

    const benchFile = join(dir, 'bench.html');
    const bench = morphling(['report', '--bench', benchDir, '--out', benchFile]);
    expect(bench.stdout).toMatch(/^wrote .*bench\.html: 42 bench runs from 1 file, \d+ KiB$/m);
    const data = embedded<BenchReportData>(benchFile);
    expect(data.kind).toBe('bench');

    for (const [file, ready] of [
      [experimentFile, '[data-testid="bench-caption"]'],
      [benchFile, '[data-chart="bench-curves"] svg'],
    ] as const) {
      const page = await browser.page();
      const requests: string[] = [];
      page.on('request', (request) => {
        if (!request.url().startsWith('file:')) requests.push(request.url());
      });
      await page.goto(pathToFileURL(file).href);
      await page.locator(ready).waitFor(WAIT);
      if (file === benchFile) {
        expect(await page.title()).toBe('Benchmarks · Morphling');
        await checkBenchView(page, data.listing);
      }
      expect(requests).toEqual([]);
      await page.close();
    }
    expect(browser.errors).toEqual([]);
  });
});
