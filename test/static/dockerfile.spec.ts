import { readFileSync } from 'node:fs';
import { posix, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(__dirname, '..', '..');
const read = (path: string): string => readFileSync(resolve(root, path), 'utf8');

interface Instruction {
  keyword: string;
  args: string;
}

interface Stage {
  index: number;
  image: string;
  name: string | undefined;
  instructions: Instruction[];
}

interface Copy {
  from: string | undefined;
  sources: string[];
  dest: string;
}

/** Logical instructions: comments dropped, `\` continuations joined. */
function parseDockerfile(text: string): Instruction[] {
  const logical: string[] = [];
  let current = '';
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.startsWith('#')) continue;
    if (line.endsWith('\\')) {
      current += `${line.slice(0, -1)} `;
      continue;
    }
    current += line;
    if (current.trim() !== '') logical.push(current.trim());
    current = '';
  }
  if (current.trim() !== '') logical.push(current.trim());
  return logical.map((line) => {
    const [, keyword, args] = /^(\S+)\s*([\s\S]*)$/.exec(line) as RegExpExecArray;
    return { keyword: keyword.toUpperCase(), args: args.trim() };
  });
}

function splitStages(instructions: Instruction[]): Stage[] {
  const stages: Stage[] = [];
  for (const instruction of instructions) {
    if (instruction.keyword === 'FROM') {
      const words = instruction.args.split(/\s+/).filter((word) => !word.startsWith('--'));
      const asAt = words.findIndex((word) => word.toUpperCase() === 'AS');
      stages.push({
        index: stages.length,
        image: words[0],
        name: asAt >= 0 ? words[asAt + 1] : undefined,
        instructions: [],
      });
    } else {
      stages.at(-1)?.instructions.push(instruction);
    }
  }
  return stages;
}

/** Arguments in JSON (exec) form, or undefined for the shell form. */
function execForm(args: string): string[] | undefined {
  if (!args.startsWith('[')) return undefined;
  try {
    const parsed: unknown = JSON.parse(args);
    return Array.isArray(parsed) && parsed.every((item) => typeof item === 'string') ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function parseCopy(args: string): Copy {
  const words = args.split(/\s+/);
  const flags = words.filter((word) => word.startsWith('--'));
  const rest = words.filter((word) => !word.startsWith('--'));
  const paths = execForm(rest.join(' ')) ?? rest;
  return {
    from: flags.find((flag) => flag.startsWith('--from='))?.slice('--from='.length),
    sources: paths.slice(0, -1),
    dest: paths.at(-1) ?? '',
  };
}

const stages = splitStages(parseDockerfile(read('Dockerfile')));
const final = stages.at(-1) as Stage;
const stageByRef = (ref: string): Stage | undefined =>
  stages.find((stage) => stage.name === ref || String(stage.index) === ref);
const parentOf = (stage: Stage): Stage | undefined =>
  stages.slice(0, stage.index).find((other) => other.name === stage.image);
const ofKind = (stage: Stage, keyword: string): Instruction[] =>
  stage.instructions.filter((instruction) => instruction.keyword === keyword);

/** The stage and the stages it is built FROM. */
function lineage(stage: Stage): Stage[] {
  const parent = parentOf(stage);
  return parent ? [...lineage(parent), stage] : [stage];
}

/** The working directory in effect after each instruction of the final stage, with its COPYs resolved. */
function finalCopies(): Array<Copy & { absoluteDest: string }> {
  let workdir = '/';
  for (const ancestor of lineage(final).slice(0, -1)) {
    for (const { args } of ofKind(ancestor, 'WORKDIR')) workdir = posix.resolve(workdir, args);
  }
  const copies: Array<Copy & { absoluteDest: string }> = [];
  for (const instruction of final.instructions) {
    if (instruction.keyword === 'WORKDIR') workdir = posix.resolve(workdir, instruction.args);
    if (instruction.keyword === 'COPY' || instruction.keyword === 'ADD') {
      const copy = parseCopy(instruction.args);
      copies.push({ ...copy, absoluteDest: posix.resolve(workdir, copy.dest) });
    }
  }
  return copies;
}

function finalWorkdir(): string {
  return lineage(final)
    .flatMap((stage) => ofKind(stage, 'WORKDIR'))
    .reduce((dir, { args }) => posix.resolve(dir, args), '/');
}

/** `ENV A=1 B=2` (and the legacy `ENV A 1`) of a stage and its ancestors. */
function finalEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const { args } of lineage(final).flatMap((stage) => ofKind(stage, 'ENV'))) {
    if (!args.includes('=')) {
      const [key, ...value] = args.split(/\s+/);
      env[key] = value.join(' ');
      continue;
    }
    for (const match of args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|\S*)/g))
      env[match[1]] = match[2].replace(/^"|"$/g, '');
  }
  return env;
}

