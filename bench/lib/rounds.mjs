// A/B rounds: every side of a scenario runs in turn, the order reversed every other round; a ratio is the
// median of the same-round ratios.
import { hitRatio, scrape } from './metrics.mjs';
import { runWrk } from './wrk.mjs';

export const median = (values) => {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

export const meets = (value, target) =>
  target === undefined || !Number.isFinite(value)
    ? undefined
    : target.op === '≥'
      ? value >= target.value
      : target.op === '<'
        ? value < target.value
        : target.op === '≤'
          ? value <= target.value
          : undefined;

/** The answer of one request of a side (before any load), to compare sides' bodies and count bytes. */
async function sample(side) {
  const res = await fetch(`${side.server.base}${side.check.path}`, {
    headers: side.check.headers,
    signal: AbortSignal.timeout(10_000),
  });
  const body = await res.text();
  return { status: res.status, body, bodyBytes: Buffer.byteLength(body) };
}

export async function runAb(scenario, settings) {
  const { sides } = scenario;
  const run = (side, seconds) =>
    runWrk({
      base: side.server.base,
      script: side.script,
      seconds,
      connections: settings.connections,
      cpu: settings.loadCpu,
    });

  const samples = new Map();
  for (const side of sides) if (side.check) samples.set(side.label, await sample(side));
  const reference = samples.get(sides[0].label);

  const cacheSides = sides.filter((side) => scenario.cacheSides?.includes(side.label));
  const before = new Map();
  for (const side of cacheSides) before.set(side.label, await scrape(side.server.base));

  if (settings.warmupSeconds > 0) for (const side of sides) await run(side, settings.warmupSeconds);
  const rounds = new Map(sides.map((side) => [side.label, []]));
  for (let round = 0; round < settings.rounds; round++) {
    const order = round % 2 === 0 ? sides : [...sides].reverse();
    for (const side of order) rounds.get(side.label).push(await run(side, settings.seconds));
  }

  const results = [];
  for (const side of sides) {
    const sideRounds = rounds.get(side.label);
    const answer = samples.get(side.label);
    const cache = before.has(side.label) ? hitRatio(before.get(side.label), await scrape(side.server.base)) : undefined;
    results.push({
      label: side.label,
      rounds: sideRounds,
      median: {
        rps: median(sideRounds.map((r) => r.rps)),
        p50: median(sideRounds.map((r) => r.p50)),
        p99: median(sideRounds.map((r) => r.p99)),
      },
      errors: sideRounds.reduce((sum, r) => sum + r.errors, 0),
      non2xx: sideRounds.reduce((sum, r) => sum + r.non2xx, 0),
      bytesPerResponse: median(sideRounds.map((r) => r.bytesPerResponse)),
      answer: answer && {
        status: answer.status,
        bodyBytes: answer.bodyBytes,
        sameBodyAsFirst: answer === reference || !side.check.sameData ? undefined : answer.body === reference?.body,
      },
      cacheHitRatio: cache?.ratio,
    });
  }

  const byLabel = new Map(results.map((r) => [r.label, r]));
  const ratios = (scenario.ratios ?? []).map(({ id, a, b, target }) => {
    const perRound = byLabel.get(a).rounds.map((r, i) => r.rps / byLabel.get(b).rounds[i].rps);
    const value = median(perRound);
    return { id, a, b, perRound, median: value, target, met: meets(value, target) };
  });
  const p99 = scenario.p99Below && {
    side: scenario.p99Below.side,
    value: byLabel.get(scenario.p99Below.side).median.p99,
    target: { op: '<', value: scenario.p99Below.ms },
  };
  if (p99) p99.met = meets(p99.value, p99.target);
  return { id: scenario.id, title: scenario.title, sides: results, ratios, p99 };
}
