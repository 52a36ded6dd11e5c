import { appendFile, mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '@app/core';

/** One message to send. `id` is stable per (job, event): a transport that can de-duplicate uses it. */
export interface MailMessage {
  id: string;
  to: { email: string; name: string };
  subject: string;
  text: string;
  /** What caused it, for tracing (event id, order id…). */
  meta: Record<string, string>;
}

/**
 * The port jobs send mail through. The transport is chosen by MAILER_TRANSPORT: `file` (default, JSON lines) or
 * `log`; an SMTP transport is one more subclass and one more case in {@link mailerFactory}.
 */
export abstract class Mailer {
  abstract send(message: MailMessage): Promise<void>;
}

/** Logs each message (no body): for environments where no mail should leave. */
@Injectable()
export class LogMailer extends Mailer {
  private readonly logger = new Logger('Mailer');

  send(message: MailMessage): Promise<void> {
    this.logger.log({ mailId: message.id, to: message.to.email, subject: message.subject, ...message.meta }, 'mail');
    return Promise.resolve();
  }
}

/** Appends each message as one JSON line to `<MAIL_OUTBOX_DIR>/mail.jsonl`, and logs it. */
export class FileMailer extends LogMailer {
  readonly file: string;

  constructor(dir: string) {
    super();
    this.file = resolve(dir, 'mail.jsonl');
  }

  override async send(message: MailMessage): Promise<void> {
    await mkdir(resolve(this.file, '..'), { recursive: true });
    await appendFile(this.file, `${JSON.stringify({ ...message, at: new Date().toISOString() })}\n`);
    await super.send(message);
  }
}

export function mailerFactory(config: AppConfig): Mailer {
  switch (config.worker.mailer.transport) {
    case 'log':
      return new LogMailer();
    case 'file':
      return new FileMailer(config.worker.mailer.outboxDir);
  }
}
