import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { HTTP_METHODS } from '../support/fuzz/openapi-document';
import { PgliteTemplate } from '../support/pglite-template';
import { type RunningProcess, startBuiltApi, waitForStatus } from '../support/processes';
import { repoRoot } from '../support/repo-files';

/**
 * Swagger UI in a real browser (Debian's Chromium, driven by playwright-core) against the built app in production
 * mode with DOCS_ENABLED=true: it renders under the app's Content-Security-Policy without a violation or a console
 * error, shows every operation of /docs/openapi.json, and "Try it out" → "Execute" on GET /health/live shows 200.
 * A screenshot is kept in .tmp/artifacts/swagger-ui.png. CI installs Chromium (.ci/run); without it this is skipped.
 */

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = join(repoRoot, '.tmp', 'artifacts');
const haveChromium = existsSync(CHROMIUM);

const title = haveChromium
  ? 'Swagger UI in Chromium'
  : `Swagger UI in Chromium (skipped: no ${CHROMIUM}; install it with "apt-get install -y chromium", as .ci/run does)`;

describe.skipIf(!haveChromium)(title, () => {
  let app: RunningProcess | undefined;
  let base = '';
  let cleanup: (() => void) | undefined;
  let browser: Browser | undefined;
  let page: Page;
  /** Console errors, page errors and CSP violations, as they happen. */
  const problems: string[] = [];

  beforeAll(async () => {
    const clone = PgliteTemplate.clone(inject('pgliteTemplateDir'));
    cleanup = clone.cleanup;
    ({ proc: app, base } = await startBuiltApi({ DATA_DIR: clone.dataDir, DOCS_ENABLED: 'true' }));
    await waitForStatus(`${base}/health/startup`, 200);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    // Runs in the page (as text: this project compiles without the DOM types).
    await page.addInitScript({
      content: `document.addEventListener('securitypolicyviolation', (e) =>
        console.error('CSP violation: ' + e.violatedDirective + ' blocked ' + (e.blockedURI || '(inline)')));`,
    });
  }, 90_000);

  afterAll(async () => {
    if (page && browser) {
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, 'swagger-ui.png'), fullPage: true }).catch(() => undefined);
    }
    await browser?.close();
    if (app?.child.exitCode === null) app.child.kill('SIGKILL');
    await app?.exited;
    cleanup?.();
  });

  it('renders /docs without a CSP violation or a console error', async () => {
    const res = await page.goto(`${base}/docs`, { waitUntil: 'load' });
    expect(res?.status()).toBe(200);
    await page.locator('.swagger-ui .info .title').waitFor({ timeout: 15_000 });
    await page.locator('.opblock').first().waitFor({ timeout: 15_000 });
    expect(problems).toEqual([]);
  }, 30_000);

  it('lists every operation of /docs/openapi.json', async () => {
    const doc = (await (await fetch(`${base}/docs/openapi.json`)).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    const documented = Object.entries(doc.paths)
      .flatMap(([path, item]) => HTTP_METHODS.filter((m) => item[m] !== undefined).map((m) => `${m} ${path}`))
      .sort();
    // Open every collapsed tag section, so that each operation block is rendered.
    for (const tag of await page.locator('.opblock-tag-section:not(.is-open) .opblock-tag').all()) await tag.click();
    const shown = await page
      .locator('.opblock')
      .evaluateAll((blocks) =>
        blocks.map(
          (block) =>
            `${block.querySelector('.opblock-summary-method')?.textContent?.toLowerCase() ?? '?'} ` +
            `${block.querySelector('.opblock-summary-path')?.getAttribute('data-path') ?? '?'}`,
        ),
      );
    expect(documented.length).toBeGreaterThan(0);
    expect(shown.sort()).toEqual(documented);
    expect(problems).toEqual([]);
  }, 30_000);

  it('"Try it out" → "Execute" on GET /health/live shows 200', async () => {
    const block = page.locator('.opblock-get').filter({
      has: page.locator('.opblock-summary-path[data-path="/health/live"]'),
    });
    expect(await block.count()).toBe(1);
    if (!(await block.evaluate((el) => el.classList.contains('is-open')))) {
      await block.locator('.opblock-summary').first().click();
    }
    await block.locator('button.try-out__btn').click();
    await block.locator('button.execute').click();
    const status = block.locator('.live-responses-table .response .response-col_status').first();
    await status.waitFor({ timeout: 15_000 });
    expect((await status.textContent())?.trim()).toBe('200');
    expect(problems).toEqual([]);
  }, 30_000);
});
