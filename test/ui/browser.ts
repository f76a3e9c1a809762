import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Locator, type Page } from 'playwright-core';

/** Debian's Chromium (.ci/run installs it); playwright-core cannot download its own browser here. */
export const CHROMIUM = '/usr/bin/chromium';

export const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) {
  console.warn(
    `${CHROMIUM} is missing: the browser tests of the web UI are skipped (apt-get install chromium)`,
  );
}

export interface Browser {
  context: BrowserContext;
  /** A new page that fails the test on any uncaught page error or console error. */
  page(): Promise<Page>;
  /** Uncaught errors and console errors seen on any page so far. */
  errors: string[];
  close(): Promise<void>;
}

/** Headless Chromium with a fresh profile, no network services and no GPU. */
export async function launchBrowser(): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'morphling-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1440, height: 900 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const errors: string[] = [];
  return {
    context,
    errors,
    async page() {
      const page = await context.newPage();
      page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
      page.on('console', (message) => {
        if (message.type() === 'error') errors.push(`console error: ${message.text()}`);
      });
      return page;
    },
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** An element's text as the user reads it (laid out: cells and lines apart), not its raw textContent. */
export function text(locator: Locator): Promise<string> {
  // biome-ignore lint/performance/useDomNodeTextContent: Playwright's layout-aware innerText is the point here
  return locator.innerText();
}
