import fs from 'node:fs';
import path from 'node:path';
import nodemailer from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer';

/** Where mail goes: an SMTP server, or the local mailbox folder that shows what would have been sent. */
export interface Transport {
  readonly description: string;
  send(message: Mail.Options & { outboxId: number }): Promise<void>;
  close(): void;
}

export function smtpTransport(url: string): Transport {
  const transporter = nodemailer.createTransport(url, {
    // Short timeouts keep a send well inside the worker's lease on the outbox row.
    connectionTimeout: 30_000,
    greetingTimeout: 30_000,
    socketTimeout: 60_000,
  } as object);
  return {
    description: `SMTP (${new URL(url).host})`,
    async send({ outboxId: _id, ...message }) {
      await transporter.sendMail(message);
    },
    close: () => transporter.close(),
  };
}

/** Writes each message as an .eml file: open it in any mail program to see exactly what was sent. */
export function mailboxTransport(dir: string): Transport {
  const streamer = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    description: `the local mailbox in ${dir}`,
    async send({ outboxId, ...message }) {
      const info = await streamer.sendMail(message);
      fs.mkdirSync(dir, { recursive: true });
      const file = path.join(dir, `${String(outboxId).padStart(6, '0')}.eml`);
      // Written whole then renamed, so a crash never leaves half a message.
      fs.writeFileSync(`${file}.tmp`, info.message as Buffer);
      fs.renameSync(`${file}.tmp`, file);
    },
    close: () => undefined,
  };
}
