import { appendFile, mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Injectable, Logger } from '@nestjs/common';
import { createTransport, type Transporter } from 'nodemailer';
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
 * The port jobs send mail through: SMTP (nodemailer) when SMTP_URL is set, else as MAILER_TRANSPORT says: `file`
 * (default, JSON lines) or `log`.
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

/**
 * Sends through an SMTP server (nodemailer). The message's stable id becomes its Message-ID, so a
 * message sent twice (a crash between sending and recording it) carries the same id for mail systems to de-duplicate.
 */
export class SmtpMailer extends Mailer {
  private readonly logger = new Logger('Mailer');
  private readonly transport: Transporter;

  constructor(
    url: string,
    private readonly from: string,
  ) {
    super();
    this.transport = createTransport(url);
  }

  async send(message: MailMessage): Promise<void> {
    const info = (await this.transport.sendMail({
      from: this.from,
      to: { name: message.to.name, address: message.to.email },
      subject: message.subject,
      text: message.text,
      messageId: `<${message.id.replace(/[^A-Za-z0-9._:-]/g, '-')}@nest-api>`,
    })) as { messageId?: string };
    this.logger.log(
      { mailId: message.id, to: message.to.email, messageId: info.messageId, ...message.meta },
      'mail sent',
    );
  }

  close(): void {
    this.transport.close();
  }
}

export function mailerFactory(config: AppConfig): Mailer {
  if (config.worker.mailer.smtpUrl) return new SmtpMailer(config.worker.mailer.smtpUrl, config.worker.mailer.from);
  switch (config.worker.mailer.transport) {
    case 'log':
      return new LogMailer();
    case 'file':
      return new FileMailer(config.worker.mailer.outboxDir);
  }
}
