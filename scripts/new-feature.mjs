// `npm run new:feature -- <name> [--singular <word>]`: a new feature lib in the house shape (docs/extending.md),
// registered and ready: libs/<name>/ (module, controller, service, repository, schema, cache tags, DTOs, a unit spec),
// test/e2e/<name>.e2e.spec.ts, the module in apps/api/src/app.module.ts, its tag in the OpenAPI document, a
// nest-cli.json project, FEATURES in test/static/public-apis.spec.ts, the migration (drizzle-kit), the regenerated
// openapi.json and typed client, and the Spectral overrides of its free-text fields (.spectral.yaml). Lint, format,
// typecheck and the new tests pass as generated. It never overwrites a file, and if a step fails it puts back
// everything it wrote. The templates are scripts/feature-template/**/*.tpl (placeholders such as __Name__).
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
const TEMPLATES = join(ROOT, 'scripts', 'feature-template');
const MIGRATIONS = join(ROOT, 'libs', 'database', 'migrations');
const APP_MODULE = 'apps/api/src/app.module.ts';
const OPENAPI_DOCUMENT = 'apps/api/src/openapi/openapi-document.ts';
const NEST_CLI = 'nest-cli.json';
const SPECTRAL_RULESET = '.spectral.yaml';
const PUBLIC_APIS_SPEC = 'test/static/public-apis.spec.ts';
/** What `npm run openapi` rewrites. */
const OPENAPI_OUTPUTS = ['openapi.json', 'clients/typescript/schema.d.ts'];

const NAME_PATTERN = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
/** Platform libs, the features that exist or are planned, and names that would read as something else. */
const RESERVED = new Set([
  ...['core', 'database', 'events', 'contracts', 'auth', 'cache', 'redis', 'health', 'idempotency', 'metrics'],
  ...['users', 'catalog', 'orders', 'reviews', 'products', 'api', 'apps', 'libs', 'test', 'docs', 'openapi'],
]);
/** Identifiers the templates import or declare next to the table's variable, and JavaScript's reserved words. */
const TAKEN_IDENTIFIERS = new Set([
  ...['and', 'check', 'desc', 'eq', 'index', 'sql', 'text', 'uuid', 'pgTable', 'keysetAfter', 'versionedTimestamps'],
  ...['await', 'break', 'case', 'catch', 'class', 'const', 'continue', 'debugger', 'default', 'delete', 'enum'],
  ...['export', 'extends', 'false', 'finally', 'for', 'function', 'implements', 'import', 'interface', 'let', 'new'],
  ...['null', 'package', 'private', 'protected', 'public', 'return', 'static', 'super', 'switch', 'this', 'throw'],
  ...['true', 'try', 'typeof', 'var', 'void', 'while', 'with', 'yield', 'arguments', 'eval', 'undefined'],
]);

const USAGE = `Usage: npm run new:feature -- <name> [--singular <word>]

  <name>             the resource, plural, lower-case kebab-case: wishlists, gift-cards (3-40 characters)
  --singular <word>  its singular when dropping the plural "s" is wrong: --singular person (default: derived)

Creates libs/<name>/ and test/e2e/<name>.e2e.spec.ts, registers the module, writes the migration and regenerates
openapi.json and the typed client. Nothing is overwritten; on failure every change is undone.`;

class UsageError extends Error {}

// --- names -------------------------------------------------------------------------------------------------------

const words = (kebab) => kebab.split('-');
const pascal = (kebab) =>
  words(kebab)
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join('');
const camel = (kebab) => pascal(kebab)[0].toLowerCase() + pascal(kebab).slice(1);

/** Simple English singular: categories → category, boxes → box, addresses → address, wishlists → wishlist. */
function singularOf(plural) {
  if (/[^aeiou]ies$/.test(plural)) return `${plural.slice(0, -3)}y`;
  if (/(ss|x|z|ch|sh)es$/.test(plural)) return plural.slice(0, -2);
  if (/[^s]s$/.test(plural)) return plural.slice(0, -1);
  return plural;
}

