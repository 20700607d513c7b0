import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  chromium,
  type Browser,
  type BrowserContext,
  type Locator,
  type Page,
  type Route,
} from 'playwright-core';
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
        env: { ...process.env, NODE_ENV: 'production', VITE_RHIZOME_API_URL: 'https://rhizome.example.com' },
        encoding: 'utf8',
      },
    );
    expect(build.status, build.stderr).toBe(0);
    expect(existsSync(join(outDirectory, 'index.html'))).toBe(true);
    expect(readFileSync(join(outDirectory, '_redirects'), 'utf8')).toMatch(/^\/\*\s+\/index\.html\s+200/);
    const scripts = readdirSync(join(outDirectory, 'assets')).filter((name) => name.endsWith('.js'));
    const code = scripts.map((name) => readFileSync(join(outDirectory, 'assets', name), 'utf8')).join('\n');
    expect(code).toContain('https://rhizome.example.com');
    // Split by page: the first load does not carry the graph explorer's WebGL libraries.
    const entry = readFileSync(join(outDirectory, 'index.html'), 'utf8').match(
      /assets\/(index-[^"]+\.js)/,
    )?.[1];
    expect(entry).toBeDefined();
    expect(scripts.some((name) => name.startsWith('graph-page-'))).toBe(true);
    const entryCode = readFileSync(join(outDirectory, 'assets', entry!), 'utf8');
    expect(entryCode).not.toContain('WebGL2RenderingContext');
    expect(code).toContain('WebGL2RenderingContext');
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
  /** Every console message and page error, for the failure report. */
  const consoleLines: string[] = [];
  /** Console errors a step provokes on purpose (a rejected key, a conflicting name). */
  let expectedConsoleErrors: RegExp[] = [];
  let hasChat = false;

  // Each step builds on the last: once one fails, the rest are skipped instead of timing out.
  let broken = false;
  beforeEach((context) => {
    if (broken) context.skip();
    expectedConsoleErrors = [];
  });
  afterEach(async (context) => {
    if (context.task.result?.state !== 'fail') return;
    broken = true;
    // What the page showed and logged when the step failed, and why, where CI logs show it.
    const name = context.task.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 60);
    const picture = join(screenshots, `failure-${name}.png`);
    const log = join(screenshots, `failure-${name}.console.txt`);
    mkdirSync(screenshots, { recursive: true });
    const saved = await page
      ?.screenshot({ path: picture, fullPage: true, timeout: 60_000 })
      .then(() => picture)
      .catch((error: Error) => `no screenshot (${error.message})`);
    writeFileSync(log, `${consoleLines.join('\n')}\n`);
    const errors = (context.task.result.errors ?? []).map((error) => error.message).join('\n');
    process.stderr.write(
      [
        `\nweb UI step failed: "${context.task.name}"`,
        `  why: ${errors}`,
        `  page: ${page?.isClosed() === false ? page.url() : '(closed)'}`,
        `  screenshot: ${saved}`,
        `  console (${consoleLines.length} lines, all in ${log}):`,
        ...consoleLines.slice(-25).map((line) => `    ${line}`),
        `  service output (last 3,000 characters):`,
        service?.output().slice(-3_000) ?? '',
        '',
      ].join('\n'),
    );
  });

  const shot = async (name: string) => {
    await page.screenshot({ path: join(screenshots, `${name}.png`), fullPage: false });
  };
  const navigate = async (label: RegExp) => {
    await page.getByRole('navigation').getByRole('link', { name: label }).click();
  };
  /** Waits until the locator is visible (generous deadline: a loaded machine renders slowly). */
  const visible = (locator: Locator) => locator.waitFor({ state: 'visible' });
  /** Controls a screen reader could not name: an ARIA snapshot line with a role and no name. */
  const unnamedControls = async (): Promise<string[]> => {
    const snapshot = await page.locator('body').ariaSnapshot();
    return snapshot
      .split('\n')
      .filter((line) =>
        /^\s*- (button|link|textbox|combobox|checkbox|radio|switch|slider|searchbox|spinbutton|tab|menuitem)(\s*\[[^\]]*\])*:?\s*$/.test(
          line,
        ),
      );
  };
  /** The page must not scroll sideways (the phone-width check). */
  const horizontalOverflow = async () =>
    Number(await page.evaluate('document.documentElement.scrollWidth - window.innerWidth'));

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
        // A container's /dev/shm is small: Chromium's renderer crashes there under load.
        '--disable-dev-shm-usage',
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
      const line = `${message.type()} ${page.url()}: ${message.text()}`;
      consoleLines.push(line);
      if (message.type() !== 'error') return;
      if (expectedConsoleErrors.some((pattern) => pattern.test(message.text()))) return;
      consoleErrors.push(`${page.url()}: ${message.text()}`);
    });
    page.on('pageerror', (error) => {
      consoleLines.push(`pageerror ${page.url()}: ${error.message}`);
      consoleErrors.push(`${page.url()}: ${error.message}`);
    });
    page.on('crash', () => consoleLines.push(`crash ${page.url()}: the renderer crashed`));
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
    // The URL changes before React has drawn the page: wait for what the step needs, never check once.
    await visible(page.getByRole('heading', { name: 'Rhizome' }));
    await shot('01-sign-in');
    expectedConsoleErrors = [/status of 401/];
    await page.getByLabel('API key').fill('rhz_wrong_key');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'not accepted' }).waitFor();
    await page.getByLabel('API key').fill(adminKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    // An admin without tenants lands in Admin to create one.
    await page.waitForURL(/\/admin$/);
    await visible(page.getByTestId('empty-state'));
    await page.getByLabel('Slug').fill('web-e2e');
    await page.getByLabel('Name', { exact: true }).fill('Web end-to-end');
    await page.getByRole('button', { name: 'Create tenant' }).click();
    await page.getByTestId('tenants-table').getByText('web-e2e').waitFor();
    // The switch picks the new tenant once the tenant list has been fetched again.
    await expect
      .poll(() => page.getByTestId('tenant-switch').inputValue(), { timeout: 60_000 })
      .toBe('Web end-to-end');
    await shot('02-admin-tenants');
  });

  it('shows a failed request as a toast that carries its request id', async () => {
    expectedConsoleErrors = [/status of 409/];
    await page.getByLabel('Slug').fill('web-e2e');
    await page.getByLabel('Name', { exact: true }).fill('Same slug again');
    const [response] = await Promise.all([
      page.waitForResponse(
        (candidate) => candidate.url().endsWith('/v1/tenants') && candidate.request().method() === 'POST',
      ),
      page.getByRole('button', { name: 'Create tenant' }).click(),
    ]);
    expect(response.status()).toBe(409);
    const requestId = ((await response.json()) as { error: { requestId: string } }).error.requestId;
    expect(requestId).toMatch(/\S{8,}/);
    const toast = page.locator('.mantine-Notification-root').filter({ hasText: requestId });
    await visible(toast);
    await expect(toast.textContent()).resolves.toContain('request id');
    await shot('02b-error-toast');
    await toast.getByRole('button').first().click();
    await toast.waitFor({ state: 'detached' });
  });

  it('creates an API key that is shown once, and shows model settings and usage', async () => {
    await page.getByRole('tab', { name: 'API keys' }).click();
    await page.getByLabel('Key name').fill('e2e reader');
    await page.getByRole('button', { name: 'Create key' }).click();
    const newKey = page.getByTestId('new-key');
    await visible(newKey);
    expect(await newKey.textContent()).toMatch(/^rhz_/);
    await shot('03-admin-new-key');
    await page.keyboard.press('Escape');
    await newKey.waitFor({ state: 'detached' });
    await page.getByTestId('keys-table').getByText('e2e reader').waitFor();
    await page.getByRole('tab', { name: 'Models' }).click();
    await page.getByRole('button', { name: 'Check providers now' }).click();
    await page
      .getByText(/OK · \d+ ms/)
      .first()
      .waitFor();
    await shot('04-admin-models');
    expect(await unnamedControls()).toEqual([]);
  });

  it('reaches the main actions with the keyboard alone', async () => {
    // A fresh load: keyboard focus starts at the top of the page.
    await page.goto(`${baseUrl}/documents`);
    await visible(page.getByRole('heading', { name: 'Documents' }));
    const reached: string[] = [];
    for (let press = 0; press < 60 && !reached.includes('New collection'); press += 1) {
      await page.keyboard.press('Tab');
      reached.push(
        // A string, evaluated in the page (this file has no DOM types): the focused control's name.
        String(
          await page.evaluate(
            "(document.activeElement?.getAttribute('aria-label') ?? document.activeElement?.textContent ?? '').trim()",
          ),
        ),
      );
    }
    // Header controls, every page of the navigation, then the page's own first action.
    for (const name of ['Documents', 'Search', 'Chat', 'Graph', 'Admin', 'Sign out', 'New collection'])
      expect(reached, `Tab order: ${reached.join(' → ')}`).toContain(name);
    // Enter on a focused navigation link opens its page.
    await page.getByRole('navigation').getByRole('link', { name: 'Search' }).focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/search$/);
    await visible(page.getByRole('heading', { name: 'Search playground' }));
    expect(await unnamedControls()).toEqual([]);
  });

  it('creates a collection and uploads two documents into it, reaching indexed live', async () => {
    await navigate(/Documents/);
    await visible(page.getByTestId('empty-state'));
    expect(await unnamedControls()).toEqual([]);
    await page.getByRole('button', { name: 'New collection' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Collection name').fill('Reports');
    await dialog.getByRole('button', { name: 'Create' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByRole('combobox', { name: 'Upload into' }).click();
    await page.getByRole('option', { name: 'Reports' }).click();
    await expect.poll(() => page.getByRole('combobox', { name: 'Upload into' }).inputValue()).toBe('Reports');
    await page.locator('input[type=file]').setInputFiles(uploads);
    await page.getByTestId('upload-list').getByText('Uploaded').nth(1).waitFor({ timeout: 120_000 });
    for (const name of ['test.docx', 'test_blog.html']) {
      const row = page.locator(`tr[data-document="${name}"]`);
      // No reload: the status arrives through the server's event stream.
      await row.locator('[data-status="indexed"]').waitFor({ timeout: 300_000 });
      await expect(row.getByTestId('document-collection').textContent()).resolves.toBe('Reports');
    }
    await shot('05-documents');
  }, 420_000);

  it('re-ingests a document and shows it indexed again', async () => {
    const row = page.locator('tr[data-document="test_blog.html"]');
    // The live event marks the row indexed at once; its indexing time arrives with the refresh
    // that follows, so wait for it rather than read it once.
    let before: string | null = null;
    await expect
      .poll(async () => (before = await row.getAttribute('data-indexed-at')), { timeout: 120_000, interval: 500 })
      .toBeTruthy();
    await row.getByRole('button', { name: 'Re-ingest: test_blog.html' }).click();
    await visible(
      page.locator('.mantine-Notification-root').filter({ hasText: 'queued to be processed again' }),
    );
    // Indexed anew: a later indexing time, reached through the live events.
    await expect
      .poll(
        async () =>
          (await row.locator('[data-status="indexed"]').count()) > 0 &&
          (await row.getAttribute('data-indexed-at')) !== before,
        { timeout: 300_000, interval: 1_000 },
      )
      .toBe(true);
  }, 360_000);

  it('opens a document with its chunks and entities', async () => {
    await page.locator('tr[data-document="test.docx"] a').first().click();
    await page.getByTestId('chunk-list').locator('[data-chunk]').first().waitFor();
    await visible(page.getByText('Entities in this document'));
    await shot('06-document');
  });

  it('compares search modes with explanations', async () => {
    await navigate(/Search/);
    await visible(page.getByTestId('empty-state'));
    await page.getByLabel('Query').fill('AutoGen multi-agent conversation');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    for (const mode of ['bm25', 'naive', 'mix']) {
      await page
        .getByTestId(`search-column-${mode}`)
        .getByTestId('search-hit')
        .first()
        .waitFor({ timeout: 120_000 });
    }
    await expect(page.getByTestId('hit-explanation').first().textContent()).resolves.toMatch(
      /BM25|Vector|Graph/,
    );
    await shot('07-search');
    expect(await unnamedControls()).toEqual([]);
  }, 180_000);

  const answered = () => page.locator('[data-testid="assistant-message"][data-status="answered"]');
  const stored = () => page.locator('[data-testid="assistant-message"][data-status="stored"]');

  it('asks a question, streams the answer with a citation, and opens the cited passage', async (context) => {
    if (!hasChat) {
      context.skip();
      return;
    }
    await navigate(/Chat/);
    await visible(page.getByTestId('empty-state'));
    await page.getByLabel('Message').fill('What is AutoGen?');
    await page.getByRole('button', { name: 'Send' }).click();
    await answered().waitFor({ timeout: 240_000 });
    await page.getByTestId('steps-toggle').first().click();
    await shot('08-chat');
    expect(await unnamedControls()).toEqual([]);
    const citation = answered().getByTestId('citation').first();
    await citation.waitFor();
    await citation.click();
    await page.waitForURL(/\/documents\/[0-9a-f-]+\?chunk=\d+/);
    await page.getByTestId('highlighted-passage').waitFor();
    await shot('09-cited-passage');
    // Back in the conversation, now read from the stored thread.
    await page.goBack();
    await visible(stored());
  }, 300_000);

  it('shows the entities and relations an answer used in the graph, and asks about one', async (context) => {
    if (!hasChat) {
      context.skip();
      return;
    }
    await stored().getByTestId('show-in-graph').click();
    // The explorer consumes its ?chunks=… entry point and replaces the address: poll the path
    // (a client-side replace does not always end waitForURL's wait for a load event).
    await expect.poll(() => new URL(page.url()).pathname, { timeout: 120_000 }).toBe('/graph');
    const highlight = page.getByTestId('answer-highlight');
    await visible(highlight);
    // The explorer draws and highlights what the service says the cited passages hold.
    const highlightedNodes = Number(await highlight.getAttribute('data-nodes'));
    const highlightedEdges = Number(await highlight.getAttribute('data-edges'));
    expect(highlightedNodes).toBeGreaterThan(0);
    const counts = page.getByTestId('graph-counts');
    await expect
      .poll(async () => Number(await counts.getAttribute('data-nodes')))
      .toBeGreaterThanOrEqual(highlightedNodes);
    expect(Number(await counts.getAttribute('data-edges'))).toBeGreaterThanOrEqual(highlightedEdges);
    await expect(highlight.textContent()).resolves.toContain(`${highlightedNodes} entities`);
    const panel = page.getByTestId('entity-panel');
    await visible(panel);
    const name = (await panel.getByRole('heading').first().textContent())!.trim();
    await shot('09b-answer-in-graph');
    await panel.getByRole('button', { name: 'Ask about this entity' }).click();
    await expect.poll(() => new URL(page.url()).pathname, { timeout: 120_000 }).toBe('/chat');
    await expect.poll(() => page.getByLabel('Message').inputValue()).toContain(name);
  }, 180_000);

  it('renames, resumes and deletes a conversation; stops a streaming answer', async (context) => {
    if (!hasChat) {
      context.skip();
      return;
    }
    const threads = page.getByTestId('thread-list');
    const first = threads.getByRole('link').first();
    await visible(first);
    const title = (await first.textContent())!.trim();
    await threads.getByRole('button', { name: `Actions for ${title}` }).click();
    await page.getByRole('menuitem', { name: 'Rename' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Title').fill('AutoGen notes');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'detached' });
    await threads.getByRole('link', { name: 'AutoGen notes' }).waitFor();

    // Resume: the stored thread shows its question and cited answer again.
    await threads.getByRole('link', { name: 'AutoGen notes' }).click();
    await page.waitForURL(/\/chat\/[0-9a-f-]+$/);
    await visible(stored());
    await visible(page.getByTestId('user-message').filter({ hasText: 'What is AutoGen?' }));
    await stored().getByTestId('citation').first().waitFor();
    await shot('09c-thread-resumed');

    // Stop: the request is held back until the stop button has been pressed, so the answer
    // cannot finish first (the service's own cancellation has its own tests).
    await page.getByTestId('new-thread').click();
    await page.waitForURL(/\/chat$/);
    await visible(page.getByTestId('empty-state'));
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const hold = async (route: Route) => {
      await released;
      await route.continue().catch(() => undefined);
    };
    await page.route('**/v1/chat', hold);
    try {
      await page.getByLabel('Message').fill('Who wrote the blog post?');
      await page.getByRole('button', { name: 'Send' }).click();
      await page.getByRole('button', { name: 'Stop' }).click();
      await page.locator('[data-testid="assistant-message"][data-status="stopped"]').waitFor();
      await visible(page.getByText('Stopped.'));
      await visible(page.getByRole('button', { name: 'Send' }));
    } finally {
      release();
      await page.unroute('**/v1/chat', hold);
    }

    // Delete, after confirming.
    await threads.getByRole('button', { name: 'Actions for AutoGen notes' }).click();
    await page.getByRole('menuitem', { name: 'Delete' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click();
    await threads.getByRole('link', { name: 'AutoGen notes' }).waitFor({ state: 'detached' });
    await visible(threads.getByText('No conversations yet.'));
  }, 240_000);

  it('explores the graph: search an entity, draw its neighbourhood, expand a neighbour', async () => {
    await navigate(/Graph/);
    const first = page.getByTestId('entity-result').first();
    await first.waitFor({ timeout: 60_000 });
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
    await expect.poll(() => page.getByTestId('graph-canvas').locator('canvas').count()).toBeGreaterThan(0);
    await shot('10-graph');
    expect(await unnamedControls()).toEqual([]);
  }, 180_000);

  it('switches to Simplified Chinese and to the dark theme', async () => {
    await page
      .locator('label:visible')
      .filter({ hasText: /^中文$/ })
      .click();
    await page.getByRole('navigation').getByRole('link', { name: '文档' }).click();
    await visible(page.getByRole('heading', { name: '文档' }));
    await expect.poll(() => page.locator('html').getAttribute('lang')).toBe('zh-CN');
    await shot('11-documents-zh');
    await page.getByRole('button', { name: '切换到深色主题' }).click();
    await expect.poll(() => page.locator('html').getAttribute('data-mantine-color-scheme')).toBe('dark');
    await page.getByRole('navigation').getByRole('link', { name: '检索' }).click();
    await visible(page.getByRole('heading', { name: '检索试验场' }));
    await shot('12-search-zh-dark');
  });

  it('is usable at phone width', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByRole('button', { name: '打开导航' }).click();
    await page.getByRole('navigation').getByRole('link', { name: '文档' }).click();
    await visible(page.getByRole('heading', { name: '文档' }));
    expect(await horizontalOverflow()).toBeLessThanOrEqual(1);
    // Every header control stays on screen.
    const signOut = await page.getByRole('button', { name: '退出登录' }).boundingBox();
    expect(signOut).not.toBeNull();
    expect(signOut!.x + signOut!.width).toBeLessThanOrEqual(390);
    await shot('13-documents-phone');
  });

  /**
   * Every page in both languages, both themes, at 1280 px and at phone width, screenshotted into
   * test-results/web/pages/ for a person to look at; none may scroll sideways.
   */
  it('lays out every page in English and Chinese, light and dark, desktop and phone', async () => {
    const pagesFolder = join(screenshots, 'pages');
    mkdirSync(pagesFolder, { recursive: true });
    const documentLink = page.locator('tr[data-document="test.docx"] a').first();
    await page.setViewportSize({ width: 1280, height: 860 });
    await page.goto(`${baseUrl}/documents`);
    await visible(documentLink);
    const documentPath = new URL((await documentLink.getAttribute('href'))!, baseUrl).pathname;
    const routes = ['/documents', documentPath, '/search', '/chat', '/graph', '/admin'];
    const overflowing: string[] = [];
    for (const language of ['en', 'zh-CN']) {
      for (const scheme of ['light', 'dark']) {
        for (const width of [1280, 390]) {
          await page.setViewportSize({ width, height: width > 600 ? 860 : 844 });
          await page.evaluate(
            ([chosenLanguage, chosenScheme]) => {
              localStorage.setItem('rhizome.language', chosenLanguage!);
              localStorage.setItem('mantine-color-scheme-value', chosenScheme!);
            },
            [language, scheme],
          );
          for (const route of routes) {
            await page.goto(`${baseUrl}${route}`);
            await visible(page.getByRole('heading', { level: 2 }).first());
            await expect.poll(() => page.locator('html').getAttribute('lang')).toBe(language);
            await expect
              .poll(() => page.locator('html').getAttribute('data-mantine-color-scheme'))
              .toBe(scheme);
            // Loaders settle before the picture is taken.
            await expect
              .poll(() => page.locator('.mantine-Loader-root:visible').count(), { timeout: 60_000 })
              .toBe(0);
            const name = `${route === documentPath ? 'document' : route.slice(1)}-${language}-${scheme}-${width}`;
            await page.screenshot({ path: join(pagesFolder, `${name}.png`) });
            if ((await horizontalOverflow()) > 1) overflowing.push(name);
          }
        }
      }
    }
    expect(overflowing).toEqual([]);
  }, 600_000);

  it('logged no console errors on any page', () => {
    expect(consoleErrors).toEqual([]);
  });
  // The console check runs even when a step failed: its report helps find why.
  afterAll(() => {
    if (consoleErrors.length > 0) process.stderr.write(`console errors:\n${consoleErrors.join('\n')}\n`);
  });
});
