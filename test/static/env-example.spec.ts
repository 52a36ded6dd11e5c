import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { describe, expect, it } from 'vitest';
import { type AppConfig, configVariableNames, loadConfig } from '@app/core';

const root = resolve(__dirname, '..', '..');
const text = readFileSync(resolve(root, '.env.example'), 'utf8');
const lines = text.split(/\r?\n/);

/** Read by the test suite, not by the application; documented in the final "tests only" section. */
const TEST_ONLY = ['TEST_DATABASE_URL', 'TEST_REDIS_URL', 'TEST_LOG_LEVEL'];

interface Entry {
  name: string;
  value: string;
  commented: boolean;
  line: number;
}

/** `NAME=value` or `# NAME=value` lines; any other line is prose. */
const VARIABLE_LINE = /^(#\s*)?([A-Z][A-Z0-9_]*)=(.*)$/;

const entries: Entry[] = lines.flatMap((line, index) => {
  const match = VARIABLE_LINE.exec(line.trim());
  return match ? [{ name: match[2], value: match[3], commented: match[1] !== undefined, line: index }] : [];
});
const documented = entries.map((entry) => entry.name);
const appVariables = configVariableNames();

/** The comment block directly above a variable line (stops at a blank line or another variable). */
function descriptionOf(entry: Entry): string {
  const block: string[] = [];
  for (let index = entry.line - 1; index >= 0; index--) {
    const line = lines[index].trim();
    if (!line.startsWith('#') || VARIABLE_LINE.test(line)) break;
    block.unshift(line.replace(/^#\s*/, ''));
  }
  return block.join(' ');
}

/** What the app actually uses, minus the per-process random key generated when JWT_SECRET is unset. */
function comparable(config: AppConfig): unknown {
  const { jwtSecret: _random, ...auth } = config.auth;
  return { ...config, auth };
}

describe('.env.example', () => {
  it('the app reads at least the basic variables (the name list is not empty)', () => {
    expect(appVariables).toEqual(expect.arrayContaining(['NODE_ENV', 'PORT', 'DATABASE_URL', 'JWT_SECRET']));
  });

  it('documents every variable the app reads, as NAME= or # NAME=', () => {
    const missing = appVariables.filter((name) => !documented.includes(name));
    expect(missing, 'variables read by libs/core/src/config/environment.ts but missing from .env.example').toEqual([]);
  });

  it('documents no variable the app does not read (except the test-only ones)', () => {
    const unknown = documented.filter((name) => !appVariables.includes(name) && !TEST_ONLY.includes(name));
    expect(unknown, 'variables in .env.example that the app does not read').toEqual([]);
  });

  it('documents each variable once', () => {
    const duplicates = documented.filter((name, index) => documented.indexOf(name) !== index);
    expect(duplicates).toEqual([]);
  });

  it('explains every variable, and its default, in a comment directly above it', () => {
    const undocumented = entries
      .filter((entry) => !/\bdefault\b/i.test(descriptionOf(entry)))
      .map((entry) => entry.name);
    expect(undocumented, 'variables without a "# ... Default: ..." comment right above them').toEqual([]);
  });

  it('shows the real defaults: the uncommented values configure the app exactly as an empty environment does', () => {
    const uncommented = parseEnv(text) as Record<string, string>;
    expect(Object.keys(uncommented).length).toBeGreaterThan(0);
    expect(comparable(loadConfig(uncommented))).toEqual(comparable(loadConfig({})));
  });

  it('comments out the variables that are unset by default (they would change the configuration)', () => {
    const unsetByDefault = ['DATABASE_URL', 'REDIS_URL', 'JWT_SECRET', 'ADMIN_EMAIL', 'ADMIN_PASSWORD'];
    const active = entries
      .filter((entry) => unsetByDefault.includes(entry.name) && !entry.commented)
      .map((entry) => entry.name);
    expect(active).toEqual([]);
  });

  it('gives example values the app accepts once uncommented (development)', () => {
    const all = Object.fromEntries(
      entries.filter((entry) => !TEST_ONLY.includes(entry.name)).map((entry) => [entry.name, entry.value]),
    );
    expect(() => loadConfig({ ...all, NODE_ENV: 'development' })).not.toThrow();
  });

  it('uses example secrets that production refuses as placeholders', () => {
    const all = Object.fromEntries(
      entries.filter((entry) => !TEST_ONLY.includes(entry.name)).map((entry) => [entry.name, entry.value]),
    );
    expect(all.JWT_SECRET).toBeTruthy();
    expect(all.ADMIN_PASSWORD).toBeTruthy();
    expect(() => loadConfig({ ...all, NODE_ENV: 'production' })).toThrow(/JWT_SECRET looks like a placeholder/);
    expect(() => loadConfig({ ...all, NODE_ENV: 'production' })).toThrow(/ADMIN_PASSWORD looks like a placeholder/);
  });

  it('documents the test-only variables commented out, after every application variable', () => {
    const testEntries = entries.filter((entry) => TEST_ONLY.includes(entry.name));
    expect(testEntries.map((entry) => entry.name).sort()).toEqual([...TEST_ONLY].sort());
    expect(testEntries.filter((entry) => !entry.commented).map((entry) => entry.name)).toEqual([]);
    const lastAppLine = Math.max(
      ...entries.filter((entry) => !TEST_ONLY.includes(entry.name)).map((entry) => entry.line),
    );
    expect(Math.min(...testEntries.map((entry) => entry.line))).toBeGreaterThan(lastAppLine);
  });
});