function featureNames(name, singular = singularOf(name)) {
  const title = words(name).join(' ');
  return {
    name,
    Name: pascal(name),
    nameCamel: camel(name),
    NAME: words(name).join('_').toUpperCase(),
    table: words(name).join('_'),
    title,
    Title: title[0].toUpperCase() + title.slice(1),
    singular,
    Singular: pascal(singular),
    singularCamel: camel(singular),
    singularTitle: words(singular).join(' '),
  };
}

// --- checks (nothing is written before all of them pass) ---------------------------------------------------------

const read = (path) => readFileSync(join(ROOT, path), 'utf8');

function parseArgs(argv) {
  let name;
  let singular;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') return { help: true };
    if (arg === '--singular') singular = argv[++i];
    else if (arg.startsWith('--singular=')) singular = arg.slice('--singular='.length);
    else if (arg.startsWith('-')) throw new UsageError(`unknown option ${arg}`);
    else if (name === undefined) name = arg;
    else throw new UsageError(`one name only (got "${name}" and "${arg}")`);
  }
  if (name === undefined) throw new UsageError('the feature name is missing');
  if (singular === undefined && argv.includes('--singular')) throw new UsageError('--singular needs a word');
  return { name, singular };
}

function checkName(value, what) {
  if (value.length < 3 || value.length > 40) throw new UsageError(`${what} "${value}" must be 3-40 characters long`);
  if (!NAME_PATTERN.test(value)) {
    throw new UsageError(`${what} "${value}" must be lower-case kebab-case (letters, digits, single dashes)`);
  }
}

/** Every class a lib declares, by name (a new class of the same name would confuse Nest and readers). */
function declaredClasses() {
  const names = new Set();
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts')) {
        for (const match of readFileSync(path, 'utf8').matchAll(/\bclass\s+([A-Za-z0-9_]+)/g)) names.add(match[1]);
      }
    }
  };
  for (const lib of readdirSync(join(ROOT, 'libs')))
    if (existsSync(join(ROOT, 'libs', lib, 'src'))) walk(join(ROOT, 'libs', lib, 'src'));
  return names;
}

/** The SQL table names the schemas declare. */
function declaredTables() {
  const tables = new Set();
  for (const lib of readdirSync(join(ROOT, 'libs'))) {
    const src = join(ROOT, 'libs', lib, 'src');
    if (!existsSync(src)) continue;
    for (const file of readdirSync(src, { recursive: true })) {
      if (!String(file).endsWith('.schema.ts')) continue;
      for (const match of readFileSync(join(src, String(file)), 'utf8').matchAll(/pgTable\(\s*'([^']+)'/g)) {
        tables.add(match[1]);
      }
    }
  }
  return tables;
}

function preflight(n) {
  if (RESERVED.has(n.name) || RESERVED.has(n.singular)) throw new UsageError(`"${n.name}" is a reserved name`);
  if (existsSync(join(ROOT, 'libs', n.name))) throw new UsageError(`libs/${n.name} exists already`);
  if (TAKEN_IDENTIFIERS.has(n.nameCamel)) {
    throw new UsageError(`"${n.name}" cannot be used: "${n.nameCamel}" is a reserved word or a name the code uses`);
  }
  const operationIds = [`create${n.Singular}`, `list${n.Name}`, `get${n.Singular}`, `update${n.Singular}`];
  operationIds.push(`delete${n.Singular}`);
  if (operationIds.some((id) => !/^[a-z][A-Za-z]+$/.test(id))) {
    throw new UsageError(
      `"${n.name}" (singular "${n.singular}") gives operation ids ${operationIds.join(', ')}: they must be letters ` +
        'only (test/e2e/openapi.e2e.spec.ts), so use letters and dashes in the name and the singular',
    );
  }
  const document = JSON.parse(read('openapi.json'));
  const documentedIds = new Set(
    Object.values(document.paths ?? {}).flatMap((item) => Object.values(item).map((op) => op?.operationId)),
  );
  const taken = [
    ...operationIds.filter((id) => documentedIds.has(id)).map((id) => `operation ${id}`),
    ...[n.Singular, `${n.Singular}Page`, `Create${n.Singular}Request`, `Update${n.Singular}Request`]
      .filter((schema) => document.components?.schemas?.[schema] !== undefined)
      .map((schema) => `schema ${schema}`),
    ...Object.keys(document.paths ?? {})
      .filter((path) => path === `/v1/${n.name}` || path.startsWith(`/v1/${n.name}/`))
      .map((path) => `path ${path}`),
    ...(document.tags ?? []).filter((tag) => tag.name === n.name).map((tag) => `tag ${tag.name}`),
  ];
  const classes = declaredClasses();
  for (const cls of [`${n.Name}Module`, `${n.Name}Controller`, `${n.Name}Service`, `${n.Name}Repository`]) {
    if (classes.has(cls)) taken.push(`class ${cls}`);
  }
  for (const cls of [
    `${n.Singular}Response`,
    `Create${n.Singular}Dto`,
    `Update${n.Singular}Dto`,
    `List${n.Name}Query`,
  ]) {
    if (classes.has(cls)) taken.push(`class ${cls}`);
  }
  if (declaredTables().has(n.table)) taken.push(`table ${n.table}`);
  if (JSON.parse(read(NEST_CLI)).projects?.[n.name] !== undefined) taken.push(`nest-cli.json project ${n.name}`);
  if (taken.length > 0) throw new UsageError(`"${n.name}" clashes with what exists: ${taken.join(', ')}`);
}

