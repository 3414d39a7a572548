import MailComposer from 'nodemailer/lib/mail-composer';
import { z } from 'zod';
import { toIso, type Clock } from '../core/clock';
import { ConflictError, ForbiddenError, NotFoundError } from '../core/errors';
import type { User } from '../core/user';
import { containing, id, parse, searchText } from '../core/validation';
import type { Db } from '../db/connect';
import { MAX_ID } from '../http';
import type { Outbox, OutboxRow } from '../mail/outbox';

/**
 * Messages whose body is a key to someone's account (a link to set a new password): the
 * secretariat sees that they went and to whom, never the link itself.
 */
const PRIVATE_KINDS = ['password_reset'];
const PRIVATE_BODY = 'This message holds a link to set a password, for its recipient alone, so it is not shown here.';

/** The secretariat's Mail: every email the service wrote, found, read as sent, and a failed one tried again. */
export function createMail(db: Db, clock: Clock, outbox: Outbox) {
  function summary(row: OutboxRow, attachments: { filename: string; contentType: string }[]) {
    return {
      id: row.id,
      kind: row.kind,
      reviewId: row.review_id,
      letterId: row.letter_id,
      to: row.to,
      cc: row.cc,
      subject: row.subject,
      // A message being handed over right now is still waiting as far as anyone reading is concerned.
      status: row.status === 'sending' ? 'queued' : row.status,
      attempts: row.attempts,
      lastError: row.last_error,
      attachments,
      messageId: row.message_id,
      createdAt: toIso(row.created_at),
      nextAttemptAt: row.status === 'queued' ? toIso(row.available_at) : null,
      sentAt: toIso(row.sent_at),
    };
  }

  /**
   * The emails a query asks for, newest first: by review, by status, and `search` for a
   * recipient (To or Cc), a subject, or a review's reference or pseudonym; `limit` (at most 500) and `offset` page them.
   */
  function mailQuery(query: unknown) {
    const filters = parse(
      z.strictObject({
        reviewId: z.coerce.number({ error: 'must be a whole number' }).pipe(id).optional(),
        status: z.enum(['queued', 'sent', 'failed'], { error: 'must be queued, sent or failed' }).optional(),
        q: searchText(100).optional(),
        limit: z.coerce
          .number({ error: 'must be a whole number' })
          .int({ error: 'must be a whole number' })
          .min(1, { error: 'must be between 1 and 500' })
          .max(500, { error: 'must be between 1 and 500' })
          .default(500),
        offset: z.coerce
          .number({ error: 'must be a whole number' })
          .int({ error: 'must be a whole number' })
          .min(0, { error: 'must not be negative' })
          .max(MAX_ID, { error: 'is beyond the last email' })
          .default(0),
      }),
      query,
    );
    const found = db<OutboxRow>('outbox as o').select('o.*').orderBy('o.id', 'desc');
    if (filters.reviewId) found.where('o.review_id', filters.reviewId);
    if (filters.status === 'queued') found.whereIn('o.status', ['queued', 'sending']);
    else if (filters.status) found.where('o.status', filters.status);
    if (filters.q) {
      const pattern = containing(filters.q);
      found.where((w) =>
        w
          .whereRaw('o."to"::text ilike ?', [pattern])
          .orWhereRaw('o.cc::text ilike ?', [pattern])
          .orWhereILike('o.subject', pattern)
          .orWhereIn(
            'o.review_id',
            db('reviews').select('id').whereILike('reference', pattern).orWhereILike('pseudonym', pattern),
          ),
      );
    }
    return { found, limit: filters.limit, offset: filters.offset };
  }

  const attachmentsOf = (row: OutboxRow) =>
    row.attach_letter ? [{ filename: 'QA Panel feedback.pdf', contentType: 'application/pdf' }] : [];

  function requireSecretariat(user: User) {
    if (user.role !== 'secretariat') throw new ForbiddenError('Only the panel secretariat can see the mail');
  }

  async function find(mailId: number): Promise<OutboxRow> {
    const row = await db<OutboxRow>('outbox').where({ id: mailId }).first();
    if (!row) throw new NotFoundError('No message with this id');
    return row;
  }

  return {
    /** The newest emails first, filtered; see `mailQuery` for the filters. At most 500 at a time. */
    async list(user: User, query: unknown) {
      requireSecretariat(user);
      const { found, limit, offset } = mailQuery(query);
      return (await found.limit(limit).offset(offset)).map((row) => summary(row, attachmentsOf(row)));
    },

    /** One page of the emails that match the filters, with how many match in all. */
    async search(user: User, query: unknown) {
      requireSecretariat(user);
      const { found, limit, offset } = mailQuery(query);
      const [rows, [count]] = await Promise.all([
        found.clone().limit(limit).offset(offset),
        found.clone().clearSelect().clearOrder().count<{ n: string | number }[]>('* as n'),
      ]);
      return { messages: rows.map((row) => summary(row, attachmentsOf(row))), total: Number(count!.n) };
    },

    async get(user: User, mailId: number) {
      requireSecretariat(user);
      const row = await find(mailId);
      if (PRIVATE_KINDS.includes(row.kind)) {
        return { ...summary(row, attachmentsOf(row)), html: `<p>${PRIVATE_BODY}</p>`, text: PRIVATE_BODY };
      }
      return { ...summary(row, attachmentsOf(row)), html: row.html, text: row.text };
    },

    /** The message as it went (or will go) out, in the .eml format mail programs open. */
    async raw(user: User, mailId: number): Promise<Buffer> {
      requireSecretariat(user);
      const row = await find(mailId);
      if (PRIVATE_KINDS.includes(row.kind)) throw new ConflictError(PRIVATE_BODY);
      return new MailComposer(await outbox.compose(row)).compile().build();
    },

    async retry(user: User, mailId: number) {
      requireSecretariat(user);
      const row = await find(mailId);
      if (row.status === 'sent') throw new ConflictError('This message was sent already');
      if (row.status !== 'failed')
        throw new ConflictError('This message is still queued; it will be tried again by itself');
      await db('outbox')
        .where({ id: mailId, status: 'failed' })
        .update({ status: 'queued', available_at: clock.now(), locked_until: null });
      return this.get(user, mailId);
    },
  };
}

export type MailService = ReturnType<typeof createMail>;
