import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { ROOT } from '../helpers/cli.js';
import { syntheticExperiment, writeSyntheticTable } from '../helpers/synthetic-table.js';
import { type Browser, hasChromium, launchBrowser, text } from './browser.js';
import { runSyntheticExperiment } from './fixtures.js';
import { type Served, serve } from './serve.js';

/**
 * The web dashboard end to end: `morphling serve` as a child process, Chromium driving the pages.
 * MORPHLING_SCREENSHOTS=<dir> saves screenshots of the list, experiment and submit pages there (the
 * ones in docs/screenshots come from `MORPHLING_SCREENSHOTS=docs/screenshots`).
 */
const screenshots = process.env.MORPHLING_SCREENSHOTS
  ? resolve(ROOT, process.env.MORPHLING_SCREENSHOTS)
  : undefined;
/** Pages fetch from a server (or draw) on a busy machine: generous waits for what appears. */
const WAIT = { timeout: 15_000 };
const dir = mkdtempSync(join(tmpdir(), 'morphling-dashboard-'));
const table = writeSyntheticTable(dir);

/** An experiment over the synthetic table whose replayed trials take `delayMs` each. */
function experimentYaml(name: string, spec: Record<string, unknown>, delayMs = 0): string {
  const document = syntheticExperiment(table, {
    algorithm: { algorithmName: 'random', algorithmSettings: [{ name: 'seed', value: '7' }] },
    runner: { name: 'replay', settings: { table, delayMs } },
    ...spec,
  });
  document.metadata.name = name;
  return stringify(document);
}

/** Replaces the editor's text the way a paste does (typing would be auto-indented line by line). */
async function pasteIntoEditor(page: Page, content: string): Promise<void> {
  await page.locator('.cm-content').click();
  await page.keyboard.press('Control+A');
  // A string, so that the page's DOM globals need no DOM types in this Node-typed test.
  await page.evaluate(`(() => {
    const data = new DataTransfer();
    data.setData('text/plain', ${JSON.stringify(content)});
    const paste = new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true });
    document.querySelector('.cm-content').dispatchEvent(paste);
  })()`);
}

async function shoot(page: Page, name: string, fullPage = true): Promise<void> {
  if (!screenshots) return;
  mkdirSync(screenshots, { recursive: true });
  await page.screenshot({ path: join(screenshots, `${name}.png`), fullPage });
}

