import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';
import { ConfigError } from './errors.js';

function configError(environment: Record<string, string>): ConfigError {
  try {
    loadConfig(environment);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('defaults to the embedded database in ./.rhizome and a loopback listener', () => {
    const config = loadConfig({});
    expect(config.profile).toBe('development');
    expect(config.database).toEqual({ driver: 'pglite', dataDirectory: './.rhizome/database' });
    expect(config.server.host).toBe('127.0.0.1');
    expect(config.server.port).toBe(8080);
    expect(config.embedding).toMatchObject({ provider: 'offline', dimensions: 384, model: 'rhizome-hashed-v1' });
  });

  it('switches to the server driver with DATABASE_URL, and to replicas with DATABASE_READ_URL', () => {
    const config = loadConfig({
      DATABASE_URL: 'postgres://user@db:5432/rhizome',
      DATABASE_READ_URL: 'postgresql://user@replica:5432/rhizome',
      DATABASE_POOL_MAX: '25',
    });
    expect(config.database).toMatchObject({
      driver: 'postgres',
      url: 'postgres://user@db:5432/rhizome',
      readUrl: 'postgresql://user@replica:5432/rhizome',
      poolMax: 25,
    });
  });

  it('listens on every interface in production', () => {
    expect(loadConfig({ NODE_ENV: 'production' }).server.host).toBe('0.0.0.0');
    expect(loadConfig({ RHIZOME_PROFILE: 'production', RHIZOME_HOST: '10.0.0.1' }).server.host).toBe('10.0.0.1');
  });

  it('names every offending key', () => {
    const error = configError({ RHIZOME_PORT: 'eighty', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud' });
    expect([...error.keys].sort()).toEqual(['DATABASE_URL', 'LOG_LEVEL', 'RHIZOME_PORT']);
    expect(error.message).toContain('RHIZOME_PORT');
    expect(error.message).toContain('postgres:// or postgresql://');
  });

  it('refuses a replica without a primary and a remote embedder without an endpoint', () => {
    expect(configError({ DATABASE_READ_URL: 'postgres://replica/db' }).keys).toEqual(['DATABASE_READ_URL']);
    expect(configError({ EMBEDDING_PROVIDER: 'openai' }).keys).toEqual(['EMBEDDING_BASE_URL']);
  });

  it('refuses a malformed bootstrap admin key', () => {
    expect(configError({ RHIZOME_BOOTSTRAP_ADMIN_KEY: 'letmein' }).keys).toEqual(['RHIZOME_BOOTSTRAP_ADMIN_KEY']);
  });

  it('layers the environment over a JSON config file', () => {
    const directory = mkdtempSync(join(tmpdir(), 'rhizome-config-'));
    const file = join(directory, 'config.json');
    writeFileSync(file, JSON.stringify({ RHIZOME_PORT: 9000, LOG_LEVEL: 'debug', EMBEDDING_DIMENSIONS: 256 }));
    const config = loadConfig({ RHIZOME_CONFIG: file, LOG_LEVEL: 'warn' });
    expect(config.server.port).toBe(9000);
    expect(config.logLevel).toBe('warn');
    expect(config.embedding.dimensions).toBe(256);
  });

  it('rejects unknown keys and unreadable or invalid config files', () => {
    const directory = mkdtempSync(join(tmpdir(), 'rhizome-config-'));
    const unknown = join(directory, 'unknown.json');
    writeFileSync(unknown, JSON.stringify({ RHIZOME_PROT: 1 }));
    expect(configError({ RHIZOME_CONFIG: unknown }).keys).toEqual(['RHIZOME_PROT']);
    const invalid = join(directory, 'invalid.json');
    writeFileSync(invalid, '{ nope');
    expect(configError({ RHIZOME_CONFIG: invalid }).keys).toEqual(['RHIZOME_CONFIG']);
    expect(configError({ RHIZOME_CONFIG: join(directory, 'missing.json') }).keys).toEqual(['RHIZOME_CONFIG']);
  });
});
