import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { letterPdf } from '../../src/letters/pdf';
import {
  letterPdfOffThread,
  parseForUser,
  PER_USER,
  PER_USER_WAITING,
  pdfForUser,
  QUEUE_LIMIT,
  stopOffThread,
} from '../../src/offThread';
import { parseRecommendations } from '../../src/recommendations/parse';
import { TooManyRequestsError } from '../../src/core/errors';

/**
 * Letters laid out as PDFs and recommendation lists are read on worker threads: the same
 * result as on the event loop, while the event loop goes on answering everyone else; what
 * users ask for is shared out fairly, and never holds up a letter being sent.
 */

afterAll(stopOffThread);

const META = { title: 'DHR-2026-0042 (Mary) QA Panel feedback', date: '2026-11-22' };
const longLetter = `<p>Dear Sam,</p><ol>${Array.from(
  { length: 200 },
  (_, i) => `<li>Area ${i + 1}: the report should set out what each agency knew, when, and what it did about it.</li>`,
).join('')}</ol><p>Yours sincerely,</p>`;
/** One recommendation, then an agency line after another: a list that takes a while to read and is refused. */
const slowList = ['1 Do this', ...Array.from({ length: 8000 }, (_, i) => `word | Name${i}`)].join('\n');

/** How many times the event loop came round while `work` was in progress. */
async function turnsDuring(work: Promise<unknown>): Promise<number> {
  let done = false;
  void work.finally(() => (done = true));
  let turns = 0;
  while (!done) {
    await new Promise((resolve) => setImmediate(resolve));
    turns++;
  }
  return turns;
}

/** What each promise came to: its value, or the error it was refused with. */
const settled = <T>(work: Promise<T>[]) =>
  Promise.all(
    work.map((w) =>
      w.then(
        (value) => ({ value }),
        (error: unknown) => ({ error }),
      ),
    ),
  );

test('a letter is laid out on the worker thread byte for byte as it would be here', async () => {
  const here = await letterPdf(longLetter, META);
  for (const there of [await letterPdfOffThread(longLetter, META), await pdfForUser(1, longLetter, META)]) {
    expect(Buffer.isBuffer(there)).toBe(true);
    expect(there.equals(here)).toBe(true);
  }
});

test('the event loop keeps turning while a letter of 200 areas is laid out, and would not on it', async () => {
  await letterPdfOffThread('<p>warm</p>', META); // the thread started
  expect(await turnsDuring(letterPdfOffThread(longLetter, META))).toBeGreaterThan(20);
  // For contrast, the same work on the event loop: it comes round only as the output is written.
  expect(await turnsDuring(letterPdf(longLetter, META))).toBeLessThan(20);
});

test('a recommendations list is read on the worker thread as it would be here', async () => {
  const content = [
    '1 Agencies should share what they know. Kent Police',
    '2 Train GPs on coercive control. NHS Kent',
  ].join('\n');
  expect(await parseForUser(1, 'text', content)).toEqual(parseRecommendations('text', content));
  const csv = 'number,recommendation,agency\n1,"Share, and record it",Kent Police\n';
  expect(await parseForUser(1, 'csv', csv)).toEqual(parseRecommendations('csv', csv));
});

test('one user has two lists read at a time, eight more wait their turn, and the next is refused with 429', async () => {
  const answers = await settled(
    Array.from({ length: PER_USER + PER_USER_WAITING + 1 }, () => parseForUser(7, 'text', slowList)),
  );
  const refused = answers.filter((a) => 'error' in a) as { error: Error }[];
  expect(refused).toHaveLength(1);
  expect(refused[0]!.error).toBeInstanceOf(TooManyRequestsError);
  expect(refused[0]!.error.message).toBe(
    'You have ten documents being prepared or lists being read already. Try again when they have finished.',
  );
  // All done, so the user may again.
  expect((await parseForUser(7, 'text', '1 Do it. Kent Police')).rows).toHaveLength(1);
});

test('when many users send lists at once the queue is bounded, and a letter being sent does not wait behind it', async () => {
  const users = Array.from({ length: QUEUE_LIMIT + 8 }, (_, i) => 100 + i);
  let lastListAt = 0;
  const lists = settled(users.map((u) => parseForUser(u, 'text', slowList).finally(() => (lastListAt = Date.now()))));
  let letterAt = 0;
  await letterPdfOffThread(longLetter, META).then(() => (letterAt = Date.now()));
  const answers = await lists;
  const busy = answers.filter((a) => 'error' in a);
  expect(busy.length).toBeGreaterThan(0);
  for (const a of busy) {
    expect((a as { error: Error }).error.message).toBe(
      'The service is busy preparing documents just now. Try again in a minute.',
    );
  }
  expect(answers.length - busy.length).toBeGreaterThanOrEqual(QUEUE_LIMIT);
  expect(letterAt).toBeLessThan(lastListAt);
}, 60_000);

test('many tasks at once share one pool, adding nothing to it per task', () => {
  // In a process of its own, where Node's warnings (a listener added per task, say) reach stderr.
  const root = path.join(__dirname, '..', '..');
  const script = `
    const { letterPdfOffThread, stopOffThread } = require('./src/offThread');
    Promise.all(Array.from({ length: 30 }, (_, i) => letterPdfOffThread('<p>' + i + '</p>', { title: 'T', date: '2026-11-22' })))
      .then(async (pdfs) => { console.log(pdfs.filter((p) => p.subarray(0, 5).toString() === '%PDF-').length); await stopOffThread(); });
  `;
  const run = spawnSync(path.join(root, 'node_modules', '.bin', 'tsx'), ['-e', script], {
    cwd: root,
    env: { ...process.env, NODE_OPTIONS: '' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  expect(run.stdout.trim()).toBe('30');
  expect(run.stderr).toBe('');
});