describe.skipIf(!hasChromium)('web dashboard', () => {
  let browser: Browser;
  let server: Served;

  beforeAll(async () => {
    const store = join(dir, 'store.db');
    // One finished experiment from the CLI, so the list has more than what the test submits.
    runSyntheticExperiment(dir, store, 'cli-grid', {
      algorithm: { algorithmName: 'grid' },
      maxNumTrials: 24,
    });
    server = await serve(dir, ['--store', store]);
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('validates as the user types, submits, and follows the trials live', async () => {
    const page = await browser.page();
    await page.goto(`${server.url}/#/new`);
    const validation = page.locator('[data-testid="validation"]');
    // The bundled example is valid as it is.
    await expect.poll(() => validation.getAttribute('data-state'), WAIT).toBe('valid');
    expect(await text(validation)).toContain('Valid experiment “resnet-local”');

    // A spec error shows inline at its line, in the list, and blocks submitting.
    const bad = experimentYaml('live-e2e', { maxNumTrials: -3 });
    const badLine = bad.split('\n').findIndex((line) => line.includes('maxNumTrials: -3')) + 1;
    expect(badLine).toBeGreaterThan(1);
    await pasteIntoEditor(page, bad);
    await expect.poll(() => validation.getAttribute('data-state'), WAIT).toBe('invalid');
    const problem = page.locator('[data-testid="problems"] li').first();
    expect(await text(problem)).toMatch(new RegExp(`line ${badLine}\\s+spec\\.maxNumTrials\\s`));
    await expect
      .poll(
        () => page.locator(`.cm-content .cm-line:nth-child(${badLine}) .cm-lintRange-error`).count(),
        WAIT,
      )
      .toBe(1);
    expect(await page.locator('.cm-gutter-lint .cm-lint-marker-error').count()).toBe(1);
    expect(await page.locator('[data-testid="submit"]').isDisabled()).toBe(true);
    // Clicking the problem moves the cursor to its line.
    await problem.locator('button').click();
    expect(await text(page.locator('.cm-activeLine'))).toContain('maxNumTrials: -3');
    await shoot(page, 'submit');

    // A valid experiment, submitted: the page moves to it and rows appear as trials run.
    await pasteIntoEditor(page, experimentYaml('live-e2e', { maxNumTrials: 8 }, 400));
    await expect.poll(() => validation.getAttribute('data-state'), WAIT).toBe('valid');
    await page.locator('[data-testid="submit"]').click();
    await page.waitForURL(/#\/experiments\/live-e2e$/);
    await page.locator('[data-testid="experiment-page"]').waitFor();

    const seen = { counts: new Set<number>(), running: false };
    const status = page.locator('.page-title h1 .badge');
    const deadline = Date.now() + 60_000;
    for (;;) {
      const rows = await page.locator('tr.trial-row').count();
      seen.counts.add(rows);
      if ((await page.locator('tr.trial-row.status-running').count()) > 0) seen.running = true;
      if ((await text(status)) === 'succeeded' && rows === 8) break;
      if (Date.now() > deadline) throw new Error(`experiment did not finish: ${rows} rows`);
      await page.waitForTimeout(100);
    }
    // Rows arrived one by one without a reload, and a running trial was on screen.
    expect([...seen.counts].some((n) => n > 0 && n < 8)).toBe(true);
    expect(seen.running).toBe(true);
    expect(await text(page.locator('.live'))).toBe('live');
    expect(await page.locator('[data-chart="convergence"] svg path').count()).toBeGreaterThan(8);
    expect(await page.locator('[data-chart="heatmap"] svg path').count()).toBeGreaterThan(4);
    expect(await text(page.locator('[data-testid="best"]'))).toMatch(/trial #\d/);
    await shoot(page, 'experiment');

    // A row opens the trial; the panel has its configuration and metrics.
    await page.locator('tr.trial-row[data-seq="2"]').click();
    const detail = page.locator('[data-testid="trial-detail"]');
    await detail.waitFor();
    expect(page.url()).toMatch(/#\/experiments\/live-e2e\/trials\/2$/);
    const detailText = await text(detail);
    expect(detailText).toContain('Trial #2');
    expect(detailText).toMatch(/cpu\s+\S+/);
    expect(detailText).toMatch(/Runner\s+replay/);
    await shoot(page, 'trial', false);
    await page.locator('[data-testid="trial-detail"] a[aria-label="close"]').click();
    await expect.poll(() => detail.count(), WAIT).toBe(0);

    // Resume with a larger budget, then stop it while it runs.
    await page.locator('.action-bar input[type="number"]').fill('30');
    await page.locator('.action-bar button', { hasText: 'Resume' }).click();
    await expect.poll(() => text(status), WAIT).toBe('running');
    await expect.poll(() => page.locator('tr.trial-row').count(), WAIT).toBeGreaterThan(8);
    await page.locator('.action-bar button', { hasText: 'Stop' }).click();
    await expect.poll(() => text(status), WAIT).toBe('stopped');
    const stoppedAt = await page.locator('tr.trial-row').count();
    expect(stoppedAt).toBeLessThan(30);

    // The list shows both experiments with their progress.
    await page.locator('.topbar nav a', { hasText: 'Experiments' }).click();
    const row = page.locator('tr.experiment-row[data-name="live-e2e"]');
    await row.waitFor();
    await expect.poll(() => text(row.locator('.badge')), WAIT).toBe('stopped');
    expect(await text(row.locator('.trials-done'))).toMatch(/^\d+\/30$/);
    expect(await text(page.locator('tr.experiment-row[data-name="cli-grid"] .trials-done'))).toBe('24/24');
    await shoot(page, 'list');

    expect(browser.errors).toEqual([]);
    await page.close();
  });

  it('keeps a ?token= for the API and the event stream, and says when it is missing', async () => {
    const store = join(dir, 'token.db');
    runSyntheticExperiment(dir, store, 'guarded', { maxNumTrials: 3 });
    const guarded = await serve(dir, ['--store', store, '--token', 'letmein']);
    try {
      const page = await browser.page();
      await page.goto(`${guarded.url}/?token=letmein#/`);
      await page.locator('tr.experiment-row[data-name="guarded"]').waitFor();
      // The token left the address bar for the tab's sessionStorage.
      expect(page.url()).toBe(`${guarded.url}/#/`);
      expect(await page.evaluate("sessionStorage.getItem('morphling.token')")).toBe('letmein');
      await page.locator('tr.experiment-row a.name').click();
      await expect.poll(() => page.locator('tr.trial-row').count(), WAIT).toBe(3);
      // The event stream (token in its URL) connected.
      await expect.poll(() => text(page.locator('.live')), WAIT).toBe('live');
      await page.close();

      const stranger = await browser.page();
      await stranger.goto(`${guarded.url}/#/`);
      await expect
        .poll(() => text(stranger.locator('.notice-error')), WAIT)
        .toContain('open the dashboard with ?token=<token> once');
      await stranger.close();
      // The 401s the stranger's page got are console errors by design: forget them.
      browser.errors.length = 0;
    } finally {
      await guarded.stop();
    }
  });
});
