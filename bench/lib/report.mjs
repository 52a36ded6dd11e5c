// Report writer: the Markdown tables printed at the end, and bench/results/latest.json (rounded numbers,
// stable key order, formatted by the repository's Prettier so `npm run format:check` accepts it).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

const round = (value, digits = 2) => (Number.isFinite(value) ? Number(value.toFixed(digits)) : null);
const rps = (value) =>
  !Number.isFinite(value) ? '–' : value >= 1000 ? `${(value / 1000).toFixed(1)}k` : value.toFixed(0);
const ms = (value) => (!Number.isFinite(value) ? '–' : value >= 10 ? value.toFixed(1) : value.toFixed(2));
const num = (value, unit) => {
  if (!Number.isFinite(value)) return '–';
  if (unit === 'req/s') return rps(value);
  if (unit === 'ms') return ms(value);
  return Number.isInteger(value) || value >= 10 ? value.toFixed(0) : value.toFixed(2);
};
const mark = (met) => (met === undefined ? '' : met ? ' ✓' : ' ✗');
const target = (t, unit = '') => (t ? `${t.op} ${t.value}${unit ? ` ${unit}` : ''}` : '');
const times = (t) => (t.value >= 1 ? `${t.op} ${t.value}×` : `${t.op} ${t.value.toFixed(2)}`);

function abRows(scenario) {
  const rows = [];
  for (const [index, side] of scenario.sides.entries()) {
    const own = scenario.ratios.filter((r) => r.a === side.label);
    const ratio = own
      .map((r) => `${r.id === scenario.id ? '' : `${r.id}: `}${r.median.toFixed(2)} of ${r.b}`)
      .join('; ');
    const targets = own
      .filter((r) => r.target)
      .map((r) => `${r.id === scenario.id ? '' : `${r.id}: `}${times(r.target)}${mark(r.met)}`);
    if (scenario.p99?.side === side.label)
      targets.push(`p99 ${target(scenario.p99.target, 'ms')}${mark(scenario.p99.met)}`);
    const bytes = `${side.bytesPerResponse.toFixed(0)}${side.answer ? ` (${side.answer.bodyBytes})` : ''}`;
    const differs = side.answer?.sameBodyAsFirst === false ? ' †' : '';
    const hits = side.cacheHitRatio === undefined ? '' : `, hits ${side.cacheHitRatio.toFixed(2)}`;
    rows.push(
      `| ${index === 0 ? `${scenario.id} ${scenario.title}` : ''} | ${side.label}${differs}${hits} | ${side.rounds.map((r) => rps(r.rps)).join(', ')} | ${ms(side.median.p50)} / ${ms(side.median.p99)} | ${side.errors} / ${side.non2xx} | ${bytes} | ${ratio} | ${targets.join('; ')} |`,
    );
  }
  return rows;
}

export function markdown(result) {
  const lines = [
    `Mode: ${result.mode}${result.mode === 'smoke' ? ' (about a second per scenario: numbers are not meaningful)' : ''}; ${result.method.rounds} round(s) × ${result.method.seconds} s per side after ${result.method.warmupSeconds} s warm-up; wrk ${result.method.threads} thread, ${result.method.connections} connections; ${result.machine.pinning}.`,
    `API built from ${result.source.commit}${result.source.uncommittedAppFiles ? ` with ${result.source.uncommittedAppFiles} uncommitted file(s) under apps/ and libs/` : ''}; load average ${result.machine.loadAverage.start.toFixed(2)} before, ${result.machine.loadAverage.end.toFixed(2)} after.`,
    '',
    '| scenario | server | req/s per round | p50 / p99 ms | errors / non-2xx | bytes/resp (body) | ratio (median of rounds) | target |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...result.scenarios.flatMap((s) => (s.skipped ? [`| ${s.id} ${s.title} | ${s.skipped} | | | | | | |`] : abRows(s))),
    '',
    '| scenario | measurement | value | target | note |',
    '| --- | --- | --- | --- | --- |',
    ...result.measurements.map(
      (m) =>
        `| ${m.id} | ${m.name} | ${num(m.value, m.unit)}${m.value2 === undefined ? '' : ` / ${num(m.value2, m.unit)}`}${m.unit && m.unit !== '' ? ` ${m.unit}` : ''} | ${target(m.target, m.unit)}${mark(m.met)} | ${m.note ?? ''} |`,
    ),
  ];
  if (result.scenarios.some((s) => s.sides?.some((side) => side.answer?.sameBodyAsFirst === false))) {
    lines.push('', '† this side answers a different body than the first side of its scenario (see latest.json).');
  }
  return lines.join('\n');
}

/** Rounds every number for a stable, readable file. */
function tidy(value) {
  if (typeof value === 'number') return round(value, Math.abs(value) >= 100 ? 0 : 3);
  if (Array.isArray(value)) return value.map(tidy);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, tidy(v)]),
    );
  }
  return value;
}

export async function writeJson(file, result) {
  let text = `${JSON.stringify(tidy(result), null, 2)}\n`;
  try {
    const prettier = await import('prettier');
    const options = (await prettier.resolveConfig(file)) ?? {};
    text = await prettier.format(text, { ...options, filepath: file });
  } catch {
    // Prettier is a devDependency; without it the file is still valid JSON.
  }
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
}
