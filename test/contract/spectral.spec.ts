import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { OPENAPI_FILE } from '../support/fuzz/openapi-document';
import { readRepoFile, repoRoot } from '../support/repo-files';

/**
 * Lints the committed OpenAPI document with the Spectral CLI and the committed ruleset (.spectral.yaml: Spectral's
 * OpenAPI rules and the OWASP API Security Top 10 ruleset). Any error and any warning fails: a finding is fixed in
 * the document, or its rule is turned off in the ruleset with the reason written beside it.
 */

const SPECTRAL = join(repoRoot, 'node_modules', '.bin', 'spectral');
const RULESET = '.spectral.yaml';

/** Spectral's severities: 0 error, 1 warning, 2 information, 3 hint. */
const SEVERITY = ['error', 'warning', 'info', 'hint'] as const;

interface SpectralResult {
  code: string;
  message: string;
  path: string[];
  severity: number;
  range?: { start: { line: number } };
}

async function lint(): Promise<SpectralResult[]> {
  const run = promisify(execFile);
  try {
    const { stdout } = await run(SPECTRAL, ['lint', OPENAPI_FILE, '--ruleset', RULESET, '-f', 'json', '--quiet'], {
      cwd: repoRoot,
      maxBuffer: 64 * 1024 * 1024,
    });
    return JSON.parse(stdout || '[]') as SpectralResult[];
  } catch (error) {
    // Exit code 1 means "findings at or above the fail severity": the JSON is still on stdout.
    const failed = error as { stdout?: string; stderr?: string; code?: number };
    if (failed.code === 1 && failed.stdout?.trim().startsWith('['))
      return JSON.parse(failed.stdout) as SpectralResult[];
    throw new Error(`spectral failed (exit ${failed.code}): ${failed.stderr ?? ''}${failed.stdout ?? ''}`);
  }
}

/** Values that take a rule below the failing severities. */
const WEAKENED = /^\s*(?:- )?['"]?([\w:@./-]+)['"]?\s*:\s*(off|false|info|hint)\b\s*(#.*)?$/;

/**
 * The rules set to off / info / hint with no reason: a reason is a comment on the same line, or the comment block
 * above the rule or above the group it belongs to (walking up through YAML lines, not across a blank line).
 */
function unexplainedRules(source: string): string[] {
  const lines = source.split(/\r?\n/);
  return lines.flatMap((line, index) => {
    const match = WEAKENED.exec(line);
    if (!match) return [];
    if (match[3] && match[3].length > 10) return [];
    for (let above = index - 1; above >= 0; above--) {
      const text = lines[above].trim();
      if (text === '' || /^[a-z]/i.test(lines[above])) break;
      if (text.startsWith('#')) return text.length > 10 ? [] : [`${match[1]}: ${match[2]} (line ${index + 1})`];
    }
    return [`${match[1]}: ${match[2]} (line ${index + 1})`];
  });
}

const describeResult = (r: SpectralResult): string =>
  `${SEVERITY[r.severity] ?? r.severity} ${r.code} at #/${r.path.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/')}` +
  ` (line ${(r.range?.start.line ?? -1) + 1}): ${r.message}`;

describe('OpenAPI document lint (Spectral, spectral:oas + OWASP API Security Top 10)', () => {
  it('the committed ruleset extends both rulesets', () => {
    const ruleset = parseDocument(readRepoFile(RULESET)).toJS() as { extends?: unknown };
    const extended = [ruleset.extends].flat(2).map(String);
    expect(extended).toEqual(expect.arrayContaining(['spectral:oas', '@stoplight/spectral-owasp-ruleset']));
  });

  it('every rule the ruleset turns off or weakens says why, in a comment beside it', () => {
    expect(unexplainedRules(readRepoFile(RULESET)), 'rules turned off without a reason').toEqual([]);
  });

  it('openapi.json has no error and no warning', async () => {
    expect(existsSync(OPENAPI_FILE), `${OPENAPI_FILE} is missing (npm run openapi writes it)`).toBe(true);
    const results = await lint();
    const failing = results.filter((r) => r.severity <= 1).sort((a, b) => a.severity - b.severity);
    const notes = results.filter((r) => r.severity > 1);
    if (notes.length > 0)
      console.info(`spectral: ${notes.length} info/hint findings\n${notes.map(describeResult).join('\n')}`);
    expect(failing.map(describeResult), `${failing.length} Spectral findings`).toEqual([]);
  }, 60_000);
});
