import type { Knex } from 'knex';
import type { Db } from '../db/connect';
import type { Clock } from '../core/clock';
import { MAX_ERROR_LENGTH, type Outbox, type OutboxRow } from './outbox';
import type { Transport } from './transport';

export interface WorkerOptions {
  /** Give up (and show the failure to the secretariat) after this many attempts. */
  maxAttempts: number;
  /** Wait before the second attempt; each later wait doubles, up to maxDelayMs. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** How long a claimed message is reserved for one worker; after that another may try it. */
  leaseMs: number;
  batchSize: number;
  /** Called, in the transaction that gives a message up, to tell someone it was not delivered. */
  onFailed?: (trx: Knex.Transaction, row: OutboxRow) => Promise<void>;
}

export const DEFAULT_WORKER_OPTIONS: WorkerOptions = {
  maxAttempts: 8,
  baseDelayMs: 30_000,
  maxDelayMs: 3_600_000,
  leaseMs: 5 * 60_000,
  batchSize: 20,
};

/** Text of an error safe to keep: no stack, bounded, on one line. */
function describe(err: unknown): string {
  const e = err as { code?: string; responseCode?: number; message?: string };
  const text = [e.code, e.responseCode, e.message].filter(Boolean).join(' ');
  return (text || 'unknown error').replace(/\s+/g, ' ').slice(0, MAX_ERROR_LENGTH);
}

/**
 * Sends what the outbox holds. A message is claimed (status "sending" with a
 * lease) in a short transaction that skips rows other workers hold, sent outside
 * any transaction, then marked sent or rescheduled. A worker that dies mid-send
 * leaves its lease to expire, and the message is tried again.
 */
export function createMailWorker(db: Db, clock: Clock, outbox: Outbox, transport: Transport, options: WorkerOptions) {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;

  async function claim(): Promise<OutboxRow[]> {
    const now = clock.now();
    const { rows } = await db.raw(
      `UPDATE outbox SET status = 'sending', attempts = attempts + 1, locked_until = ?
       WHERE id IN (
         SELECT id FROM outbox
         WHERE ((status = 'queued' AND available_at <= ?) OR (status = 'sending' AND locked_until < ?))
         ORDER BY id
         LIMIT ?
         FOR UPDATE SKIP LOCKED)
       RETURNING *`,
      [new Date(now.getTime() + options.leaseMs), now, now, options.batchSize],
    );
    // UPDATE ... RETURNING gives the rows in the order it found them on disk, not the subquery's:
    // sorted again, the oldest message goes first (a submission's acknowledgement before its letter).
    return (rows as OutboxRow[]).sort((a, b) => a.id - b.id);
  }

  async function deliver(row: OutboxRow): Promise<'sent' | 'retry' | 'failed'> {
    try {
      await transport.send({ ...(await outbox.compose(row)), outboxId: row.id });
    } catch (err) {
      const failed = row.attempts >= options.maxAttempts;
      const delay = Math.min(options.baseDelayMs * 2 ** (row.attempts - 1), options.maxDelayMs);
      const lastError = describe(err);
      await db.transaction(async (trx) => {
        const updated = await trx('outbox')
          .where({ id: row.id, status: 'sending' })
          .update({
            status: failed ? 'failed' : 'queued',
            last_error: lastError,
            available_at: new Date(clock.now().getTime() + delay),
            locked_until: null,
          });
        if (failed && updated > 0) await options.onFailed?.(trx, { ...row, last_error: lastError });
      });
      return failed ? 'failed' : 'retry';
    }
    await db('outbox')
      .where({ id: row.id, status: 'sending' })
      .update({ status: 'sent', sent_at: clock.now(), last_error: null, locked_until: null });
    return 'sent';
  }

  const worker = {
    /** One pass: sends every message due now. Returns how each went. */
    async runOnce(): Promise<{ sent: number; retry: number; failed: number }> {
      const tally = { sent: 0, retry: 0, failed: 0 };
      for (;;) {
        const batch = await claim();
        if (batch.length === 0) return tally;
        for (const row of batch) tally[await deliver(row)]++;
      }
    },

    start(intervalMs: number, onError: (err: unknown) => void): void {
      const tick = async () => {
        running = worker.runOnce().catch(onError);
        await running;
        if (timer) timer = setTimeout(tick, intervalMs);
      };
      timer = setTimeout(tick, 0);
    },

    async stop(): Promise<void> {
      clearTimeout(timer);
      timer = undefined;
      await running;
    },
  };
  return worker;
}

export type MailWorker = ReturnType<typeof createMailWorker>;
