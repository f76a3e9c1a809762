import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPORT_DATA_ID, type ReportData } from '../../src/report/types.js';
import { morphling } from '../helpers/cli.js';
import { type Browser, hasChromium, launchBrowser, text } from './browser.js';
import { runSyntheticExperiment, storeLoadCurveExperiment } from './fixtures.js';

/** Pages fetch from a server (or draw) on a busy machine: generous waits for what appears. */
const WAIT = { timeout: 15_000 };
const dir = mkdtempSync(join(tmpdir(), 'morphling-report-'));
const store = join(dir, 'store.db');

function writeReport(name: string): { path: string; data: ReportData } {
  const path = join(dir, `${name}.html`);
  const result = morphling(['report', name, '--out', path, '--store', store]);
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  expect(result.stdout).toMatch(new RegExp(`^wrote ${path}: \\d+ trials, \\d+ KiB$`, 'm'));
  const html = readFileSync(path, 'utf8');
  const json = new RegExp(`<script type="application/json" id="${REPORT_DATA_ID}">(.*?)</script>`, 's').exec(
    html,
  );
  return { path, data: JSON.parse(json?.[1] ?? 'null') as ReportData };
}

/** Number of drawn marks in a chart's SVG (ECharts' SVG renderer draws series as paths). */
function chartMarks(page: Page, name: string): Promise<number> {
  return page.locator(`[data-chart="${name}"] svg path`).count();
}

describe('morphling report', () => {
  let browser: Browser | undefined;
  beforeAll(async () => {
    runSyntheticExperiment(dir, store, 'replayed');
    await storeLoadCurveExperiment(dir, store, 'with-curves');
    if (hasChromium) browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('writes one self-contained file with the experiment and all its trials embedded', () => {
    const { path, data } = writeReport('replayed');
    const html = readFileSync(path, 'utf8');
    expect(data.experiment.name).toBe('replayed');
    expect(data.trials).toHaveLength(40);
    expect(data.summary).toMatchObject({ spaceSize: 144, objective: { metric: 'rps', goal: 'maximize' } });
    expect(data.summary.parameters.map((p) => p.name)).toEqual([
      'cpu',
      'memory',
      'MAX_BATCH_SIZE',
      'threads',
    ]);
    expect(data.best?.id).toBe(data.experiment.bestTrialId);
    // Nothing to fetch: no external scripts, stylesheets or URLs to load.
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=|@import|url\(http/i);
    expect(morphling(['report', 'nope', '--out', join(dir, 'nope.html'), '--store', store])).toMatchObject({
      status: 2,
      stderr: 'error: no experiment named "nope" in this store\n',
    });
  });

  describe.skipIf(!hasChromium)('in a browser', () => {
    /** Opens a report from disk and records every request that is not for the file itself. */
    async function open(path: string): Promise<{ page: Page; requests: string[] }> {
      const page = await (browser as Browser).page();
      const requests: string[] = [];
      page.on('request', (request) => {
        if (!request.url().startsWith('file:')) requests.push(request.url());
      });
      await page.goto(pathToFileURL(path).href);
      await page.locator('[data-testid="experiment-page"]').waitFor();
      return { page, requests };
    }

    it('renders the best configuration, the charts and one table row per trial, offline', async () => {
      const { path, data } = writeReport('replayed');
      const { page, requests } = await open(path);
      expect(await page.title()).toBe('replayed · Morphling');
      await expect.poll(() => page.locator('tr.trial-row').count(), WAIT).toBe(40);
      expect(await page.locator('tr.trial-row.status-infeasible').count()).toBe(
        data.trials.filter((t) => t.status === 'infeasible').length,
      );
      const best = data.best as NonNullable<ReportData['best']>;
      const bestText = await text(page.locator('[data-testid="best"]'));
      expect(bestText).toContain(`trial #${best.seq}`);
      for (const [knob, value] of Object.entries(best.config))
        expect(bestText).toContain(`${knob}\n${value}`);

      // ECharts drew both charts: an SVG with a real size and marks in it.
      for (const chart of ['convergence', 'heatmap']) {
        const box = await page.locator(`[data-chart="${chart}"] svg`).boundingBox();
        expect(box?.width).toBeGreaterThan(300);
        expect(box?.height).toBeGreaterThan(200);
        expect(await chartMarks(page, chart)).toBeGreaterThan(10);
      }
      // The heatmap's axes are the chosen knobs, and another choice redraws it.
      expect(await page.locator('[data-chart="heatmap"] svg').textContent()).toContain('memory');
      await page.selectOption('[data-testid="heatmap-y"]', 'MAX_BATCH_SIZE');
      await expect
        .poll(() => page.locator('[data-chart="heatmap"] svg').textContent(), WAIT)
        .toContain('MAX_BATCH_SIZE');
      // The replay runner records no load curves, and the page says so.
      expect(await page.locator('[data-chart="load-curve"]').count()).toBe(0);
      expect(await page.getByText('No trial has a load curve').count()).toBe(1);

      // Sorting by the objective puts the best trial first.
      await page.locator('table.trials th button', { hasText: /^rps/ }).click();
      expect(await page.locator('tr.trial-row').first().getAttribute('data-seq')).toBe(String(best.seq));

      expect(requests).toEqual([]);
      expect(browser?.errors).toEqual([]);
      await page.close();
    });

    it('shows load curves and opens a trial from its row', async () => {
      const { path } = writeReport('with-curves');
      const { page, requests } = await open(path);
      await expect.poll(() => page.locator('tr.trial-row').count(), WAIT).toBe(4);
      // The best trial's curve is shown first; the SLO line is drawn.
      expect(await page.locator('[data-testid="load-curve-trial"]').inputValue()).toBe('2');
      expect(await chartMarks(page, 'load-curve')).toBeGreaterThan(10);
      expect(await page.locator('[data-chart="load-curve"] svg').textContent()).toContain('SLO 100 ms');

      await page.locator('tr.trial-row[data-seq="3"]').click();
      const detail = page.locator('[data-testid="trial-detail"]');
      await detail.waitFor();
      expect(page.url()).toMatch(/#\/experiments\/with-curves\/trials\/3$/);
      const shown = await text(detail);
      expect(shown).toContain('Trial #3');
      expect(shown).toMatch(/MAX_BATCH_SIZE\s+16/);
      expect(shown).toMatch(/Peak RPS\s+180/);
      expect(shown).toMatch(/cpuQuotaCores\s+1/);
      expect(await chartMarks(page, 'trial-load-curve')).toBeGreaterThan(10);

      // A failed trial shows its error; Escape closes the panel.
      await page.goto(`${pathToFileURL(path).href}#/experiments/with-curves/trials/4`);
      await expect.poll(() => text(detail), WAIT).toContain('the serving instance exited with code 1');
      expect(await text(detail.locator('.trial-error'))).toContain('TrialFaultError');
      await page.keyboard.press('Escape');
      await expect.poll(() => detail.count(), WAIT).toBe(0);
      await page.goto(`${pathToFileURL(path).href}#/experiments/with-curves/trials/99`);
      await expect.poll(() => text(detail), WAIT).toContain('There is no trial #99.');

      expect(requests).toEqual([]);
      expect(browser?.errors).toEqual([]);
      await page.close();
    });
  });
});
