import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { letterPdf } from '../../src/letters/pdf';
import { parseOffThread, pdfOffThread, stopOffThread } from '../../src/offThread';
import { parseRecommendations } from '../../src/recommendations/parse';

/**
 * Letters laid out as PDFs and recommendation lists are read on a worker thread: the same
 * result as on the event loop, while the event loop goes on answering everyone else.
 */

afterAll(stopOffThread);

const META = { title: 'DHR-2026-0042 (Mary) QA Panel feedback', date: '2026-11-22' };
const longLetter = `<p>Dear Sam,</p><ol>${Array.from(
  { length: 200 },
  (_, i) => `<li>Area ${i + 1}: the report should set out what each agency knew, when, and what it did about it.</li>`,
).join('')}</ol><p>Yours sincerely,</p>`;

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

test('a letter is laid out on the worker thread byte for byte as it would be here', async () => {
  const [there, here] = [await pdfOffThread(longLetter, META), await letterPdf(longLetter, META)];
  expect(Buffer.isBuffer(there)).toBe(true);
  expect(there.subarray(0, 5).toString()).toBe('%PDF-');
  expect(there.equals(here)).toBe(true);
});

test('the event loop keeps turning while a letter of 200 areas is laid out, and would not on it', async () => {
  await pdfOffThread('<p>warm</p>', META); // the thread started
  expect(await turnsDuring(pdfOffThread(longLetter, META))).toBeGreaterThan(20);
  // For contrast, the same work on the event loop: it comes round only as the output is written.
  expect(await turnsDuring(letterPdf(longLetter, META))).toBeLessThan(20);
});

test('a recommendations list is read on the worker thread as it would be here', async () => {
  const content = [
    '1 Agencies should share what they know. Kent Police',
    '2 Train GPs on coercive control. NHS Kent',
  ].join('\n');
  expect(await parseOffThread('text', content)).toEqual(parseRecommendations('text', content));
  const csv = 'number,recommendation,agency\n1,"Share, and record it",Kent Police\n';
  expect(await parseOffThread('csv', csv)).toEqual(parseRecommendations('csv', csv));
});

test('many tasks at once share one pool, adding nothing to it per task', () => {
  // In a process of its own, where Node's warnings (a listener added per task, say) reach stderr.
  const root = path.join(__dirname, '..', '..');
  const script = `
    const { parseOffThread, stopOffThread } = require('./src/offThread');
    Promise.all(Array.from({ length: 30 }, (_, i) => parseOffThread('text', (i + 1) + ' Do it. Kent Police')))
      .then(async (lists) => { console.log(lists.map((l) => l.rows[0].number).join(',')); await stopOffThread(); });
  `;
  const run = spawnSync(path.join(root, 'node_modules', '.bin', 'tsx'), ['-e', script], {
    cwd: root,
    env: { ...process.env, NODE_OPTIONS: '' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  expect(run.stdout.trim()).toBe(Array.from({ length: 30 }, (_, i) => i + 1).join(','));
  expect(run.stderr).toBe('');
});
