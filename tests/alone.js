#!/usr/bin/env node
/**
 * Runs each test of the given files on its own (jest -t "^its full name$"), as someone
 * debugging one test would, and says which fail there though they pass with their file.
 *
 *   npm run test:alone -- tests/integration/journey.test.ts [more files]
 *
 * Tables are sampled: of a describe with more than 20 tests (test.each), or of more than 20
 * describes side by side (describe.each), the first, middle and last run alone. Prints "N passed alone, N failed alone"
 * and exits non-zero when any failed.
 */
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.join(__dirname, '..');
const jest = path.join(root, 'node_modules', 'jest', 'bin', 'jest.js');
const files = process.argv.slice(2);
if (files.length === 0) {
  console.error(
    'Name the test files to run test by test, e.g. npm run test:alone -- tests/integration/journey.test.ts',
  );
  process.exit(2);
}
const PARALLEL = Number(process.env.ALONE_PARALLEL || 2);
const TABLE = 20;

const escapeRegExp = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Runs Jest on one file (with a name pattern, or all of it) and returns its JSON report. */
function runJest(file, pattern) {
  const report = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'dhr-qa-alone-')), 'report.json');
  const args = [jest, '--config', path.join(root, 'tests', 'jest.config.js'), '--json', '--outputFile', report];
  // --forceExit: a whole run ends its worker processes when the tests are done, but a file run in
  // band waits for every timer, and an embedded database's own (PGlite's WebAssembly timers) can
  // outlive it; the question here is whether the test passes, not whether the process lingers.
  args.push('--runInBand', '--forceExit', ...(pattern ? ['-t', pattern] : []), file);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, {
      cwd: root,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --experimental-vm-modules`.trim() },
    });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.on('exit', () => {
      const result = fs.existsSync(report) ? JSON.parse(fs.readFileSync(report, 'utf8')) : null;
      fs.rmSync(path.dirname(report), { recursive: true, force: true });
      resolve({ result, err });
    });
  });
}

const sample = (list) => (list.length > TABLE ? [list[0], list[Math.floor(list.length / 2)], list.at(-1)] : list);

/**
 * The tests to run alone: all of them, but only a sample of each long table. A table is a block
 * of more than 20 tests (test.each), or more than 20 blocks side by side (describe.each, such as
 * the authorisation matrix's block per route), of which the first, middle and last are run.
 */
function chosen(assertions) {
  const byBlock = new Map();
  for (const a of assertions) {
    const block = JSON.stringify(a.ancestorTitles);
    byBlock.set(block, [...(byBlock.get(block) ?? []), a]);
  }
  const byParent = new Map();
  for (const [block, tests] of byBlock) {
    const parent = JSON.stringify(JSON.parse(block).slice(0, -1));
    byParent.set(parent, [...(byParent.get(parent) ?? []), tests]);
  }
  return [...byParent.values()].flatMap((blocks) => sample(blocks).flatMap(sample));
}

async function main() {
  const jobs = [];
  for (const file of files) {
    const { result } = await runJest(file);
    const assertions = result?.testResults[0]?.assertionResults ?? [];
    const failing = assertions.filter((a) => a.status !== 'passed');
    if (!result || failing.length > 0) {
      console.log(`${file}: does not pass as a whole (${failing.length} failing); fix that first`);
      process.exitCode = 1;
      continue;
    }
    const picked = chosen(assertions);
    console.log(`${file}: ${assertions.length} tests, ${picked.length} to run alone`);
    for (const a of picked) jobs.push({ file, name: a.fullName });
  }
  let passed = 0;
  const failed = [];
  let next = 0;
  async function worker() {
    while (next < jobs.length) {
      const job = jobs[next++];
      const { result } = await runJest(job.file, `^${escapeRegExp(job.name)}$`);
      const ran = result?.numPassedTests ?? 0;
      if (result && ran === 1 && result.numFailedTests === 0 && result.numRuntimeErrorTestSuites === 0) passed++;
      else {
        failed.push(job);
        const message = result?.testResults[0]?.assertionResults.find((a) => a.status === 'failed')?.failureMessages[0];
        console.log(`FAILED alone: ${job.file} › ${job.name}\n  ${(message ?? 'did not run').split('\n')[0]}`);
      }
    }
  }
  await Promise.all(Array.from({ length: PARALLEL }, worker));
  console.log(`${passed} passed alone, ${failed.length} failed alone`);
  if (failed.length > 0) process.exitCode = 1;
}

main();
