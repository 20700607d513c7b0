import { describe, expect, it } from 'vitest';

import { detectLanguage } from './detect-language.js';

describe('detectLanguage', () => {
  it('recognises English, Chinese, mixed and other text', () => {
    expect(detectLanguage('Knowledge graphs connect entities.')).toBe('en');
    expect(detectLanguage('知识图谱把实体连接起来。')).toBe('zh');
    expect(detectLanguage('我们使用PostgreSQL数据库存储知识')).toBe('zh');
    expect(detectLanguage('使用PostgreSQL构建知识图谱 with graphs')).toBe('mixed');
    expect(detectLanguage('Привет, как дела?')).toBe('other');
    expect(detectLanguage('12345 !!!')).toBe('other');
    expect(detectLanguage('')).toBe('other');
  });
});