const npmInstalls = (stage: Stage): string[] =>
  ofKind(stage, 'RUN')
    .map(({ args }) => args)
    .filter((args) => /\bnpm\s+(ci|install|i|add)\b/.test(args));

const nestCli = JSON.parse(read('nest-cli.json')) as { projects: { api: { entryFile: string } } };
const entryFile = `dist/${nestCli.projects.api.entryFile}.js`;

/** `.dockerignore` rules in order; the last matching rule wins (`!` re-includes). */
const ignoreRules = read('.dockerignore')
  .split(/\r?\n/)
  .map((line) => line.trim())
  .filter((line) => line !== '' && !line.startsWith('#'))
  .map((line) => {
    const negated = line.startsWith('!');
    const pattern = posix.normalize((negated ? line.slice(1) : line).replace(/^\/+/, '')).replace(/\/+$/, '');
    const source = pattern
      .split('/')
      .map((part) =>
        part === '**'
          ? '.*'
          : part
              .replace(/[.+^${}()|[\]\\]/g, '\\$&')
              .replace(/\*/g, '[^/]*')
              .replace(/\?/g, '[^/]'),
      )
      .join('/')
      .replace(/\.\*\//g, '(?:.*/)?');
    return { negated, regex: new RegExp(`^${source}$`) };
  });

/** Whether the build context leaves `path` (or a folder above it) out. */
function ignored(path: string): boolean {
  const parts = posix
    .normalize(path)
    .replace(/^\.\/|\/$/g, '')
    .split('/');
  const candidates = parts.map((_, index) => parts.slice(0, index + 1).join('/'));
  let result = false;
  for (const rule of ignoreRules) {
    if (candidates.some((candidate) => rule.regex.test(candidate))) result = !rule.negated;
  }
  return result;
}

describe('Dockerfile', () => {
  it('is a multi-stage build', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
  });

  it('runs the final stage on a pinned node 24 slim image', () => {
    expect(final.image).toMatch(/^node:24(?:\.\d+){0,2}(?:-[a-z0-9]+)*-slim(?:@sha256:[0-9a-f]{64})?$/);
  });

  it('runs the final stage as a non-root user', () => {
    const users = lineage(final).flatMap((stage) => ofKind(stage, 'USER'));
    const user = users.at(-1)?.args.split(':')[0].trim();
    expect(user, 'no USER in the final stage').toBeDefined();
    expect(['root', '0']).not.toContain(user);
  });

  it('checks liveness (/health/live) with node itself', () => {
    const healthcheck = ofKind(final, 'HEALTHCHECK').at(-1)?.args ?? '';
    expect(healthcheck).toMatch(/\bCMD\b/);
    expect(healthcheck).toContain('/health/live');
    expect(healthcheck).toMatch(/"node"|\bnode\s+-e\b/);
    expect(healthcheck).not.toMatch(/\b(curl|wget)\b/);
  });

  it('starts the compiled entry file with node, in exec form', () => {
    const cmd = ofKind(final, 'CMD').at(-1)?.args ?? '';
    const argv = execForm(cmd);
    expect(argv, `CMD ${cmd} is not in exec form`).toBeDefined();
    expect(argv?.[0]).toBe('node');
    expect(argv?.at(-1)).toBe(entryFile);
    expect(ofKind(final, 'ENTRYPOINT')).toEqual([]);
  });

  it('copies dist so that the CMD entry file is inside it', () => {
    const dist = finalCopies().find(
      (copy) => copy.from !== undefined && copy.sources.some((source) => /(^|\/)dist\/?$/.test(source)),
    );
    expect(dist, 'no COPY --from=<stage> .../dist').toBeDefined();
    expect(posix.resolve(finalWorkdir(), entryFile).startsWith(`${dist?.absoluteDest}/`)).toBe(true);
  });

  it('installs no devDependencies in the final image', () => {
    const copies = finalCopies().filter((copy) => copy.sources.some((source) => /(^|\/)node_modules\/?$/.test(source)));
    expect(copies.length, 'node_modules must be copied from a stage').toBeGreaterThan(0);
    for (const copy of copies) {
      const source = stageByRef(copy.from ?? '');
      expect(source, `node_modules copied from the build context or an unknown stage (${copy.from})`).toBeDefined();
      const installs = lineage(source as Stage).flatMap(npmInstalls);
      expect(installs.length, `stage ${copy.from} installs nothing`).toBeGreaterThan(0);
      expect(
        installs.filter((run) => !run.includes('--omit=dev')),
        `stage ${copy.from} installs devDependencies`,
      ).toEqual([]);
    }
    expect(
      lineage(final)
        .flatMap(npmInstalls)
        .filter((run) => !run.includes('--omit=dev')),
    ).toEqual([]);
    const wholeContext = finalCopies().filter(
      (copy) => copy.from === undefined && copy.sources.some((source) => ['.', './'].includes(source)),
    );
    expect(wholeContext, 'the final stage copies the whole build context').toEqual([]);
  });

  it('copies the SQL migrations where the compiled app finds them (walking up from dist)', () => {
    const migrations = finalCopies().find((copy) =>
      copy.sources.some((source) => /(^|\/)libs\/database\/migrations\/?$/.test(source)),
    );
    expect(migrations, 'no COPY of libs/database/migrations').toBeDefined();
    const dist = finalCopies().find((copy) => copy.sources.some((source) => /(^|\/)dist\/?$/.test(source)));
    expect(migrations?.absoluteDest).toBe(
      posix.join(posix.dirname(dist?.absoluteDest ?? '/'), 'libs/database/migrations'),
    );
  });

  it('sets production mode, a writable DATA_DIR, port 3000 and SIGTERM', () => {
    const env = finalEnv();
    expect(env.NODE_ENV).toBe('production');
    expect(env.DATA_DIR).toMatch(/^\//);
    const prepares = ofKind(final, 'RUN').some(
      ({ args }) => args.includes('chown') && args.includes(env.DATA_DIR) && /\bnode\b/.test(args),
    );
    expect(prepares, `DATA_DIR ${env.DATA_DIR} is not chowned to node`).toBe(true);
    expect(ofKind(final, 'EXPOSE').map(({ args }) => args)).toContain('3000');
    expect(ofKind(final, 'STOPSIGNAL').at(-1)?.args ?? 'SIGTERM').toBe('SIGTERM');
  });
});

describe('.dockerignore', () => {
  it.each(['node_modules', 'apps/api/node_modules', '.env', 'dist', '.git'])(
    'leaves %s out of the build context',
    (path) => {
      expect(ignored(path)).toBe(true);
    },
  );

  it('keeps everything the Dockerfile copies from the build context', () => {
    const fromContext = stages
      .flatMap((stage) => [...ofKind(stage, 'COPY'), ...ofKind(stage, 'ADD')])
      .map(({ args }) => parseCopy(args))
      .filter((copy) => copy.from === undefined)
      .flatMap((copy) => copy.sources);
    expect(fromContext).toEqual(expect.arrayContaining(['package-lock.json']));
    expect(fromContext.filter((path) => ignored(path))).toEqual([]);
    expect(ignored('libs/database/migrations/meta/_journal.json')).toBe(false);
  });
});
