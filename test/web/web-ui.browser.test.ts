import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { spawnRhizome, type RunningRhizome } from '../support/spawn-rhizome.js';

/**
 * The web UI end to end in a real Chromium against a real service on a fresh data folder: sign in,
 * create a tenant, upload two documents, watch them reach `indexed`, search, ask (when the service
 * has chat), open the cited passage, explore the graph, switch to Chinese, phone width. Every page
 * is screenshotted into test-results/web/ and no page may log a console error.
 */

const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const repository = resolve(import.meta.dirname, '..', '..');
// ../shared beside the checkout (CI); RHIZOME_SHARED_DIR points elsewhere (a worktree).
const documentsFolder = resolve(
  process.env.RHIZOME_SHARED_DIR ?? resolve(repository, '..', 'shared'),
  'data',
  'documents',
);
const uploads = ['test.docx', 'test_blog.html'].map((name) => join(documentsFolder, name));
const screenshots = join(repository, 'test-results', 'web');
const haveChromium = existsSync(chromiumPath);
const haveDocuments = uploads.every((path) => existsSync(path));

if (!haveChromium) {
  process.stderr.write(`web UI browser test skipped: ${chromiumPath} is absent (apt-get install chromium)\n`);
} else if (!haveDocuments) {
  process.stderr.write(
    `web UI browser test skipped: ${uploads.join(', ')} not found (../shared/data/documents)\n`,
  );
}

// Vite refuses two builds of one project at once: the static build and the browser test's build
// live in this one file, so they run one after the other.
describe('static bundle', () => {
  const outDirectory = mkdtempSync(join(tmpdir(), 'rhizome-web-static-'));
  afterAll(() => rmSync(outDirectory, { recursive: true, force: true }));

  /** The README's static hosting recipe: a bundle built for another API address, with SPA rewrites. */
  it('builds a static bundle that calls the API address it was built for', () => {
    const build = spawnSync(
      'npx',
      ['vite', 'build', '--outDir', outDirectory, '--emptyOutDir', '--logLevel', 'warn'],
      {
        cwd: join(repository, 'web'),
        env: { ...process.env, VITE_RHIZOME_API_URL: 'https://rhizome.example.com' },
        encoding: 'utf8',
      },
    );
    expect(build.status, build.stderr).toBe(0);
    expect(existsSync(join(outDirectory, 'index.html'))).toBe(true);
    expect(readFileSync(join(outDirectory, '_redirects'), 'utf8')).toMatch(/^\/\*\s+\/index\.html\s+200/);
    const scripts = readdirSync(join(outDirectory, 'assets')).filter((name) => name.endsWith('.js'));
    const code = scripts.map((name) => readFileSync(join(outDirectory, 'assets', name), 'utf8')).join('\n');
    expect(code).toContain('https://rhizome.example.com');
  }, 300_000);
});

