/**
 * Work whose time grows with what a user sends (a letter of hundreds of areas laid out as a
 * PDF, a 1 MB recommendations list) runs on worker threads, so that it never holds up the
 * requests of everyone else on the event loop.
 *
 * Two lanes, each one thread, started when first needed (an idle thread ends after a minute
 * and does not keep the process alive):
 * - letters: the PDF of a letter being sent. That happens inside the event's transaction, so
 *   it must never wait behind work that users ask for;
 * - requests: imports and PDFs that users ask for. Each user has two in the lane at a time,
 *   with up to eight more waiting their turn, and the lane's queue is bounded: beyond either
 *   the answer is 429. So no one user can keep the others waiting.
 */
import path from 'node:path';
import Piscina from 'piscina';
import type { ParseResult } from '../recommendations/parse';
import { TooManyRequestsError } from '../core/errors';
import { errorKind, log } from '../core/log';

/** Work one user may have on the thread or in its queue at once. */
export const PER_USER = 2;
/** A user's further work that waits its turn (a double click, five tabs) before the answer is 429. */
export const PER_USER_WAITING = 8;
/** Work waiting for the thread, everyone's together. */
export const QUEUE_LIMIT = 16;

type Lane = 'letters' | 'requests';
const pools = new Map<Lane, Piscina>();
function pool(lane: Lane): Piscina {
  const existing = pools.get(lane);
  if (existing) return existing;
  const created = new Piscina({
    filename: path.join(__dirname, 'worker.js'),
    minThreads: 0,
    maxThreads: 1,
    idleTimeout: 60_000,
    resourceLimits: { maxOldGenerationSizeMb: 512 },
  });
  // A thread that fails (out of memory, say) fails its task, which answers for itself; unheard,
  // the pool's 'error' would end the process.
  created.on('error', (err: Error) => log.error({ lane, err: errorKind(err) }, 'worker thread stopped'));
  pools.set(lane, created);
  return created;
}

/** Each user's work in the lane, and the work of theirs waiting to go in. */
const shares = new Map<number, { running: number; waiting: (() => void)[] }>();

/** Waits for the user's turn in the requests' lane; the answer is what to call when their work is done. */
async function turnOf(userId: number): Promise<() => void> {
  let share = shares.get(userId);
  if (!share) shares.set(userId, (share = { running: 0, waiting: [] }));
  const mine = share;
  const release = () => {
    // The turn passes straight to the user's next piece of work, if any is waiting.
    const next = mine.waiting.shift();
    if (next) return next();
    mine.running--;
    if (mine.running === 0) shares.delete(userId);
  };
  if (mine.running < PER_USER) {
    mine.running++;
    return release;
  }
  if (mine.waiting.length >= PER_USER_WAITING) {
    throw new TooManyRequestsError(
      'You have ten documents being prepared or lists being read already. Try again when they have finished.',
      10,
    );
  }
  await new Promise<void>((resolve) => mine.waiting.push(resolve));
  return release;
}

/** Runs a task a user asked for, in their turn and within the queue's bound. */
async function forUser<T>(userId: number, name: 'pdf' | 'recommendations', input: object): Promise<T> {
  // Held until the work ends, not until the request does: a client that hangs up cannot queue more.
  const release = await turnOf(userId);
  try {
    const lane = pool('requests');
    if (lane.queueSize >= QUEUE_LIMIT) {
      throw new TooManyRequestsError('The service is busy preparing documents just now. Try again in a minute.', 30);
    }
    return await lane.run(input, { name });
  } finally {
    release();
  }
}

const asBuffer = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/** The PDF of a letter being sent (see letters/pdf.ts), in the letters' own lane. */
export async function letterPdfOffThread(html: string, meta: { title: string; date: string }): Promise<Buffer> {
  return asBuffer(await pool('letters').run({ html, meta }, { name: 'pdf' }));
}

/** A PDF a user asked for (a draft letter, a report), in the requests' lane. */
export async function pdfForUser(userId: number, html: string, meta: { title: string; date: string }): Promise<Buffer> {
  return asBuffer(await forUser<Uint8Array>(userId, 'pdf', { html, meta }));
}

/** A pasted or uploaded recommendations list a user sent, read (see recommendations/parse.ts). */
export function parseForUser(userId: number, format: 'text' | 'csv', content: string): Promise<ParseResult> {
  return forUser(userId, 'recommendations', { format, content });
}

/**
 * Starts both threads now, so that they load their modules (fonts, PDF layout) on another core
 * while this process starts, rather than when the first letter is sent. They end after a minute
 * unused, as before.
 */
export function warmOffThread(): void {
  for (const lane of ['letters', 'requests'] as const) {
    pool(lane)
      .run({}, { name: 'warm' })
      .catch((err: unknown) => log.error({ lane, err: errorKind(err) }, 'worker thread did not start'));
  }
}

/** Ends the threads at once (a test that is done, or the benchmark). */
export async function stopOffThread(): Promise<void> {
  const stopping = [...pools.values()];
  pools.clear();
  await Promise.all(stopping.map((p) => p.destroy()));
}