// --- templates ---------------------------------------------------------------------------------------------------

function fill(text, n, where) {
  return text.replace(/__([A-Za-z]+)__/g, (match, key) => {
    if (!(key in n)) throw new Error(`${where}: unknown placeholder ${match}`);
    return n[key];
  });
}

/** Renders every template into `staging`; returns the repository paths of the files it made. */
function render(n, staging) {
  const made = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.tpl')) {
        const target = fill(relative(TEMPLATES, path), n, path).slice(0, -'.tpl'.length);
        mkdirSync(dirname(join(staging, target)), { recursive: true });
        writeFileSync(join(staging, target), fill(readFileSync(path, 'utf8'), n, path));
        made.push(target.split(sep).join('/'));
      }
    }
  };
  walk(TEMPLATES);
  return made.sort();
}

// --- registration edits ------------------------------------------------------------------------------------------

function registerModule(source, n) {
  const imports = [...source.matchAll(/^.*from '@app\/[a-z0-9-]+';$/gm)];
  const extra = /^([ \t]*)\.\.\.extraImports,$/m.exec(source);
  if (imports.length === 0 || extra === null) {
    throw new Error(`${APP_MODULE}: found no @app import or no "...extraImports," line to add ${n.Name}Module next to`);
  }
  const last = imports[imports.length - 1];
  const at = last.index + last[0].length;
  const withImport = `${source.slice(0, at)}\nimport { ${n.Name}Module } from '@app/${n.name}';${source.slice(at)}`;
  return withImport.replace(/^([ \t]*)\.\.\.extraImports,$/m, `$1${n.Name}Module,\n$1...extraImports,`);
}

