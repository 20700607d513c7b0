import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { en } from './en.js';
import { zhCN } from './zh-cn.js';

function leaves(value: unknown, prefix = ''): Map<string, unknown> {
  const result = new Map<string, unknown>();
  for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (typeof child === 'object' && child !== null)
      for (const [inner, leaf] of leaves(child, path)) result.set(inner, leaf);
    else result.set(path, child);
  }
  return result;
}

function sourceFiles(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(name) && !name.endsWith('.test.ts') ? [path] : [];
  });
}

const english = leaves(en);
const chinese = leaves(zhCN);

describe('UI strings', () => {
  it('has the same keys in English and Simplified Chinese, all non-empty', () => {
    expect([...chinese.keys()].sort()).toEqual([...english.keys()].sort());
    for (const [key, value] of [...english, ...chinese]) {
      expect(typeof value, key).toBe('string');
      expect((value as string).trim().length, key).toBeGreaterThan(0);
    }
  });

  it('keeps the same interpolation variables in both languages', () => {
    const variables = (text: string) => [...text.matchAll(/{{(\w+)}}/g)].map((match) => match[1]).sort();
    for (const [key, value] of english)
      expect(variables(chinese.get(key) as string), key).toEqual(variables(value as string));
  });

  it('actually translates: Chinese strings contain Chinese text unless they are names', () => {
    const untranslated = [...chinese].filter(
      ([key, value]) => value === english.get(key) && !/BM25|^\{\{/.test(value as string),
    );
    expect(untranslated).toEqual([]);
  });

  it('defines every literal key the code asks for', () => {
    const root = join(import.meta.dirname, '..');
    const missing: string[] = [];
    for (const file of sourceFiles(root)) {
      const text = readFileSync(file, 'utf8');
      for (const match of text.matchAll(/\bt\(\s*'([a-zA-Z]+(?:\.[a-zA-Z0-9]+)+)'/g)) {
        if (!english.has(match[1]!)) missing.push(`${file}: ${match[1]}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('covers every value of the keys the code builds from enumerations', () => {
    const families: Record<string, readonly string[]> = {
      status: ['queued', 'parsing', 'chunking', 'embedding', 'extracting', 'indexed', 'failed'],
      modes: ['auto', 'naive', 'bm25', 'local', 'global', 'hybrid', 'mix'],
      roles: ['admin', 'owner', 'editor', 'reader'],
      'search.list': ['bm25', 'vector', 'graph', 'community'],
      'documents.sortBy': ['newest', 'oldest', 'name', 'status'],
      'documents.upload': ['uploading', 'done', 'duplicate', 'failed'],
      'admin.kind': ['embedding', 'chat', 'rerank'],
    };
    for (const [family, values] of Object.entries(families)) {
      for (const value of values) expect(english.has(`${family}.${value}`), `${family}.${value}`).toBe(true);
    }
  });
});

describe('language selection', () => {
  it('resolves both languages to their own strings', async () => {
    const { createInstance } = await import('i18next');
    const { languageOptions, supportedLanguage } = await import('./i18n.js');
    const instance = createInstance();
    await instance.init({ ...languageOptions, supportedLngs: [...languageOptions.supportedLngs], lng: 'en' });
    expect(instance.t('nav.documents')).toBe('Documents');
    await instance.changeLanguage(supportedLanguage('zh-TW'));
    expect(instance.resolvedLanguage).toBe('zh-CN');
    expect(instance.t('nav.documents')).toBe('文档');
    expect(instance.t('graph.counts', { nodes: 3, edges: 2 })).toBe('节点：3 · 边：2');
    await instance.changeLanguage(supportedLanguage('en-GB'));
    expect(instance.t('nav.documents')).toBe('Documents');
    expect(supportedLanguage('fr')).toBe('fr');
  });
});
