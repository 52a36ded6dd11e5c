import { causeChain } from '../problem/problem-mapper';

/** What of an error may reach a log line: its kind, code and a message cut before any query parameters. */
export interface LoggableError {
  type: string;
  message: string;
  code?: string;
  stack?: string;
}

const MAX_MESSAGE = 300;
/** drizzle appends the bound parameters to a failed query's message: values (hashes, emails) never get logged. */
const PARAMS = /\s*params:[\s\S]*$/;

/** A PostgreSQL SQLSTATE: such messages quote the offending input after a colon (`invalid input syntax …: "x"`). */
const SQLSTATE = /^[0-9A-Z]{5}$/;

function cleanMessage(message: string, code?: unknown): string {
  let cut = message.replace(PARAMS, '');
  if (typeof code === 'string' && SQLSTATE.test(code)) cut = cut.split(': ')[0];
  return cut.length > MAX_MESSAGE ? `${cut.slice(0, MAX_MESSAGE)}…` : cut;
}

const framesOf = (stack: string | undefined): string[] =>
  (stack ?? '').split('\n').filter((line) => line.startsWith('    at '));

/**
 * The error and its causes as they may be logged. Driver errors carry more than this (pg's `detail` names the
 * conflicting values, its messages quote bad input, drizzle's message lists the parameters): only the kind, the
 * SQLSTATE or error code and the cleaned message are kept, plus the stack frames when asked for.
 */
export function loggableError(error: unknown, withStack: boolean): LoggableError[] {
  return [...causeChain(error)].map((cause) => {
    if (!(cause instanceof Error)) return { type: typeof cause, message: cleanMessage(String(cause)) };
    const code = (cause as { code?: unknown }).code;
    const message = cleanMessage(cause.message, code);
    return {
      type: cause.name,
      message,
      ...(typeof code === 'string' || typeof code === 'number' ? { code: String(code) } : {}),
      ...(withStack ? { stack: [`${cause.name}: ${message}`, ...framesOf(cause.stack)].join('\n') } : {}),
    };
  });
}

/** Errors of one kind: same type, code and throwing frame. */
export function errorSignature(error: unknown): string {
  const first = [...causeChain(error)].pop();
  if (!(first instanceof Error)) return String(first).slice(0, 100);
  return `${first.name}|${String((first as { code?: unknown }).code ?? '')}|${framesOf(first.stack)[0] ?? ''}`;
}

interface Window {
  startedAt: number;
  suppressed: number;
}

/**
 * Keeps any client from flooding the error log: the first error of a kind in a window is logged in full (with
 * its stack), the rest of that window only counted, and the count reported with the next one logged.
 * Bounded: at most `maxKinds` kinds are tracked at once.
 */
export class ErrorLogBudget {
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly windowMs = 60_000,
    private readonly maxKinds = 1_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** `undefined`: count it, do not log it. A number: log it, and say how many of its kind went unlogged. */
  take(signature: string): number | undefined {
    const now = this.now();
    const window = this.windows.get(signature);
    if (window && now - window.startedAt < this.windowMs) {
      window.suppressed++;
      return undefined;
    }
    const suppressed = window?.suppressed ?? 0;
    this.windows.delete(signature);
    if (this.windows.size >= this.maxKinds) {
      const oldest = this.windows.keys().next().value;
      if (oldest !== undefined) this.windows.delete(oldest);
    }
    this.windows.set(signature, { startedAt: now, suppressed: 0 });
    return suppressed;
  }
}
