import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The web UI as static files on a CDN (Vercel, Cloudflare Pages, Netlify): deep links reach the app,
 * hashed bundles are cached for good, the page is revalidated (a new deployment shows on the next
 * load), and both hosts' files say the same. The API's address is the build's VITE_RHIZOME_API_URL.
 */
const web = join(process.cwd(), 'web');

interface VercelConfig {
  buildCommand: string;
  outputDirectory: string;
  rewrites: { source: string; destination: string }[];
  headers: { source: string; headers: { key: string; value: string }[] }[];
}

/** `_headers`: a path pattern line, then indented `Name: value` lines. */
function parseHeadersFile(text: string): Map<string, Map<string, string>> {
  const rules = new Map<string, Map<string, string>>();
  let current: Map<string, string> | undefined;
  for (const line of text.split('\n')) {
    if (line.trim() === '' || line.trim().startsWith('#')) continue;
    if (!/^\s/.test(line)) {
      current = new Map();
      rules.set(line.trim(), current);
      continue;
    }
    const [, name, value] = /^\s+([^:]+):\s*(.+)$/.exec(line) ?? [];
    expect(current, `header outside a path: ${line}`).toBeDefined();
    current!.set(name!.toLowerCase(), value!.trim());
  }
  return rules;
}

describe('web UI on a CDN', () => {
  it('Vercel: builds the workspace, rewrites deep links, caches bundles and revalidates the page', async () => {
    const config = JSON.parse(await readFile(join(web, 'vercel.json'), 'utf8')) as VercelConfig;
    const packageJson = JSON.parse(await readFile(join(web, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(config.buildCommand).toBe('npm run build');
    expect(packageJson.scripts.build).toBeDefined();
    const viteConfig = await readFile(join(web, 'vite.config.ts'), 'utf8');
    expect(viteConfig).toContain(`outDir: '${config.outputDirectory}'`);
    expect(config.rewrites).toEqual([{ source: '/(.*)', destination: '/index.html' }]);

    const headersFor = (path: string) =>
      config.headers
        .filter((rule) => new RegExp(`^${rule.source}$`).test(path))
        .flatMap((rule) => rule.headers.map((header) => [header.key.toLowerCase(), header.value] as const));
    expect(new Map(headersFor('/assets/index-abc123.js')).get('cache-control')).toMatch(/immutable/);
    // The page keeps the host's default, which revalidates: a new deployment shows on the next load.
    expect(new Map(headersFor('/index.html')).has('cache-control')).toBe(false);
    expect(new Map(headersFor('/chat/thread-1')).get('x-content-type-options')).toBe('nosniff');
    expect(headersFor('/assets/index-abc123.js').filter(([key]) => key === 'cache-control')).toHaveLength(1);
  });

  it('Cloudflare Pages and Netlify: _redirects and _headers say the same as vercel.json', async () => {
    const redirects = await readFile(join(web, 'public', '_redirects'), 'utf8');
    expect(redirects).toMatch(/^\/\*\s+\/index\.html\s+200/m);
    const rules = parseHeadersFile(await readFile(join(web, 'public', '_headers'), 'utf8'));
    expect(rules.get('/assets/*')?.get('cache-control')).toMatch(/max-age=31536000, immutable/);
    // Values of every matching rule are joined: a Cache-Control on /* would reach the bundles too.
    expect(rules.get('/*')?.has('cache-control')).toBe(false);
    const vercel = JSON.parse(await readFile(join(web, 'vercel.json'), 'utf8')) as VercelConfig;
    const vercelPage = vercel.headers.find((rule) => rule.source.includes('?!assets'))!;
    for (const { key, value } of vercelPage.headers) expect(rules.get('/*')?.get(key.toLowerCase()), key).toBe(value);
  });

  it('reads the API base URL from the build environment', async () => {
    const session = await readFile(join(web, 'src', 'api', 'session.ts'), 'utf8');
    expect(session).toMatch(/import\.meta\.env\.VITE_RHIZOME_API_URL/);
  });
});
