/**
 * Work whose time grows with what a user sends (a letter of hundreds of areas laid out as a
 * PDF, a 1 MB recommendations list) runs on a worker thread, so that it never holds up the
 * requests of everyone else on the event loop. One pool for the process, started when first
 * needed; an idle thread ends after a minute and does not keep the process alive.
 */
import os from 'node:os';
import path from 'node:path';
import Piscina from 'piscina';
import type { ParseResult } from '../recommendations/parse';

let pool: Piscina | null = null;

function workers(): Piscina {
  if (pool) return pool;
  pool = new Piscina({
    filename: path.join(__dirname, 'worker.js'),
    minThreads: 0,
    // The event loop keeps a core; on a two-core machine one thread does the heavy work.
    maxThreads: Math.max(1, os.availableParallelism() - 1),
    idleTimeout: 60_000,
    resourceLimits: { maxOldGenerationSizeMb: 512 },
  });
  // A thread that fails (out of memory, say) fails its task, which answers for itself; unheard,
  // the pool's 'error' would end the process.
  pool.on('error', (err: Error) => console.error(`Worker thread stopped: ${err.name}`));
  return pool;
}

/** A rendered letter or report laid out as an A4 PDF (see letters/pdf.ts). */
export async function pdfOffThread(html: string, meta: { title: string; date: string }): Promise<Buffer> {
  const bytes: Uint8Array = await workers().run({ html, meta }, { name: 'pdf' });
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** A pasted or uploaded recommendations list, read (see recommendations/parse.ts). */
export function parseOffThread(format: 'text' | 'csv', content: string): Promise<ParseResult> {
  return workers().run({ format, content }, { name: 'recommendations' });
}

/** Ends the threads at once (a process that is shutting down, or a test that is done). */
export async function stopOffThread(): Promise<void> {
  const stopping = pool;
  pool = null;
  await stopping?.destroy();
}
