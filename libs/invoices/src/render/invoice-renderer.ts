import { existsSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { Piscina } from 'piscina';
import { AppConfig } from '@app/core';
import type { InvoiceDocument } from './invoice-document';

const TASK = 'invoice-pdf.task';
/** A render that takes longer is a bug (a few milliseconds is normal): the thread is ended, the job retried. */
const RENDER_TIMEOUT_MS = 30_000;
/** Renders waiting for a thread, at most; beyond, a render fails at once (and its job is retried later). */
const MAX_QUEUE = 256;
/** An idle thread ends after this long: a process that renders now and then holds no thread in between. */
const IDLE_TIMEOUT_MS = 30_000;
/**
 * The render threads run at a lower priority (nice +10; Linux applies it to the thread alone, through piscina's
 * optional `@napi-rs/nice`): where cores are short, the event loop beside them (the worker's, or the API's on the
 * embedded default) and the other processes of the host get the CPU first, and renders take what is left.
 */
const NICE_INCREMENT = 10;

/**
 * The compiled task file. Built, it is the `.js` beside this file. From the TypeScript sources (vitest), a worker
 * thread cannot load `.ts`: the build's copy under `dist/` is used, and a missing or older one is an error that says
 * to build (`npm test` builds first).
 */
export function invoiceTaskFile(dir = __dirname): string {
  const sibling = join(dir, `${TASK}.js`);
  if (existsSync(sibling)) return sibling;
  const source = join(dir, `${TASK}.ts`);
  const root = resolve(dir, '..', '..', '..', '..');
  const built = join(root, 'dist', relative(root, dir), `${TASK}.js`);
  if (!existsSync(built)) {
    throw new Error(`${built} is missing: run "npm run build" (the invoice PDF task runs in a worker thread, as JS)`);
  }
  if (existsSync(source) && statSync(source).mtimeMs > statSync(built).mtimeMs) {
    throw new Error(`${built} is older than ${TASK}.ts: run "npm run build"`);
  }
  return built;
}

/**
 * Renders invoice PDFs in a pool of worker threads (piscina + pdfkit), off the event loop: INVOICE_RENDER_THREADS
 * threads at a lower priority, created at the first render (a process that never renders starts none), ended when
 * idle and destroyed at shutdown.
 */
@Injectable()
export class InvoiceRenderer implements OnApplicationShutdown {
  private readonly logger = new Logger('InvoiceRenderer');
  private pool: Piscina<InvoiceDocument, Uint8Array> | undefined;
  private closed = false;

  constructor(private readonly config: AppConfig) {}

  /** The PDF's bytes (`%PDF-…`). Rejects when the pool is full, shut down, or the render fails or times out. */
  async render(invoice: InvoiceDocument): Promise<Buffer> {
    const bytes = await this.threads().run(invoice, { signal: AbortSignal.timeout(RENDER_TIMEOUT_MS) });
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  async onApplicationShutdown(): Promise<void> {
    this.closed = true;
    const pool = this.pool;
    this.pool = undefined;
    await pool?.destroy();
  }

  private threads(): Piscina<InvoiceDocument, Uint8Array> {
    if (this.closed) throw new Error('The invoice renderer is shut down');
    if (!this.pool) {
      const threads = this.config.invoices.renderThreads;
      this.pool = new Piscina({
        filename: invoiceTaskFile(),
        minThreads: 0,
        maxThreads: threads,
        maxQueue: MAX_QUEUE,
        idleTimeout: IDLE_TIMEOUT_MS,
        niceIncrement: NICE_INCREMENT,
      });
      this.logger.log(`Invoice rendering pool: up to ${threads} thread(s)`);
    }
    return this.pool;
  }
}