function registerTag(source, n) {
  const start = source.search(/^const TAGS\b.*=\s*\[\s*$/m);
  const end = start < 0 ? -1 : source.indexOf('\n];', start);
  if (end < 0) throw new Error(`${OPENAPI_DOCUMENT}: found no "const TAGS … = [" list to add the "${n.name}" tag to`);
  const entry = `  ['${n.name}', '${n.Title}: each owned by the user who created it; admins see every owner\\'s'],\n`;
  // After the features, before the operational tags (health, metrics) when they are there.
  const health = source.slice(start, end).search(/^\s*\['health',/m);
  const at = health >= 0 ? start + health : end + 1;
  return `${source.slice(0, at)}${entry}${source.slice(at)}`;
}

function registerProject(source, n) {
  const config = JSON.parse(source);
  config.projects = config.projects ?? {};
  config.projects[n.name] = {
    type: 'library',
    root: `libs/${n.name}`,
    entryFile: 'index',
    sourceRoot: `libs/${n.name}/src`,
    compilerOptions: { tsConfigPath: `libs/${n.name}/tsconfig.lib.json` },
  };
  return `${JSON.stringify(config, null, 2)}\n`;
}

/**
 * Puts the lib under the public-API rule (no service or repository exported): `FEATURES` in
 * test/static/public-apis.spec.ts. Optional: when the file no longer has that shape, the next steps say to do it.
 */
function registerPublicApis(source, n) {
  const features = /const FEATURES = \{([^}]*)\} as const;/.exec(source);
  const imports = [...source.matchAll(/^import .* from '[^']+';$/gm)];
  if (features === null || imports.length === 0) return undefined;
  const alias = new RegExp(`\\b${n.nameCamel}\\b`).test(source) ? `${n.nameCamel}Feature` : n.nameCamel;
  const key = alias === n.name ? alias : `'${n.name}': ${alias}`;
  const entries = features[1].trim().replace(/,$/, '');
  const withFeature = source.replace(
    features[0],
    `const FEATURES = { ${entries ? `${entries}, ` : ''}${key} } as const;`,
  );
  const libImports = imports.filter((match) => match[0].includes("from '@app/"));
  const last = (libImports.length > 0 ? libImports : imports).at(-1);
  const at = withFeature.indexOf(last[0]) + last[0].length;
  return `${withFeature.slice(0, at)}\nimport * as ${alias} from '@app/${n.name}';${withFeature.slice(at)}`;
}

/**
 * The ruleset's overrides for the new free-text fields and the opaque `?cursor=`, as the other features have theirs
 * (string-restricted: no format or pattern describes them; their maxLength bounds them). Needs the regenerated
 * openapi.json, which says where the cursor parameter is.
 */
function registerSpectralOverrides(source, n, document) {
  const parameters = document.paths?.[`/v1/${n.name}`]?.get?.parameters ?? [];
  const cursor = parameters.findIndex((parameter) => parameter.name === 'cursor');
  if (cursor < 0) throw new Error(`openapi.json: GET /v1/${n.name} has no cursor parameter`);
  const pointer = (path) => `      - 'openapi.json#/${path}'`;
  const block = [
    '',
    `  # ${n.name} (made by npm run new:feature): \`name\` and \`note\` are free text, bounded by their maxLength`,
    '  # (string-limit stays on); ?cursor= is opaque, checked by CursorCodec (see the two groups above).',
    '  - files:',
    ...[`Create${n.Singular}Request`, `Update${n.Singular}Request`, n.Singular].flatMap((schema) =>
      ['name', 'note'].map((property) => pointer(`components/schemas/${schema}/properties/${property}`)),
    ),
    pointer(`paths/~1v1~1${n.name}/get/parameters/${cursor}/schema`),
    '    rules:',
    '      owasp:api4:2023-string-restricted: off',
  ].join('\n');
  // At the end of the top-level `overrides:` list: before the next top-level key, or at the end of the file.
  const start = source.search(/^overrides:[ \t]*$/m);
  if (start < 0) throw new Error(`${SPECTRAL_RULESET}: found no top-level "overrides:" list`);
  const body = source.indexOf('\n', start) + 1;
  const next = body === 0 ? -1 : source.slice(body).search(/^[^\s#]/m);
  const end = next < 0 ? source.length : body + next;
  const head = source.slice(0, end).replace(/\s*$/, '');
  const tail = source.slice(end);
  return `${head}\n${block}\n${tail === '' ? '' : `\n${tail}`}`;
}

// --- running tools -----------------------------------------------------------------------------------------------

/** Set by SIGINT / SIGTERM: the running tool is stopped, and everything written so far is undone. */
let interrupted = false;
let current;

const WINDOWS = process.platform === 'win32';

/** Stops a tool and whatever it started. */
function stop(child) {
  try {
    if (WINDOWS || child.pid === undefined) child.kill('SIGTERM');
    else process.kill(-child.pid, 'SIGTERM');
  } catch {
    // already gone
  }
}

/** Runs a tool in the repository, its output kept (and shown only if it fails). */
async function run(label, command, args, { timeoutMs = 300_000 } = {}) {
  if (interrupted) throw new Error('interrupted');
  process.stdout.write(`new:feature: ${label}\n`);
  const started = Date.now();
  const result = await new Promise((resolveRun) => {
    const child = spawn(command, args, {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      shell: WINDOWS,
      // A process group of its own, so that stopping it stops what it started (npm run → nest build → tsc).
      detached: !WINDOWS,
    });
    current = child;
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const timer = setTimeout(() => stop(child), timeoutMs);
    child.once('error', (error) => resolveRun({ why: String(error), output }));
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolveRun({ why: code === 0 ? undefined : signal ? `signal ${signal}` : `exit ${code}`, output });
    });
  });
  current = undefined;
  if (interrupted) throw new Error(`interrupted during ${label}`);
  if (result.why !== undefined) throw new Error(`${label} failed (${result.why}):\n${result.output}`.trimEnd());
  process.stdout.write(`new:feature:   done in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}

const bin = (name) => join(ROOT, 'node_modules', '.bin', WINDOWS ? `${name}.cmd` : name);
const npm = WINDOWS ? 'npm.cmd' : 'npm';

const listDir = (dir) => (existsSync(dir) ? readdirSync(dir, { recursive: true }).map(String) : []);

/** The migration drizzle-kit just wrote must create this feature's table and nothing else. */
function checkMigration(n, before) {
  const added = listDir(MIGRATIONS).filter((file) => !before.has(file) && file.endsWith('.sql'));
  if (added.length !== 1)
    throw new Error(`drizzle-kit wrote ${added.length} migrations, expected one: ${added.join(', ')}`);
  const sqlText = readFileSync(join(MIGRATIONS, added[0]), 'utf8');
  const foreign = sqlText
    .split('--> statement-breakpoint')
    .map((statement) => statement.trim())
    .filter((statement) => statement !== '' && !statement.includes(`"${n.table}"`));
  if (foreign.length > 0) {
    throw new Error(
      `the migration drizzle-kit wrote also changes other tables: another schema has changes without a migration ` +
        `(run npm run db:generate for them first):\n${foreign.join('\n')}`,
    );
  }
  return `libs/database/migrations/${added[0].split(sep).join('/')}`;
}

// --- main --------------------------------------------------------------------------------------------------------

async function generate(n) {
  preflight(n);
  const staging = mkdtempSync(join(tmpdir(), 'new-feature-'));
  /** What to undo, newest last. */
  const undo = [];
  /** Whether `npm run openapi` has started: it rebuilds dist/, which is not put back. */
  let built = false;
  const rollback = () => {
    for (const step of undo.reverse()) {
      try {
        step();
      } catch (error) {
        process.stderr.write(`new:feature: could not undo a step: ${error.message}\n`);
      }
    }
  };
  const onSignal = () => {
    interrupted = true;
    if (current !== undefined) stop(current);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const files = render(n, staging);
    const clash = files.filter((file) => existsSync(join(ROOT, file)));
    if (clash.length > 0) throw new UsageError(`these files exist already: ${clash.join(', ')}`);

    // Snapshots of every file an edit or a tool rewrites, and of the migrations folder.
    const changed = [
      APP_MODULE,
      OPENAPI_DOCUMENT,
      NEST_CLI,
      SPECTRAL_RULESET,
      PUBLIC_APIS_SPEC,
      ...OPENAPI_OUTPUTS,
      'libs/database/migrations/meta/_journal.json',
    ];
    const originals = new Map(
      changed.map((file) => [file, existsSync(join(ROOT, file)) ? readFileSync(join(ROOT, file)) : null]),
    );
    const migrationsBefore = new Set(listDir(MIGRATIONS));
    undo.push(() => {
      for (const [file, content] of originals) {
        if (content === null) rmSync(join(ROOT, file), { force: true });
        else writeFileSync(join(ROOT, file), content);
      }
    });
    undo.push(() => {
      for (const file of listDir(MIGRATIONS)
        .filter((f) => !migrationsBefore.has(f))
        .reverse()) {
        rmSync(join(MIGRATIONS, file), { recursive: true, force: true });
      }
    });

    // The new files: the lib's folder (new, as checked), and each file outside it.
    const libDir = `libs/${n.name}`;
    undo.push(() => rmSync(join(ROOT, libDir), { recursive: true, force: true }));
    cpSync(join(staging, libDir), join(ROOT, libDir), { recursive: true, errorOnExist: true, force: false });
    for (const file of files.filter((f) => !f.startsWith(`${libDir}/`))) {
      undo.push(() => rmSync(join(ROOT, file), { force: true }));
      mkdirSync(dirname(join(ROOT, file)), { recursive: true });
      cpSync(join(staging, file), join(ROOT, file), { errorOnExist: true, force: false });
    }
    process.stdout.write(
      `new:feature: wrote ${files.length} files (libs/${n.name}/, test/e2e/${n.name}.e2e.spec.ts)\n`,
    );

    writeFileSync(join(ROOT, APP_MODULE), registerModule(read(APP_MODULE), n));
    writeFileSync(join(ROOT, OPENAPI_DOCUMENT), registerTag(read(OPENAPI_DOCUMENT), n));
    writeFileSync(join(ROOT, NEST_CLI), registerProject(read(NEST_CLI), n));
    const publicApis = existsSync(join(ROOT, PUBLIC_APIS_SPEC))
      ? registerPublicApis(read(PUBLIC_APIS_SPEC), n)
      : undefined;
    if (publicApis !== undefined) writeFileSync(join(ROOT, PUBLIC_APIS_SPEC), publicApis);
    const registered = [
      APP_MODULE,
      OPENAPI_DOCUMENT,
      NEST_CLI,
      ...(publicApis === undefined ? [] : [PUBLIC_APIS_SPEC]),
    ];
    process.stdout.write(`new:feature: registered ${n.Name}Module in ${registered.join(', ')}\n`);

    const edited = [...files, ...registered];
    await run('prettier --write on the new and changed files', bin('prettier'), [
      '--write',
      '--log-level=warn',
      ...edited,
    ]);
    await run(`drizzle-kit generate --name ${n.table}`, bin('drizzle-kit'), ['generate', '--name', n.table], {
      timeoutMs: 120_000,
    });
    const migration = checkMigration(n, migrationsBefore);
    built = true;
    await run('npm run openapi (build, openapi.json, typed client)', npm, ['run', '--silent', 'openapi']);
    const document = JSON.parse(read('openapi.json'));
    writeFileSync(join(ROOT, SPECTRAL_RULESET), registerSpectralOverrides(read(SPECTRAL_RULESET), n, document));
    await run(`prettier --write ${SPECTRAL_RULESET}`, bin('prettier'), [
      '--write',
      '--log-level=warn',
      SPECTRAL_RULESET,
    ]);

    process.stdout.write(
      [
        '',
        `Created the ${n.name} feature:`,
        ...files.map((file) => `  + ${file}`),
        `  + ${migration} (and its snapshot in libs/database/migrations/meta/)`,
        `  ~ ${[...registered, SPECTRAL_RULESET, ...OPENAPI_OUTPUTS].join(', ')}`,
        '',
        'Next steps:',
        `  1. Make it yours: the columns in libs/${n.name}/src/${n.name}.schema.ts (then delete ${migration}`,
        `     and its snapshot, and run npm run db:generate -- --name ${n.table} again before it lands), the rules in`,
        `     ${n.name}.service.ts, the DTOs in dto/, the routes and their documentation in ${n.name}.controller.ts.`,
        `  2. Test it: test/e2e/${n.name}.e2e.spec.ts and libs/${n.name}/src/${n.name}.cache.spec.ts.` +
          (publicApis === undefined ? ` Add the lib to FEATURES in ${PUBLIC_APIS_SPEC}.` : ''),
        '     When it exports something for other features, list it in docs/extending.md (Public APIs of the features).',
        '  3. After changing routes or DTOs: npm run openapi. Then npm run lint, npm run typecheck, npm test.',
        '',
      ].join('\n'),
    );
  } catch (error) {
    process.stderr.write(`new:feature: ${error.message}\nnew:feature: undoing every change…\n`);
    rollback();
    process.stderr.write('new:feature: nothing was changed.\n');
    if (built) process.stderr.write('new:feature: dist/ may hold a build with the feature: run npm run build.\n');
    error.reported = true;
    throw error;
  } finally {
    rmSync(staging, { recursive: true, force: true });
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

async function main() {
  let args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`new:feature: ${error.message}\n\n${USAGE}\n`);
    process.exit(2);
  }
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  try {
    checkName(args.name, 'The name');
    if (args.singular !== undefined) checkName(args.singular, 'The singular');
    const names = featureNames(args.name, args.singular);
    checkName(names.singular, 'The singular (pass --singular <word>)');
    await generate(names);
  } catch (error) {
    if (!error.reported) process.stderr.write(`new:feature: ${error.message}\n`);
    process.exit(error instanceof UsageError ? 2 : interrupted ? 130 : 1);
  }
}

await main();
