import crypto from 'node:crypto';
import type Mail from 'nodemailer/lib/mailer';
import type { Conn, Db } from '../db/connect';
import { feedbackPdfName } from '../letters/compose';
import type { Clock } from '../core/clock';

export interface NewMessage {
  kind: string;
  reviewId: number | null;
  letterId: number | null;
  template: string;
  to: string[];
  cc: string[];
  replyTo: string;
  subject: string;
  html: string;
  text: string;
  /** Attach the letter's PDF. */
  attachLetter: boolean;
}

export interface OutboxRow {
  id: number;
  kind: string;
  review_id: number | null;
  letter_id: number | null;
  template: string;
  to: string[];
  cc: string[];
  reply_to: string;
  subject: string;
  html: string;
  text: string;
  attach_letter: boolean;
  message_id: string;
  status: 'queued' | 'sending' | 'sent' | 'failed';
  attempts: number;
  last_error: string | null;
  available_at: Date;
  created_at: Date;
  sent_at: Date | null;
}

export const MAX_ERROR_LENGTH = 500;

export function createOutbox(db: Db, clock: Clock, options: { from: string; domain: string }) {
  /** What the message looks like on the wire; the same every time it is (re)built. */
  async function compose(row: OutboxRow, conn: Conn = db): Promise<Mail.Options> {
    const attachments: Mail.Attachment[] = [];
    if (row.attach_letter && row.letter_id) {
      const letter = await conn('letters as l')
        .join('reviews as r', 'r.id', 'l.review_id')
        .where('l.id', row.letter_id)
        .first('l.pdf', 'l.kind', 'r.reference', 'r.pseudonym');
      attachments.push({
        filename: feedbackPdfName(letter.reference, letter.pseudonym, letter.kind),
        content: letter.pdf,
        contentType: 'application/pdf',
      });
    }
    return {
      from: options.from,
      to: row.to,
      cc: row.cc,
      replyTo: row.reply_to,
      subject: row.subject,
      text: row.text,
      html: row.html,
      messageId: row.message_id,
      date: row.sent_at ?? row.created_at,
      attachments,
    };
  }

  function rowOf(message: NewMessage) {
    const now = clock.now();
    return {
      kind: message.kind,
      review_id: message.reviewId,
      letter_id: message.letterId,
      template: message.template,
      to: JSON.stringify(message.to),
      cc: JSON.stringify(message.cc),
      reply_to: message.replyTo,
      subject: message.subject,
      html: message.html,
      text: message.text,
      attach_letter: message.attachLetter,
      message_id: `<${crypto.randomUUID()}@${options.domain}>`,
      payload: JSON.stringify({ template: message.template }),
      status: 'queued',
      attempts: 0,
      available_at: now,
      created_at: now,
    };
  }

  return {
    compose,

    /** Queues a message in the caller's transaction: it exists exactly when what caused it does. */
    async enqueue(trx: Conn, message: NewMessage): Promise<number> {
      const [row] = await trx('outbox').insert(rowOf(message)).returning('id');
      return row.id;
    },

    /** The outbox row of a message, for a caller that writes it with other rows in one statement. */
    rowOf,
  };
}

export type Outbox = ReturnType<typeof createOutbox>;
