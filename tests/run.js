#!/usr/bin/env node
/**
 * Runs the whole suite on the embedded database and, when TEST_DATABASE_URL is set,
 * again on that PostgreSQL server. Prints "N passed, N failed" from Jest's JSON
 * report and exits non-zero on any failure. Extra arguments go to Jest.
 */
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.join(__dirname, '..');
const jest = path.join(root, 'node_modules', 'jest', 'bin', 'jest.js');
const extra = process.argv.slice(2);
const engines = [{ name: 'embedded database (PGlite)', url: '', paths: [] }];
// The second run is of the suites that use a database: the pure ones (tests/unit) and those that
// start the app on its own embedded database (tests/e2e) would only repeat the first.
if (process.env.TEST_DATABASE_URL) {
  engines.push({
    name: 'PostgreSQL',
    url: process.env.TEST_DATABASE_URL,
    paths: ['tests/integration', 'tests/postgres'],
  });
}

let passed = 0;
let failed = 0;
let broken = false;
for (const engine of engines) {
  const report = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'dhr-qa-jest-')), 'report.json');
  console.log(`\n=== Tests on the ${engine.name} ===`);
  const run = spawnSync(
    process.execPath,
    [
      jest,
      '--config',
      path.join(root, 'tests', 'jest.config.js'),
      '--json',
      '--outputFile',
      report,
      ...(extra.length ? extra : engine.paths),
    ],
    {
      cwd: root,
      stdio: 'inherit',
      env: {
        ...process.env,
        TEST_DATABASE_URL: engine.url,
        NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --experimental-vm-modules`.trim(),
      },
    },
  );
  if (!fs.existsSync(report)) {
    console.log(`Jest produced no report on the ${engine.name}`);
    broken = true;
    continue;
  }
  const result = JSON.parse(fs.readFileSync(report, 'utf8'));
  // A suite that fails to load has no failed tests of its own but is a failure all the same.
  const suiteErrors = result.numRuntimeErrorTestSuites ?? 0;
  passed += result.numPassedTests;
  failed += result.numFailedTests + suiteErrors;
  console.log(
    `On the ${engine.name}: ${result.numPassedTests} tests passed, ${result.numFailedTests} failed, ${suiteErrors} suites could not run`,
  );
  if (run.status !== 0 || result.numTotalTests === 0) broken = true;
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 || broken ? 1 : 0);
