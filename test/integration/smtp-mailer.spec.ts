import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SMTPServer } from 'smtp-server';
import { SmtpMailer } from '../../apps/worker/src/mail/mailer';
import { freePort } from '../support/processes';

interface Received {
  from: string | undefined;
  to: string[];
  data: string;
}

/** The worker's SMTP transport against a real SMTP server (smtp-server) on a free loopback port. */
describe('SmtpMailer', () => {
  const received: Received[] = [];
  let server: SMTPServer;
  let port: number;

  beforeAll(async () => {
    port = await freePort();
    server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, session, callback) {
        let data = '';
        stream.on('data', (chunk: Buffer) => (data += chunk.toString()));
        stream.on('end', () => {
          received.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : undefined,
            to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
            // Header lines unfolded (long ones are folded onto the next line), then LF line ends.
            data: data.replace(/\r\n[ \t]+/g, ' ').replace(/\r\n/g, '\n'),
          });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server?.close(() => resolve()));
  });

  it('delivers the message with the sender, the recipient and the stable id as Message-ID', async () => {
    const mailer = new SmtpMailer(`smtp://127.0.0.1:${port}`, 'shop@example.com');
    try {
      await mailer.send({
        id: 'order-notifications:3f1c0a52-1111-4222-8333-944455556666',
        to: { email: 'ada@example.com', name: 'Ada Lovelace' },
        subject: 'Your order is confirmed',
        text: 'Thank you for your order.',
        meta: { orderId: 'x' },
      });
    } finally {
      mailer.close();
    }
    expect(received).toHaveLength(1);
    const [mail] = received;
    expect(mail?.from).toBe('shop@example.com');
    expect(mail?.to).toEqual(['ada@example.com']);
    expect(mail?.data).toMatch(/^Subject: Your order is confirmed$/m);
    expect(mail?.data).toMatch(/^To: "?Ada Lovelace"? <ada@example.com>$/m);
    expect(mail?.data).toMatch(/^Message-ID: <order-notifications:3f1c0a52-1111-4222-8333-944455556666@nest-api>$/m);
    expect(mail?.data).toContain('Thank you for your order.');
  });

  it('rejects when the server is not there, so that the job is retried', async () => {
    const mailer = new SmtpMailer(`smtp://127.0.0.1:${await freePort()}`, 'shop@example.com');
    try {
      await expect(
        mailer.send({ id: 'x', to: { email: 'a@example.com', name: 'A' }, subject: 's', text: 't', meta: {} }),
      ).rejects.toThrow();
    } finally {
      mailer.close();
    }
  });
});