describe.skipIf(!haveChromium || !haveDocuments)('web UI in Chromium', () => {
  let service: RunningRhizome;
  let dataDirectory: string;
  let baseUrl: string;
  let adminKey: string;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const consoleErrors: string[] = [];
  let hasChat = false;

  // Each step builds on the last: once one fails, the rest are skipped instead of timing out.
  let broken = false;
  beforeEach((context) => {
    if (broken) context.skip();
  });
  afterEach(async (context) => {
    if (context.task.result?.state !== 'fail') return;
    broken = true;
    // What the page showed when the step failed.
    await page?.screenshot({ path: join(screenshots, 'failure.png') }).catch(() => undefined);
  });

  const shot = async (name: string) => {
    await page.screenshot({ path: join(screenshots, `${name}.png`), fullPage: false });
  };
  const navigate = async (label: RegExp) => {
    await page.getByRole('navigation').getByRole('link', { name: label }).click();
  };

  beforeAll(async () => {
    const build = spawnSync(process.execPath, ['scripts/build-web.js'], {
      cwd: repository,
      stdio: 'inherit',
    });
    expect(build.status).toBe(0);
    expect(existsSync(join(repository, 'web', 'dist', 'index.html'))).toBe(true);
    mkdirSync(screenshots, { recursive: true });
    dataDirectory = mkdtempSync(join(tmpdir(), 'rhizome-web-'));
    service = spawnRhizome(['serve', '--role', 'all', '--port', '0'], {
      RHIZOME_DATA_DIR: dataDirectory,
      RHIZOME_PROFILE: 'development',
      LOG_LEVEL: 'warn',
    });
    baseUrl = (await service.waitFor(/running at (http:\/\/\S+)/, 180_000))[1]!;
    adminKey = (await service.waitFor(/(rhz_[A-Za-z0-9_-]+)/, 30_000))[1]!;
    const probe = await fetch(`${baseUrl}/v1/chat`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
      body: '{}',
    });
    hasChat = probe.status !== 404 || !(await probe.text()).includes('route_not_found');
    if (!hasChat)
      process.stderr.write('web UI browser test: this service has no /v1/chat; the chat steps are skipped\n');

    browser = await chromium.launch({
      executablePath: chromiumPath,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        // Software WebGL for sigma.js on a machine without a GPU.
        '--enable-unsafe-swiftshader',
        '--use-angle=swiftshader',
      ],
    });
    context = await browser.newContext({
      viewport: { width: 1280, height: 860 },
      locale: 'en-US',
      colorScheme: 'light',
    });
    page = await context.newPage();
    // A loaded 2-core machine: generous waits, never a tight timeout.
    page.setDefaultTimeout(60_000);
    page.on('console', (message) => {
      // The sign-in step tries a wrong key on purpose; Chromium logs that 401 itself.
      const expected = page.url().endsWith('/sign-in') && message.text().includes('status of 401');
      if (message.type() === 'error' && !expected) consoleErrors.push(`${page.url()}: ${message.text()}`);
    });
    page.on('pageerror', (error) => consoleErrors.push(`${page.url()}: ${error.message}`));
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    if (service) {
      service.child.kill('SIGTERM');
      await service.exited;
    }
    if (dataDirectory) rmSync(dataDirectory, { recursive: true, force: true });
  }, 60_000);

  it('signs in with the admin key and creates a tenant', async () => {
    await page.goto(baseUrl);
    await page.waitForURL(/\/sign-in$/);
    await expect(page.getByRole('heading', { name: 'Rhizome' }).isVisible()).resolves.toBe(true);
    await shot('01-sign-in');
    await page.getByLabel('API key').fill('rhz_wrong_key');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'not accepted' }).waitFor();
    await page.getByLabel('API key').fill(adminKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    // An admin without tenants lands in Admin to create one.
    await page.waitForURL(/\/admin$/);
    await page.getByLabel('Slug').fill('web-e2e');
    await page.getByLabel('Name', { exact: true }).fill('Web end-to-end');
    await page.getByRole('button', { name: 'Create tenant' }).click();
    await page.getByTestId('tenants-table').getByText('web-e2e').waitFor();
    await expect(page.getByTestId('tenant-switch').inputValue()).resolves.toBe('Web end-to-end');
    await shot('02-admin-tenants');
  });

  it('creates an API key that is shown once, and shows model settings and usage', async () => {
    await page.getByRole('tab', { name: 'API keys' }).click();
    await page.getByLabel('Key name').fill('e2e reader');
    await page.getByRole('button', { name: 'Create key' }).click();
    const key = await page.getByTestId('new-key').textContent();
    expect(key).toMatch(/^rhz_/);
    await shot('03-admin-new-key');
    await page.keyboard.press('Escape');
    await page.getByTestId('keys-table').getByText('e2e reader').waitFor();
    await page.getByRole('tab', { name: 'Models' }).click();
    await page.getByRole('button', { name: 'Check providers now' }).click();
    await page.getByText(/OK · \d+ ms/).waitFor();
    await shot('04-admin-models');
  });

  it('uploads two documents and shows them reaching indexed live', async () => {
    await navigate(/Documents/);
    await page.getByTestId('empty-state').waitFor();
    await page.locator('input[type=file]').setInputFiles(uploads);
    await page.getByTestId('upload-list').getByText('Uploaded').nth(1).waitFor({ timeout: 60_000 });
    for (const name of ['test.docx', 'test_blog.html']) {
      // No reload: the status arrives through the server's event stream.
      await page.locator(`tr[data-document="${name}"] [data-status="indexed"]`).waitFor({ timeout: 240_000 });
    }
    await shot('05-documents');
  }, 300_000);

  it('opens a document with its chunks and entities', async () => {
    await page.locator('tr[data-document="test.docx"] a').first().click();
    await page.getByTestId('chunk-list').locator('[data-chunk]').first().waitFor();
    await expect(page.getByText('Entities in this document').isVisible()).resolves.toBe(true);
    await shot('06-document');
  });

  it('compares search modes with explanations', async () => {
    await navigate(/Search/);
    await page.getByLabel('Query').fill('AutoGen multi-agent conversation');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    for (const mode of ['bm25', 'naive', 'mix']) {
      await page
        .getByTestId(`search-column-${mode}`)
        .getByTestId('search-hit')
        .first()
        .waitFor({ timeout: 60_000 });
    }
    await expect(page.getByTestId('hit-explanation').first().textContent()).resolves.toMatch(
      /BM25|Vector|Graph/,
    );
    await shot('07-search');
  }, 120_000);

  it('asks a question, streams the answer with a citation, and opens the cited passage', async (context) => {
    if (!hasChat) {
      context.skip();
      return;
    }
    await navigate(/Chat/);
    await page.getByLabel('Message').fill('What is AutoGen?');
    await page.getByRole('button', { name: 'Send' }).click();
    const answer = page.locator('[data-testid="assistant-message"][data-status="answered"]');
    await answer.waitFor({ timeout: 180_000 });
    await page.getByTestId('steps-toggle').first().click();
    await shot('08-chat');
    const citation = answer.getByTestId('citation').first();
    await citation.waitFor();
    await citation.click();
    await page.waitForURL(/\/documents\/[0-9a-f-]+\?chunk=\d+/);
    await page.getByTestId('highlighted-passage').waitFor();
    await shot('09-cited-passage');
  }, 240_000);

  it('explores the graph: search an entity, draw its neighbourhood, expand a neighbour', async () => {
    await navigate(/Graph/);
    const first = page.getByTestId('entity-result').first();
    await first.waitFor({ timeout: 30_000 });
    await first.click();
    const counts = page.getByTestId('graph-counts');
    const count = async (name: 'nodes' | 'edges') => Number(await counts.getAttribute(`data-${name}`));
    await expect.poll(() => count('nodes'), { timeout: 60_000 }).toBeGreaterThan(1);
    await page.getByTestId('entity-panel').waitFor();
    const before = await count('nodes');
    await page.getByTestId('expand-relation').first().click();
    // Expanding a neighbour marks it expanded in the view and never loses nodes or edges.
    await expect
      .poll(() => page.getByTestId('graph-canvas').getAttribute('data-expanded'), { timeout: 60_000 })
      .toBe('2');
    expect(await count('nodes')).toBeGreaterThanOrEqual(before);
    expect(await count('edges')).toBeGreaterThan(0);
    // The WebGL canvas is really drawn (sigma creates its canvases inside the container).
    await expect(page.getByTestId('graph-canvas').locator('canvas').count()).resolves.toBeGreaterThan(0);
    await page.waitForTimeout(300);
    await shot('10-graph');
  }, 120_000);

  it('switches to Simplified Chinese and to the dark theme', async () => {
    await page
      .locator('label:visible')
      .filter({ hasText: /^中文$/ })
      .click();
    await page.getByRole('navigation').getByRole('link', { name: '文档' }).click();
    await page.getByRole('heading', { name: '文档' }).waitFor();
    await expect(page.locator('html').getAttribute('lang')).resolves.toBe('zh-CN');
    await shot('11-documents-zh');
    await page.getByRole('button', { name: '切换到深色主题' }).click();
    await expect(page.locator('html').getAttribute('data-mantine-color-scheme')).resolves.toBe('dark');
    await page.getByRole('navigation').getByRole('link', { name: '检索' }).click();
    await page.getByRole('heading', { name: '检索试验场' }).waitFor();
    await shot('12-search-zh-dark');
  });

  it('is usable at phone width', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByRole('button', { name: '打开导航' }).click();
    await page.getByRole('navigation').getByRole('link', { name: '文档' }).click();
    await page.getByRole('heading', { name: '文档' }).waitFor();
    const overflow = Number(await page.evaluate('document.documentElement.scrollWidth - window.innerWidth'));
    expect(overflow).toBeLessThanOrEqual(1);
    // Every header control stays on screen.
    const signOut = await page.getByRole('button', { name: '退出登录' }).boundingBox();
    expect(signOut).not.toBeNull();
    expect(signOut!.x + signOut!.width).toBeLessThanOrEqual(390);
    await shot('13-documents-phone');
  });

  it('logged no console errors on any page', () => {
    expect(consoleErrors).toEqual([]);
  });
  // The console check runs even when a step failed: its report helps find why.
  afterAll(() => {
    if (consoleErrors.length > 0) process.stderr.write(`console errors:\n${consoleErrors.join('\n')}\n`);
  });
});
