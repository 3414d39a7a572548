import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { audit, launch, type Violation } from '../helpers/browser';
import { createTestDb } from '../helpers/db';
import { startServer, type RunningServer } from '../helpers/processes';

/**
 * The service in a real browser, as its users meet it: Debian's chromium against
 * the app started as `npm start` starts it, with demo data. Every page visited is
 * checked with axe-core against WCAG 2.2 AA and photographed into test-results/.
 */
jest.setTimeout(180_000);

const PASSWORD = 'browser demo password';
let server: RunningServer;
let browser: Browser;
let dataDir: string;
let database: Awaited<ReturnType<typeof createTestDb>> | undefined;
const violations: Violation[] = [];

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dhr-qa-browser-'));
  const env: NodeJS.ProcessEnv = { DATA_DIR: dataDir, DEMO_PASSWORD: PASSWORD, WORKER_INTERVAL_SECONDS: '1' };
  if (process.env.TEST_DATABASE_URL) {
    database = await createTestDb();
    await database.db.migrate.rollback(
      { directory: path.join(__dirname, '..', '..', 'migrations'), loadExtensions: ['.ts'] },
      true,
    );
    env.DATABASE_URL = database.url;
  }
  server = await startServer(env);
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await database?.destroy();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function signIn(email: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${server.url}/sign-in`);
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForLoadState();
  return page;
}

/** Visits and audits; the page's name is also its screenshot's. */
async function check(page: Page, name: string) {
  violations.push(...(await audit(page, name)));
}

describe('signing in', () => {
  it('shows the GOV.UK sign-in page, refuses a wrong password with an error summary, and signs in', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${server.url}/`);
    expect(page.url()).toMatch(/\/sign-in\?next=%2F$/);
    await check(page, 'sign-in');
    await page.getByLabel('Email address').fill('secretariat@dhr-qa.example');
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    expect(await page.locator('.govuk-error-summary').innerText()).toContain(
      'Enter a correct email address and password',
    );
    expect(await page.getByLabel('Email address').inputValue()).toBe('secretariat@dhr-qa.example');
    await check(page, 'sign-in-error');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForLoadState();
    expect(new URL(page.url()).pathname).toBe('/dashboard');
    await context.close();
  });
});

describe('the review page', () => {
  it('shows a review with its documents, letters and history', async () => {
    const page = await signIn('secretariat@dhr-qa.example');
    await page.goto(`${server.url}/reviews/1`);
    await check(page, 'review-submitted');
    expect(await page.locator('h1').innerText()).toContain('(Mary)');
    await page.goto(`${server.url}/letters/1`);
    await check(page, 'letter-acknowledgement');
    await page.goto(`${server.url}/no-such-page`);
    await check(page, 'not-found');
    await page.context().close();
  });
});

describe('accessibility', () => {
  it('finds no WCAG 2.2 AA violations on any page visited', () => {
    expect(violations).toEqual([]);
  });
});
