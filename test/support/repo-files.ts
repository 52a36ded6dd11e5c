import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/** The repository root (tests run from anywhere). */
export const repoRoot = resolve(__dirname, '..', '..');

/** A file of the repository, by path from its root. */
export const readRepoFile = (path: string): string => readFileSync(resolve(repoRoot, path), 'utf8');

/** The variables `.env.example` documents (`NAME=` or `# NAME=`). */
export function documentedVariables(): Set<string> {
  return new Set(
    readRepoFile('.env.example')
      .split(/\r?\n/)
      .flatMap((line) => /^(?:#\s*)?([A-Z][A-Z0-9_]*)=/.exec(line.trim())?.[1] ?? []),
  );
}

/**
 * The probe routes the app really serves: the health controller's (`@Controller({ path: 'health', ... })` +
 * `@Get('x')`) and the liveness route registered on Fastify directly.
 */
export function probeRoutes(): string[] {
  const source = readRepoFile('libs/health/src/health.controller.ts');
  const controller = /@Controller\(\s*\{([^}]*)\}\s*\)/.exec(source)?.[1] ?? '';
  const base = /path:\s*'([^']+)'/.exec(controller)?.[1];
  // Unversioned: a versioned controller would be served under /v1/health/... instead.
  if (base === undefined || !controller.includes('VERSION_NEUTRAL')) return [];
  const liveness = /LIVENESS_PATH = '([^']+)'/.exec(readRepoFile('libs/health/src/liveness.route.ts'))?.[1];
  return [
    ...[...source.matchAll(/@Get\('([^']*)'\)/g)].map((match) => `/${base}/${match[1]}`),
    ...(liveness ? [liveness] : []),
  ];
}
