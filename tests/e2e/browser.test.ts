import fs from 'node:fs';
import path from 'node:path';
import { generateSync } from 'otplib';
import { simpleParser } from 'mailparser';
import type { Browser, Locator, Page } from 'playwright-core';
import { samplePdf } from '../../src/demo/samplePdf';
import { audit, launch, type Violation } from '../helpers/browser';
import {
  KENT_CONTACT,
  KENT_SETTINGS,
  KENT_TEMPLATE,
  kentCommendations,
  kentPastedAreas,
  kentSeedText,
  normalise,
} from '../helpers/kentHouse';
import { freshAppData, startServer, type RunningServer } from '../helpers/processes';
import { story } from '../helpers/story';

/**
 * The service in a real browser, as its users meet it: Debian's chromium against
 * the app started as `npm start` starts it, with demo data. Every page visited is
 * checked with axe-core against WCAG 2.2 AA and photographed into test-results/.
 */
jest.setTimeout(180_000);

const PASSWORD = 'browser demo password';
const HARLOW = fs.readFileSync(
  path.join(__dirname, '..', '..', 'src', 'demo', 'recommendations', 'harlow-dhr-2023-recommendations.txt'),
  'utf8',
);
let server: RunningServer;
let browser: Browser;
let dataDir: string;
const violations: Violation[] = [];

beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

/**
 * Starts the app as `npm start` starts it, on new data with the demo reviews, as the app the
 * tests that follow use (`server`, and its mail in `dataDir`). Returns how to stop it.
 */
async function startApp(): Promise<() => Promise<void>> {
  const data = await freshAppData('dhr-qa-browser-');
  const running = await startServer({ ...data.env, DEMO_PASSWORD: PASSWORD, WORKER_INTERVAL_SECONDS: '1' });
  [server, dataDir] = [running, data.dataDir];
  return async () => {
    await running.stop();
    await data.remove();
  };
}

/** The tests of this block meet the demo data as a new user would, whatever other blocks changed. */
function appOfItsOwn() {
  let stop: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    stop = await startApp();
  });
  afterAll(async () => stop?.());
}

/**
 * A story in the browser, one step per test, on an app of its own (see tests/helpers/story.ts):
 * `begin` opens the pages the story uses and `end` closes them. A step told out of order replays
 * the steps before it, each a minute or so in a browser, hence its long timeout.
 */
function storyOnItsOwnApp(begin: () => Promise<void> = async () => {}, end: () => Promise<void> = async () => {}) {
  const told = story(
    async () => {
      const stop = await startApp();
      await begin();
      return stop;
    },
    async (stop) => {
      await end();
      await stop();
    },
  );
  return (title: string, body: () => Promise<void>) => told.step(title, body, 900_000);
}

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

/** Whether the element has the keyboard's focus (an error summary's link moves it to its field). */
const hasFocus = (element: Locator) => element.evaluate((e) => e === e.ownerDocument.activeElement);

/** Visits and audits; the page's name is also its screenshot's. */
async function check(page: Page, name: string) {
  violations.push(...(await audit(page, name)));
}
// Each test answers for the pages it visited: no WCAG 2.2 AA violation, and none scrolls sideways at
// 320 px. All of them are listed, not only the first, so one run shows everything to mend.
afterEach(() => {
  expect(violations.splice(0)).toEqual([]);
});

describe('signing in', () => {
  appOfItsOwn();
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

describe('the timeout warning', () => {
  appOfItsOwn();
  it('warns five minutes before the session ends, stays signed in on request, and says when it has ended', async () => {
    const page = await signIn('csp.kent@dhr-qa.example');
    await page.clock.install();
    await page.goto(`${server.url}/my-reviews`);
    const dialog = page.getByRole('dialog', { name: 'You’re about to be signed out' });
    expect(await dialog.isVisible()).toBe(false);
    await page.clock.fastForward('01:56:00');
    await dialog.waitFor({ state: 'visible' });
    expect(await dialog.innerText()).toContain('we will sign you out in 4 minutes');
    await check(page, 'timeout-warning');
    await page.getByRole('button', { name: 'Stay signed in' }).click();
    await dialog.waitFor({ state: 'hidden' });
    // Escape, too, means "stay signed in".
    await page.clock.fastForward('01:56:00');
    await dialog.waitFor({ state: 'visible' });
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    await page.clock.fastForward('02:00:10');
    await dialog.waitFor({ state: 'visible' });
    expect(await dialog.innerText()).toContain('You have been signed out. If you send a form now');
    expect(await page.getByRole('button', { name: 'Stay signed in' }).isVisible()).toBe(false);
    await page.context().close();
  });
});

/** On a narrow screen the service navigation folds behind its Menu button. */
async function openMenu(page: Page) {
  const menu = page.getByRole('button', { name: 'Menu' });
  if (await menu.isVisible()) await menu.click();
}

describe('two-factor sign-in', () => {
  const step = storyOnItsOwnApp();
  step(
    'an agency user turns it on from Your account on a phone-sized screen, then signs in with a recovery code',
    async () => {
      const page = await signIn('agency.met@dhr-qa.example');
      await page.setViewportSize({ width: 320, height: 800 });
      await openMenu(page);
      await page.getByRole('link', { name: 'Your account' }).click();
      await check(page, 'account');
      await page.getByRole('button', { name: 'Set up two-factor sign-in' }).click();
      await check(page, 'two-factor-set-up');
      const secret = (await page.locator('main strong.app-wrap').innerText()).replace(/\s/g, '');
      await page.getByLabel('Code from the app').fill('12345');
      await page.getByRole('button', { name: 'Turn on two-factor sign-in' }).click();
      await page.locator('.govuk-error-summary a[href="#code"]').click();
      await expect(hasFocus(page.getByLabel('Code from the app'))).resolves.toBe(true);
      await page.getByLabel('Code from the app').fill(generateSync({ secret, epoch: Math.floor(Date.now() / 1000) }));
      await page.getByRole('button', { name: 'Turn on two-factor sign-in' }).click();
      await check(page, 'recovery-codes');
      const codes = await page.locator('main code').allInnerTexts();
      expect(codes).toHaveLength(10);
      await page.getByRole('button', { name: 'Continue' }).click();
      // On to the next page before the menu is opened: opened on the page being left, it would fold again.
      await page.waitForURL((url) => !url.pathname.includes('two-factor'));
      await openMenu(page);
      await page.getByRole('button', { name: 'Sign out' }).click();

      await page.getByLabel('Email address').fill('agency.met@dhr-qa.example');
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await check(page, 'sign-in-code');
      await page.getByLabel('Code').fill(codes[0]!);
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.waitForLoadState();
      expect(new URL(page.url()).pathname).toBe('/recommendations');
      await openMenu(page);
      await page.getByRole('link', { name: 'Your account' }).click();
      expect(await page.locator('main').innerText()).toContain('9 recovery codes left');
      await page.context().close();
    },
  );

  step(
    "clears an agency user's two-factor sign-in after a lost phone: they are signed out and sign in with their password alone",
    async () => {
      const agency = await signIn('agency.met@dhr-qa.example');
      // Two-factor sign-in is on for this account (the step before): a code is owed before anything else.
      expect(new URL(agency.url()).pathname).toBe('/sign-in/code');
      const secretariat = await signIn('secretariat@dhr-qa.example');
      await userPage(secretariat, 'MPS DHR lead');
      const details = secretariat.locator('.govuk-summary-list');
      expect(await details.innerText()).toMatch(/Two-factor sign-in\s+On/);
      await secretariat.getByRole('button', { name: 'Clear two-factor sign-in' }).click();
      expect(await secretariat.locator('.govuk-notification-banner').innerText()).toContain(
        "MPS DHR lead's two-factor sign-in is cleared",
      );
      expect(await details.innerText()).toMatch(/Two-factor sign-in\s+Not set up/);
      expect(await secretariat.locator('main').innerText()).toContain('Cleared two-factor sign-in, by Alex Reid');

      await agency.goto(`${server.url}/sign-in`);
      await agency.getByLabel('Email address').fill('agency.met@dhr-qa.example');
      await agency.getByLabel('Password').fill(PASSWORD);
      await agency.getByRole('button', { name: 'Sign in' }).click();
      await agency.waitForLoadState();
      expect(new URL(agency.url()).pathname).toBe('/recommendations');
      await agency.context().close();
      await secretariat.context().close();
    },
  );
});

/** The text of the newest email to `to` that holds `marker`, once the mail worker has written it (to DATA_DIR/mail). */
async function newestMail(to: string, marker: string): Promise<string> {
  const dir = path.join(dataDir, 'mail');
  for (let tries = 0; tries < 60; tries++) {
    const files = fs.existsSync(dir)
      ? fs
          .readdirSync(dir)
          .filter((f) => f.endsWith('.eml'))
          .sort()
          .reverse()
      : [];
    for (const file of files) {
      const mail = await simpleParser(fs.readFileSync(path.join(dir, file)));
      const text = mail.text ?? '';
      if (JSON.stringify(mail.to).includes(to) && text.includes(marker)) return text;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`No email to ${to} holding ${marker}`);
}

async function userPage(page: Page, name: string) {
  await page.goto(`${server.url}/admin/users`);
  await page.getByRole('link', { name, exact: true }).click();
  await page.waitForLoadState();
}

describe('account administration', () => {
  appOfItsOwn();
  it('the secretariat disables an account, ending its session at once, and enables it again', async () => {
    const panel = await signIn('panel@dhr-qa.example');
    expect(new URL(panel.url()).pathname).not.toBe('/sign-in');
    const secretariat = await signIn('secretariat@dhr-qa.example');
    await userPage(secretariat, 'Dr Helen Marsh');
    expect(await secretariat.locator('main').innerText()).toContain('1 browser');
    await check(secretariat, 'admin-user');
    await secretariat.getByRole('button', { name: 'Disable the account' }).click();
    expect(await secretariat.locator('.govuk-notification-banner').innerText()).toContain(
      "Dr Helen Marsh's account is disabled: they are signed out and their API tokens stopped",
    );
    expect(await secretariat.locator('h1').innerText()).toContain('Disabled');
    await check(secretariat, 'admin-user-disabled');

    // The panel member's open page: the next step they take finds them signed out, and signing in is refused.
    await panel.reload();
    expect(new URL(panel.url()).pathname).toBe('/sign-in');
    await panel.getByLabel('Email address').fill('panel@dhr-qa.example');
    await panel.getByLabel('Password').fill(PASSWORD);
    await panel.getByRole('button', { name: 'Sign in' }).click();
    expect(await panel.locator('.govuk-error-summary').innerText()).toContain(
      'Enter a correct email address and password',
    );

    await secretariat.getByRole('button', { name: 'Enable the account' }).click();
    expect(await secretariat.locator('.govuk-notification-banner').innerText()).toContain(
      'Dr Helen Marsh can sign in again',
    );
    await panel.getByLabel('Password').fill(PASSWORD);
    await panel.getByRole('button', { name: 'Sign in' }).click();
    await panel.waitForLoadState();
    expect(new URL(panel.url()).pathname).not.toBe('/sign-in');
    expect(await secretariat.locator('main').innerText()).toMatch(
      /Disabled, by Alex Reid[\s\S]*Enabled again, by Alex Reid|Enabled again, by Alex Reid[\s\S]*Disabled, by Alex Reid/,
    );
    await panel.context().close();
    await secretariat.context().close();
  });
});

describe('a new password by email', () => {
  appOfItsOwn();
  it('the secretariat sends a link to set a new password, which the user opens from the email on a phone and which works once', async () => {
    const secretariat = await signIn('secretariat@dhr-qa.example');
    await userPage(secretariat, 'Dr Helen Marsh');
    await secretariat.getByRole('button', { name: 'Send the link' }).click();
    expect(await secretariat.locator('.govuk-notification-banner').innerText()).toContain(
      'Dr Helen Marsh has been sent a link to set a new password',
    );
    const mail = await newestMail('panel@dhr-qa.example', '/reset-password?token=');
    const link = new URL(/https?:\/\/\S+\/reset-password\?token=[\w-]+/.exec(mail)![0]);

    const context = await browser.newContext({ viewport: { width: 320, height: 800 } });
    const page = await context.newPage();
    await page.goto(`${server.url}${link.pathname}${link.search}`);
    await check(page, 'reset-password');
    await page.getByLabel('New password', { exact: true }).fill('a new panel password');
    await page.getByLabel('The new password again').fill('a new panel passwrod');
    await page.getByRole('button', { name: 'Set the password' }).click();
    await page.locator('.govuk-error-summary a[href="#confirm"]').click();
    await expect(hasFocus(page.getByLabel('The new password again'))).resolves.toBe(true);
    await check(page, 'reset-password-error');
    await page.getByLabel('New password', { exact: true }).fill('a new panel password');
    await page.getByLabel('The new password again').fill('a new panel password');
    await page.getByRole('button', { name: 'Set the password' }).click();
    await page.waitForLoadState();
    expect(await page.locator('.govuk-notification-banner').innerText()).toContain(
      'Your new password is set. Sign in with it.',
    );
    await page.getByLabel('Email address').fill('panel@dhr-qa.example');
    await page.getByLabel('Password').fill('a new panel password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForLoadState();
    expect(new URL(page.url()).pathname).not.toBe('/sign-in');

    // The link worked once.
    const again = await page.goto(`${server.url}${link.pathname}${link.search}`);
    expect(again?.status()).toBe(410);
    expect(await page.locator('h1').innerText()).toBe('This link does not work');
    await context.close();
    await secretariat.context().close();
  });
});

const PASTED = `Areas of final development include:
1. Remove the date of death from the report to protect anonymity.
2. Structure:
   a. Add an Equality and Diversity section on the protected characteristics.
   b. Follow the model layout of the statutory guidance.
3. Say what involvement the family had in the review.`;

const tagOf = async (page: Page) => (await page.locator('h1 .govuk-tag').innerText()).trim();

describe('a review from the panel to publication, through the pages alone', () => {
  let secretariat: Page;
  let csp: Page;

  const step = storyOnItsOwnApp(
    async () => {
      secretariat = await signIn('secretariat@dhr-qa.example');
      csp = await signIn('csp.kent@dhr-qa.example');
    },
    async () => {
      await secretariat.context().close();
      await csp.context().close();
    },
  );

  step('the secretariat schedules the submitted review for a panel meeting', async () => {
    await check(secretariat, 'dashboard');
    await secretariat.getByRole('link', { name: 'Reviews', exact: true }).click();
    await check(secretariat, 'reviews-list');
    await secretariat.getByRole('link', { name: 'DHR-2026-0001' }).first().click();
    expect(await tagOf(secretariat)).toBe('Submitted');
    await check(secretariat, 'review-submitted');
    await secretariat.getByRole('button', { name: 'Schedule' }).click();
    await secretariat.waitForLoadState();
    expect(await secretariat.locator('.govuk-notification-banner').innerText()).toContain('Review scheduled');
    expect(await tagOf(secretariat)).toBe('Scheduled for a panel meeting');
  });

  step("marks the report against the QA criteria, beside the CSP's self-check, mistakes first", async () => {
    await secretariat.getByRole('link', { name: 'QA checklist: the report against the criteria' }).click();
    await secretariat.waitForLoadState();
    await check(secretariat, 'qa-checklist');
    expect(await secretariat.locator('main').innerText()).toContain(
      "CSP's self-check: Met. Pseudonyms agreed with the family",
    );
    await secretariat.getByRole('button', { name: 'Save the checklist' }).click();
    await secretariat.waitForLoadState();
    expect(await secretariat.locator('.govuk-error-summary').innerText()).toContain(
      'Select met, partly met or not met for at least one criterion',
    );
    await check(secretariat, 'qa-checklist-error');
    await secretariat.getByRole('group', { name: 'Anonymity: is it met?' }).getByLabel('Not met').check();
    await secretariat.getByLabel('Note on Anonymity (optional)').fill('The date of death is given in the summary');
    await secretariat.getByRole('button', { name: 'Save the checklist' }).click();
    await secretariat.waitForLoadState();
    expect(await secretariat.locator('.govuk-notification-banner').innerText()).toContain('Checklist saved');
    await secretariat.getByRole('link', { name: 'Back to DHR-2026-0001' }).click();
    await secretariat.waitForLoadState();
  });

  step('records the outcome by pasting the panel list, checks the split, and lands on the draft letter', async () => {
    await secretariat.getByRole('link', { name: "Record the panel's outcome" }).click();
    await check(secretariat, 'outcome-paste');
    await secretariat.getByLabel('Publish after changes').check();
    await secretariat.getByLabel('What the panel commended').fill('A compassionate, well-structured report.');
    await secretariat.getByLabel("Paste the panel's list of areas").fill(PASTED);
    await secretariat.getByRole('button', { name: 'Continue' }).click();
    await secretariat.waitForLoadState();
    await check(secretariat, 'outcome-confirm');
    // The criterion the panel found not met is offered as an area (left for the secretariat to add).
    expect(await secretariat.locator('main').innerText()).toContain('Criteria the panel did not find met');
    expect(await secretariat.locator('button[value="criterion:anonymity"]').innerText()).toContain('Add as an area');
    const texts = await secretariat
      .locator('textarea[name$="-text"]')
      .evaluateAll((els) => els.map((e) => (e as unknown as { value: string }).value).filter(Boolean));
    expect(texts).toEqual([
      'Remove the date of death from the report to protect anonymity.',
      'Add an Equality and Diversity section on the protected characteristics.',
      'Follow the model layout of the statutory guidance.',
      'Say what involvement the family had in the review.',
    ]);
    await secretariat.getByRole('button', { name: 'Save the outcome and draft the letter' }).click();
    await secretariat.waitForLoadState();
    expect(new URL(secretariat.url()).pathname).toMatch(/^\/letters\/\d+$/);
    await check(secretariat, 'letter-draft');
    const letter = await secretariat.locator('.app-letter').innerText();
    expect(letter).toContain('Dear Sam');
    expect(letter).toContain('Structure');
    expect(letter).toContain('Follow the model layout of the statutory guidance.');
  });

  step('edits the draft and sends it', async () => {
    // An apology straight after the opening paragraph, where the real letters put it.
    await secretariat.getByRole('button', { name: 'Add a paragraph here after paragraph 1' }).click();
    await secretariat.waitForLoadState();
    await secretariat.getByLabel('Paragraph 2 Added').fill('We apologise for the delay in responding.');
    await secretariat.getByRole('button', { name: 'Save the paragraphs' }).click();
    await secretariat.waitForLoadState();
    expect(await secretariat.locator('.govuk-notification-banner').innerText()).toContain('paragraphs are saved');
    const letter = await secretariat.locator('.app-letter').innerText();
    expect(letter.indexOf('We apologise for the delay in responding.')).toBeGreaterThan(
      letter.indexOf('Thank you for submitting'),
    );
    expect(letter.indexOf('We apologise for the delay in responding.')).toBeLessThan(letter.indexOf('A compassionate'));
    await check(secretariat, 'letter-draft-edited');
    // A last look before it goes: who it is to, who is copied, what is attached, and the letter.
    await secretariat.getByRole('link', { name: 'Check and send the letter' }).click();
    await secretariat.waitForLoadState();
    const confirm = await secretariat.locator('main').innerText();
    expect(confirm).toMatch(/To\s+sam\.okafor@kent-csp\.example/);
    expect(confirm).toMatch(/Attachment\s+DHR-2026-0001 Mary - QA Panel feedback\.pdf/);
    expect(confirm).toContain('We apologise for the delay in responding.');
    expect(confirm).toContain('Once it is sent, the letter cannot be changed or recalled.');
    await check(secretariat, 'letter-confirm-send');
    await secretariat.getByRole('button', { name: 'Send the letter' }).click();
    await secretariat.waitForLoadState();
    expect(await secretariat.locator('.govuk-panel__title').innerText()).toBe('Feedback letter sent');
    expect(await secretariat.locator('main').innerText()).toContain('can now answer the revision items');
    await check(secretariat, 'letter-sent-confirmation');
    await secretariat.getByRole('link', { name: 'Go to the review' }).click();
    expect(await tagOf(secretariat)).toBe('Being revised');
    await check(secretariat, 'review-letter-sent');
  });

  step('the CSP sees its outstanding items, answers each one and submits', async () => {
    await csp.goto(`${server.url}/my-reviews`);
    await check(csp, 'my-reviews');
    await csp.goto(`${server.url}/reviews/1/items`);
    await check(csp, 'revision-items');
    const tasks = csp.locator('.govuk-task-list__link');
    expect(await tasks.count()).toBe(4);
    for (let i = 0; i < 4; i++) {
      await csp.locator('.govuk-task-list__link').nth(i).click();
      if (i === 0) await check(csp, 'revision-item');
      await csp.getByLabel('How has the report been changed?').fill(`Changed in answer to item ${i + 1}.`);
      await csp.getByLabel('Where in the report (optional)').fill(`paragraph ${i + 2}.1`);
      await csp.getByRole('button', { name: 'Save answer' }).click();
      await csp.waitForLoadState();
    }
    expect(await csp.locator('.govuk-task-list__status').allInnerTexts()).toEqual([
      'Answered',
      'Answered',
      'Answered',
      'Answered',
    ]);
    // An answer can still be changed before the revisions go.
    await csp.locator('.govuk-task-list__link').nth(0).click();
    await csp.getByLabel('How has the report been changed?').fill('The date of death is removed throughout.');
    await csp.getByRole('button', { name: 'Save the changed answer' }).click();
    await csp.waitForLoadState();
    await csp.getByRole('link', { name: 'Check your answers and submit revisions' }).click();
    await csp.waitForLoadState();
    expect(await csp.locator('h1').innerText()).toBe('Check your answers before submitting your revisions');
    expect(await csp.locator('main').innerText()).toContain('The date of death is removed throughout.');
    await check(csp, 'check-revisions');
    await csp.getByRole('button', { name: 'Accept and submit revisions' }).click();
    await csp.waitForLoadState();
    expect(await csp.locator('.govuk-panel__title').innerText()).toBe('Revisions submitted');
    await check(csp, 'revisions-submitted-confirmation');
    await csp.goto(`${server.url}/reviews/1`);
    expect(await tagOf(csp)).toBe('Waiting for its revisions to be checked');
    // The secretariat's team mailbox (the DHR mailbox, as none is set) is told, with the link to check them.
    const notice = await newestMail('dhr-enquiries@dhr-qa.example', 'has answered every revision item');
    expect(notice).toMatch(/Check the answers: http:\/\/[^/\s]+\/reviews\/1$/m);
  });

  step(
    'the secretariat accepts three answers, returns one with a reason, and the CSP is told which and why',
    async () => {
      await secretariat.goto(`${server.url}/reviews/1`);
      await check(secretariat, 'review-revisions-submitted');
      // Numbered as the letter numbers them: the two areas under "Structure" are 2a and 2b.
      for (const label of ['1', '2a', '2b']) {
        await secretariat.getByRole('button', { name: `Accept item ${label}`, exact: true }).click();
        await secretariat.waitForLoadState();
      }
      // Returned without a reason: the error summary leads to that item's reason field.
      await secretariat.getByRole('button', { name: 'Return item 3', exact: true }).click();
      await secretariat.waitForLoadState();
      await secretariat.locator('.govuk-error-summary a', { hasText: 'Enter why the item is returned' }).click();
      const reason = secretariat.getByLabel('Reason for returning item 3');
      expect(await hasFocus(reason)).toBe(true);
      expect(await secretariat.locator('.govuk-error-message').innerText()).toContain('Enter why the item is returned');
      await reason.fill('Say which family members took part.');
      await secretariat.getByRole('button', { name: 'Return item 3', exact: true }).click();
      await secretariat.waitForLoadState();
      expect(await secretariat.locator('.govuk-notification-banner').innerText()).toContain(
        'Item 3 returned to Kent Community Safety Partnership',
      );
      await secretariat.getByRole('button', { name: 'Confirm the check of the revisions' }).click();
      await secretariat.waitForLoadState();
      expect(await tagOf(secretariat)).toBe('Being revised');
      const returned = await newestMail('sam.okafor@kent-csp.example', 'Returned because');
      expect(returned).toContain(
        'Item 3: Say what involvement the family had in the review.\nReturned because: Say which family members took part.',
      );
      expect(returned).toMatch(/submit your revisions again: http:\/\/[^/\s]+\/reviews\/1\/items$/m);
    },
  );

  step(
    'the CSP answers the returned item again; the secretariat accepts it, and the CSP is told it is approved',
    async () => {
      await csp.goto(`${server.url}/reviews/1/items`);
      await csp.getByRole('link', { name: /^3\. Say what involvement/ }).click();
      expect(await csp.locator('.govuk-warning-text').innerText()).toContain('Say which family members took part.');
      await csp
        .getByLabel('How has the report been changed?')
        .fill('Section 3 names who took part: her mother and sister.');
      await csp.getByRole('button', { name: 'Save answer' }).click();
      await csp.waitForLoadState();
      await csp.getByRole('link', { name: 'Check your answers and submit revisions' }).click();
      await csp.getByRole('button', { name: 'Accept and submit revisions' }).click();
      await csp.waitForLoadState();
      expect(await csp.locator('.govuk-panel__title').innerText()).toBe('Revisions submitted');

      await secretariat.goto(`${server.url}/reviews/1`);
      await secretariat.getByRole('button', { name: 'Accept item 3', exact: true }).click();
      await secretariat.waitForLoadState();
      await secretariat.getByRole('button', { name: 'Confirm the check of the revisions' }).click();
      await secretariat.waitForLoadState();
      expect(await tagOf(secretariat)).toBe('Approved for publication');
      const approved = await newestMail('sam.okafor@kent-csp.example', 'approved for publication');
      expect(approved).toMatch(/record the date and where it is published: http:\/\/[^/\s]+\/reviews\/1$/m);
    },
  );

  step('the CSP records the publication', async () => {
    await csp.goto(`${server.url}/reviews/1`);
    await check(csp, 'review-approved');
    await csp.getByLabel('Web address of the published report').fill('https://www.kent.gov.uk/dhr/mary');
    // A date still to come is refused, with the error summary leading to the date.
    await csp.getByLabel('Day').fill('1');
    await csp.getByLabel('Month').fill('1');
    await csp.getByLabel('Year').fill(String(new Date().getFullYear() + 1));
    await csp.getByRole('button', { name: 'Record the publication' }).click();
    await csp.waitForLoadState();
    expect(await csp.locator('.govuk-error-summary').innerText()).toContain(
      'The date of publication must be today or in the past',
    );
    await csp.getByLabel('Year').fill('2026');
    await csp.getByLabel('Month').fill('3');
    await csp.getByLabel('Day').fill('2');
    await csp.getByRole('button', { name: 'Record the publication' }).click();
    await csp.waitForLoadState();
    expect(await tagOf(csp)).toBe('Published');
    await check(csp, 'review-published');
    const recorded = await newestMail('dhr-enquiries@dhr-qa.example', 'has recorded the publication');
    expect(recorded).toContain('on 2 March 2026 at https://www.kent.gov.uk/dhr/mary');
    await csp.goto(`${server.url}/letters`);
    await check(csp, 'csp-letters');
  });

  step('another CSP cannot reach any of it', async () => {
    const hackney = await signIn('csp.hackney@dhr-qa.example');
    for (const url of ['/reviews/1', '/reviews/1/items', '/letters/1']) {
      const res = await hackney.goto(`${server.url}${url}`);
      expect(res!.status()).toBe(404);
    }
    await check(hackney, 'not-found');
    await hackney.goto(`${server.url}/my-reviews`);
    expect(await hackney.locator('main').innerText()).not.toContain('Mary');
    await hackney.context().close();
  });

  step("the Kent PCC's office reads the review and its letters, with nothing to do", async () => {
    const pcc = await signIn('pcc.kent@dhr-qa.example');
    await check(pcc, 'pcc-reviews');
    await pcc.goto(`${server.url}/reviews/1`);
    expect(await pcc.locator('main form').count()).toBe(0); // nothing to do: no form on the page
    expect(await pcc.locator('main').innerText()).toContain('Feedback letter sent');
    await check(pcc, 'pcc-review');
    await pcc.context().close();
  });

  step('every other page of the secretariat passes too', async () => {
    for (const [url, name] of [
      ['/meetings', 'meetings'],
      ['/meetings/1', 'meeting-agenda'],
      ['/meetings/1/pack', 'meeting-pack'],
      ['/mail', 'mail'],
      ['/mail/1', 'mail-message'],
      ['/admin', 'admin'],
      ['/admin/csps', 'admin-csps'],
      ['/admin/csps/new', 'admin-csp-new'],
      ['/admin/police-force-areas', 'admin-areas'],
      ['/admin/users', 'admin-users'],
      ['/admin/users/new', 'admin-user-new'],
      ['/admin/users/3', 'admin-user'],
      ['/admin/settings', 'admin-settings'],
      ['/admin/templates', 'admin-templates'],
      ['/admin/templates/outcome_letter.html', 'admin-template-email'],
      ['/admin/templates/resubmit/versions/1', 'admin-template-version'],
      ['/time-taken', 'time-taken'],
    ]) {
      const res = await secretariat.goto(`${server.url}${url}`);
      expect({ url, status: res!.status() }).toEqual({ url, status: 200 });
      await check(secretariat, name!);
    }
  });
});

describe('stage clocks, through the pages', () => {
  appOfItsOwn();
  it("shows the demo's overdue letter and paused review, and changes a target, mistakes first", async () => {
    const secretariat = await signIn('secretariat@dhr-qa.example');
    await secretariat.goto(`${server.url}/reviews?q=Lena`);
    await secretariat.getByRole('row', { name: /Lena/ }).getByRole('link').first().click();
    const lena = await secretariat.locator('#time-taken + p + .app-table-scroll').innerText();
    expect(lena).toMatch(/Panel to letter\s.*\s15 working days\s+Overdue/);
    await check(secretariat, 'review-overdue-letter');
    await secretariat.goto(`${server.url}/dashboard`);
    const overdue = secretariat.getByRole('region', { name: 'Overdue reviews, longest overdue first' });
    expect(await overdue.innerText()).toMatch(/Lena[\s\S]*Panel to letter: \d+ working days over target/);

    const hackney = await signIn('csp.hackney@dhr-qa.example');
    await hackney.goto(`${server.url}/my-reviews`);
    await hackney.getByRole('row', { name: /Beth/ }).getByRole('link').first().click();
    const beth = await hackney.locator('#time-taken + p + .app-table-scroll').innerText();
    // The secretariat shared why: the CSP sees the clock stopped for the trial.
    expect(beth).toMatch(/Paused: Criminal trial/);
    await check(hackney, 'review-paused-csp');

    await secretariat.goto(`${server.url}/admin/stage-targets`);
    await secretariat.getByLabel('Target for panel to letter').fill('');
    await secretariat.getByRole('button', { name: 'Save as a new version' }).click();
    await secretariat.waitForLoadState();
    await secretariat.getByRole('link', { name: 'Enter the target for panel to letter' }).click();
    const target = secretariat.getByLabel('Target for panel to letter');
    expect(await hasFocus(target)).toBe(true);
    await check(secretariat, 'admin-stage-targets-errors');
    await secretariat.getByLabel('Target for panel to letter').fill('10');
    await secretariat.getByRole('button', { name: 'Save as a new version' }).click();
    await secretariat.waitForLoadState();
    expect(await secretariat.locator('.govuk-notification-banner').innerText()).toContain('Targets saved as version 1');
    await check(secretariat, 'admin-stage-targets');
  });
});

describe('the distribution of the final report, through the pages', () => {
  appOfItsOwn();
  it('the CSP records a copy from the published review, and the closed review shows its complete list', async () => {
    const harlow = await signIn('csp.harlow@dhr-qa.example');
    await harlow.goto(`${server.url}/my-reviews`);
    await harlow.getByRole('link', { name: 'Record who received the final report' }).first().click();
    await harlow.waitForLoadState();
    const list = harlow.locator('#distribution + p + dl');
    expect(await list.innerText()).toContain('Not yet recorded');
    await harlow.getByRole('link', { name: 'Record The family' }).click();
    await harlow.waitForLoadState();
    await check(harlow, 'distribution-record');
    await harlow.getByRole('button', { name: 'Record it' }).click();
    await harlow.waitForLoadState();
    expect(await harlow.locator('.govuk-error-summary').innerText()).toContain('Enter the date it was sent');
    await check(harlow, 'distribution-record-errors');
    const today = new Date();
    await harlow.getByLabel('Day').fill(String(today.getUTCDate()));
    await harlow.getByLabel('Month').fill(String(today.getUTCMonth() + 1));
    await harlow.getByLabel('Year').fill(String(today.getUTCFullYear()));
    await harlow.getByLabel(/What was sent, how and to whom/).fill('Printed copy given to the family by the chair');
    await harlow.getByRole('button', { name: 'Record it' }).click();
    await harlow.waitForLoadState();
    expect(await harlow.locator('.govuk-notification-banner').innerText()).toContain('The family: recorded as sent');
    expect(await harlow.locator('#distribution + p + dl').innerText()).toContain('Printed copy given to the family');

    const secretariat = await signIn('secretariat@dhr-qa.example');
    await secretariat.goto(`${server.url}/reviews?q=Hackney%20review`);
    await secretariat
      .getByRole('row', { name: /Hackney review/ })
      .getByRole('link')
      .first()
      .click();
    await secretariat.waitForLoadState();
    expect(await secretariat.locator('main').innerText()).toContain('Closed: the final report reached everyone');
    expect(await secretariat.locator('#distribution + p').innerText()).toContain('Every copy is recorded');
    await check(secretariat, 'review-closed');
  });
});

describe('oversight, through the pages', () => {
  appOfItsOwn();
  it("reads every CSP's published reviews and the national figures, and finds nothing still in the process", async () => {
    const oversight = await signIn('commissioner@dhr-qa.example');
    expect(new URL(oversight.url()).pathname).toBe('/reviews');
    expect(await oversight.getByRole('heading', { level: 1 }).innerText()).toBe('Published reviews');
    const listed = await oversight.locator('tbody').innerText();
    expect(listed).toContain('Hackney review');
    expect(listed).toContain('Harlow review');
    expect(listed).not.toContain('Lena');
    await check(oversight, 'oversight-reviews');
    await oversight
      .getByRole('row', { name: /Hackney review/ })
      .getByRole('link')
      .first()
      .click();
    await oversight.waitForLoadState();
    expect(await oversight.locator('main button').count()).toBe(0);
    await check(oversight, 'oversight-review');
    for (const [url, name] of [
      ['/national', 'oversight-national'],
      ['/time-taken', 'oversight-time-taken'],
    ]) {
      const res = await oversight.goto(`${server.url}${url}`);
      expect({ url, status: res!.status() }).toEqual({ url, status: 200 });
      await check(oversight, name!);
    }
  });
});

/**
 * As the secretariat on `page`: notifies a review for the CSP, uploads its three documents,
 * submits it and schedules it for the meeting. Returns the review's path.
 */
async function scheduled(page: Page, csp: string, pseudonym: string, meeting: string): Promise<string> {
  const click = async (name: string) => {
    await page.getByRole('button', { name, exact: true }).click();
    await page.waitForLoadState();
  };
  await page.goto(`${server.url}/reviews/new`);
  await page.getByLabel('Community Safety Partnership').selectOption({ label: csp });
  await page.getByLabel('Pseudonym').fill(pseudonym);
  await click('Notify the review');
  const reviewPath = new URL(page.url()).pathname;
  for (const [kind, label] of [
    ['overview_report', 'Overview report'],
    ['executive_summary', 'Executive summary'],
    ['action_plan', 'Action plan'],
  ]) {
    await page.getByLabel('Kind of document').selectOption({ label: label! });
    await page.getByLabel('File (PDF, DOCX or ODT)').setInputFiles({
      name: `${kind}.pdf`,
      mimeType: 'application/pdf',
      buffer: samplePdf(`${pseudonym} ${label}`),
    });
    await click('Upload');
  }
  // An upload made in error is replaced before submission; the old file stays in the history.
  await page.getByRole('link', { name: 'Replace overview_report.pdf' }).click();
  await check(page, 'replace-document');
  await page.getByLabel('The new overview report').setInputFiles({
    name: 'overview_report v2.pdf',
    mimeType: 'application/pdf',
    buffer: samplePdf(`${pseudonym} Overview report, second version`),
  });
  await click('Replace the document');
  expect(await page.locator('.govuk-notification-banner').innerText()).toContain(
    'overview_report v2.pdf replaces overview_report.pdf as the overview report',
  );
  expect(await page.locator('main').innerText()).toContain('Removed and replaced documents (1)');
  // And a detail left out when notifying is added, the change kept in the history.
  await page.getByRole('link', { name: 'Change the pseudonym, year of death or date notified' }).click();
  await check(page, 'review-details');
  await page.getByLabel('Year of death (optional)').fill('2019');
  await click('Save the details');
  expect(await page.locator('.govuk-notification-banner').innerText()).toContain(
    'Review details changed: year of death',
  );
  expect(await page.locator('.app-timeline').innerText()).toContain('Year of death: not given → 2019');
  await page.getByRole('link', { name: 'Submit to the Home Office' }).click();
  expect(await page.locator('main').innerText()).toContain('overview_report v2.pdf');
  await check(page, 'check-submit');
  await click('Accept and submit');
  expect(await page.locator('.govuk-panel__title').innerText()).toBe('Review submitted');
  await check(page, 'submitted-confirmation');
  await page.goto(`${server.url}${reviewPath}`);
  await page.getByLabel('Schedule for a panel meeting').selectOption({ label: meeting });
  await click('Schedule');
  expect(await tagOf(page)).toBe('Scheduled for a panel meeting');
  return reviewPath;
}

describe("recommendations, from import to an agency's progress", () => {
  appOfItsOwn();
  it('the secretariat imports the Harlow list; an agency responds and completes an action; the CSP sees the progress', async () => {
    const secretariat = await signIn('secretariat@dhr-qa.example');
    // Recommendations are imported once the panel is content for the report to be published.
    const path = await scheduled(
      secretariat,
      'Harlow Community Safety Partnership',
      'Harlow browser',
      '18 January 2023',
    );
    const reviewId = /\/reviews\/(\d+)/.exec(path)![1];
    await secretariat.getByRole('link', { name: "Record the panel's outcome" }).click();
    await secretariat.getByLabel('Publish', { exact: true }).check();
    await secretariat.getByRole('button', { name: 'Continue' }).click();
    await secretariat.waitForLoadState();
    await secretariat.getByRole('button', { name: 'Save the outcome and draft the letter' }).click();
    await secretariat.waitForLoadState();
    await secretariat.getByRole('link', { name: 'Check and send the letter' }).click();
    await secretariat.getByRole('button', { name: 'Send the letter' }).click();
    await secretariat.waitForLoadState();
    expect(await secretariat.locator('main').innerText()).toContain('The report is approved for publication.');
    await secretariat.goto(`${server.url}${path}`);
    expect(await tagOf(secretariat)).toBe('Approved for publication');
    await secretariat.goto(`${server.url}/reviews/${reviewId}/recommendations/import`);
    await check(secretariat, 'recommendations-import');
    await secretariat.getByLabel('The list of recommendations').fill(HARLOW);
    await secretariat.getByRole('button', { name: 'Continue' }).click();
    await secretariat.waitForLoadState();
    await check(secretariat, 'recommendations-preview');
    expect(await secretariat.locator('tbody tr').count()).toBe(23);
    await secretariat.getByRole('button', { name: 'Save these recommendations' }).click();
    await secretariat.waitForLoadState();
    expect(await secretariat.locator('.govuk-notification-banner').innerText()).toContain('Recommendations saved');
    await secretariat.context().close();

    const agency = await signIn('agency.essex@dhr-qa.example');
    expect(new URL(agency.url()).pathname).toBe('/recommendations');
    await check(agency, 'agency-recommendations');
    // No forms on the list: a link per recommendation, under its review's heading.
    expect(await agency.locator('main form').count()).toBe(0);
    const review = agency.locator('.app-review-recommendations', { hasText: 'Harlow browser' });
    expect(await review.locator('.govuk-task-list__status').first().innerText()).toMatch(
      /^Response due \d+ \w+ \d{4}$/,
    );
    await review.locator('.govuk-task-list__link').first().click();
    await agency.waitForLoadState();
    await check(agency, 'agency-recommendation');
    const banner = () => agency.locator('.govuk-notification-banner').innerText();
    const save = async (name: string) => {
      await agency.getByRole('button', { name }).click();
      await agency.waitForLoadState();
    };
    await save('Confirm you have received it');
    expect(await banner()).toMatch(/You have confirmed that recommendation .+ reached you/);
    expect(await agency.locator('main').innerText()).toMatch(/Received\s+Confirmed/);

    await agency.getByRole('link', { name: 'Respond', exact: true }).click();
    await check(agency, 'agency-respond');
    await save('Save your response');
    expect(await agency.locator('.govuk-error-summary').innerText()).toContain('Select a response');
    await check(agency, 'agency-respond-error');
    // The summary's link takes the user to the first option.
    await agency.locator('.govuk-error-summary a[href="#response"]').click();
    await expect(hasFocus(agency.getByLabel('Accepted', { exact: true }))).resolves.toBe(true);
    await agency.getByLabel('Accepted', { exact: true }).check();
    await save('Save your response');
    expect(await banner()).toMatch(/Your response to recommendation .+ is saved/);

    await agency.getByRole('link', { name: 'Add an action' }).click();
    await check(agency, 'agency-add-action');
    await agency.getByLabel('What will be done').fill("Audit referrals from children's social care");
    await agency.getByLabel('Owner').fill('Head of Safeguarding');
    await agency.getByLabel('Day').fill('31');
    await agency.getByLabel('Month').fill('13');
    await agency.getByLabel('Year').fill('2027');
    await save('Add the action');
    expect(await agency.locator('.govuk-error-summary').innerText()).toContain('Target date must be a real date');
    expect(await agency.getByLabel('What will be done').inputValue()).toBe(
      "Audit referrals from children's social care",
    );
    await check(agency, 'agency-add-action-error');
    await agency.getByLabel('Month').fill('3');
    await save('Add the action');
    expect(await banner()).toMatch(/Action added to recommendation/);

    await agency.getByRole('link', { name: 'Change the status of action 1' }).click();
    await check(agency, 'agency-action-status');
    await agency.getByLabel('Completed').check();
    await save('Save the status');
    expect(await banner()).toContain('Action 1 is now completed');

    await agency.getByRole('link', { name: 'Add a progress update to action 1' }).click();
    await check(agency, 'agency-add-update');
    await agency.getByLabel('Progress update').fill('Referrals from the last quarter audited');
    await agency.getByLabel('Evidence document (optional)').setInputFiles({
      name: 'referrals-audit.pdf',
      mimeType: 'application/pdf',
      buffer: samplePdf('Referrals audit'),
    });
    await save('Add the update');
    expect(await banner()).toContain('Progress update added to action 1');
    expect(await agency.getByRole('link', { name: 'referrals-audit.pdf' }).count()).toBe(1);

    await agency.getByRole('link', { name: 'Record the outcome as achieved' }).click();
    await check(agency, 'agency-implemented');
    await agency.getByLabel('Evidence that the outcome is achieved').fill('Audit report to the board');
    await save('Record the outcome as achieved');
    expect(await banner()).toMatch(/The outcome of recommendation .+ is recorded as achieved/);
    expect(await agency.locator('main').innerText()).toContain('Fully implemented');
    await check(agency, 'agency-progress');
    await agency.context().close();

    const csp = await signIn('csp.harlow@dhr-qa.example');
    await csp.goto(`${server.url}/reviews/${reviewId}/recommendations`);
    await check(csp, 'recommendations-monitoring');
    const text = await csp.locator('main').innerText();
    expect(text).toContain("Audit referrals from children's social care");
    expect(text).toContain('Completed');
    expect(await csp.locator('progress').first().getAttribute('value')).not.toBe('0');
    await csp.context().close();
  });
});

describe('a national recommendation, from triage to its owner', () => {
  appOfItsOwn();
  it("the CSP's national recommendation waits for the secretariat, which assigns it, mistakes first", async () => {
    const secretariat = await signIn('secretariat@dhr-qa.example');
    await secretariat.goto(`${server.url}/national`);
    await secretariat.getByRole('link', { name: 'National recommendations to triage' }).click();
    await secretariat.waitForLoadState();
    await check(secretariat, 'triage');
    // The demo's Hackney recommendation 5 waits, naming who the report named.
    const row = secretariat.locator('tbody tr', { hasText: 'Recommendation 5' });
    expect(await row.innerText()).toContain('College of Policing, Metropolitan Police Service');
    const recommendationsPage = (await row.getByRole('link').nth(1).getAttribute('href'))!.replace(/#.*/, '');
    await row.getByRole('link').first().click();
    await secretariat.waitForLoadState();
    await check(secretariat, 'triage-assign');
    expect(await secretariat.locator('input[type=checkbox]:checked').count()).toBe(0);
    await secretariat.getByRole('button', { name: 'Assign it' }).click();
    await secretariat.waitForLoadState();
    expect(await secretariat.locator('.govuk-error-summary').innerText()).toContain(
      'Select the departments or national bodies that own it',
    );
    await check(secretariat, 'triage-assign-error');
    await secretariat.getByLabel('College of Policing').check();
    await secretariat.getByRole('button', { name: 'Assign it' }).click();
    await secretariat.waitForLoadState();
    // The demo's College of Policing has no user account yet: the banner says it was not emailed.
    expect(await secretariat.locator('.govuk-notification-banner').innerText()).toContain(
      'A body with no user account yet was not emailed',
    );
    expect(await secretariat.locator('main').innerText()).toContain('No national recommendation is waiting');
    await secretariat.context().close();

    const csp = await signIn('csp.hackney@dhr-qa.example');
    await csp.goto(`${server.url}${recommendationsPage}`);
    await check(csp, 'recommendations-levels');
    expect(await csp.locator('main').innerText()).toContain('Pat Okafor');
    await csp.getByRole('link', { name: 'Change the level of recommendation 1', exact: true }).click();
    await csp.waitForLoadState();
    await check(csp, 'recommendation-level');
    await csp.getByLabel('Regional').check();
    await csp.getByRole('button', { name: 'Save the level' }).click();
    await csp.waitForLoadState();
    expect(await csp.locator('.govuk-notification-banner').innerText()).toContain('Level saved');
    await csp.getByRole('link', { name: "Change the review's chair" }).click();
    await csp.waitForLoadState();
    await check(csp, 'review-chair');
    await csp.context().close();
  });
});

describe('a decision not to hold a review, through the pages', () => {
  appOfItsOwn();
  // Recorded by the secretariat for the panel (an earlier test gave the panel member a new password).
  it("the panel agrees with Kent's decision about Nell, mistakes first, and the secretariat sends its letter", async () => {
    const secretariat = await signIn('secretariat@dhr-qa.example');
    await secretariat.goto(`${server.url}/meetings/1`);
    await secretariat.getByRole('link', { name: /^Record the panel's view/ }).click();
    await secretariat.waitForLoadState();
    await check(secretariat, 'panel-view');
    await secretariat.getByRole('button', { name: "Save the panel's view" }).click();
    await secretariat.waitForLoadState();
    expect(await secretariat.locator('.govuk-error-summary').innerText()).toContain(
      "Select the panel's view of the decision",
    );
    await check(secretariat, 'panel-view-error');
    await secretariat.getByLabel('The panel agrees').check();
    await secretariat.getByLabel("The panel's comments").fill('The partnership checked every agency’s records.');
    await secretariat.getByRole('button', { name: "Save the panel's view" }).click();
    await secretariat.waitForLoadState();
    expect(await secretariat.locator('.govuk-notification-banner').innerText()).toContain(
      "The panel's view is recorded",
    );
    await secretariat.goto(`${server.url}/dashboard`);
    await secretariat.getByRole('link', { name: /^Letter on the decision not to hold a review/ }).click();
    await secretariat.waitForLoadState();
    await check(secretariat, 'decision-letter');
    expect(await secretariat.locator('.app-letter').innerText()).toContain(
      'The QA Panel agrees with the decision not to hold a DHR.',
    );
    await secretariat.getByRole('button', { name: 'Send the letter' }).click();
    await secretariat.waitForLoadState();
    await check(secretariat, 'decision-letter-sent');
    expect(await secretariat.locator('main').innerText()).toContain('the review ends here, not held');
    await secretariat.context().close();

    const csp = await signIn('csp.kent@dhr-qa.example');
    await csp.goto(`${server.url}/my-reviews`);
    expect(await csp.locator('main').innerText()).toContain('the panel agreed with the decision not to hold a review');
    await csp.context().close();
  });
});

describe('the Kent seed letter, reproduced through the pages alone', () => {
  let secretariat: Page;
  let letterUrl = '';
  const step = storyOnItsOwnApp(
    async () => {
      secretariat = await signIn('secretariat@dhr-qa.example');
    },
    () => secretariat.context().close(),
  );

  const go = async (path: string) => {
    await secretariat.goto(`${server.url}${path}`);
  };
  const click = async (name: string) => {
    await secretariat.getByRole('button', { name, exact: true }).click();
    await secretariat.waitForLoadState();
  };
  const banner = () => secretariat.locator('.govuk-notification-banner').innerText();

  step('sets the house style once: letterhead, signatory, bulleted areas, no CSP name in the address', async () => {
    await go('/admin/settings');
    await secretariat.getByLabel('Name', { exact: true }).fill(KENT_SETTINGS.signatoryName);
    await secretariat.getByLabel('Title', { exact: true }).fill(KENT_SETTINGS.signatoryTitle);
    await secretariat.getByLabel('Title (optional)').fill('');
    await secretariat.getByLabel('Lines').fill(KENT_SETTINGS.homeOfficeAddress.join('\n'));
    await secretariat.getByLabel('Bulleted').check();
    await secretariat.getByLabel('6 September 2023').check();
    await secretariat.getByLabel("No, the contact's address is enough").check();
    await secretariat.getByLabel('DHR mailbox').fill(KENT_SETTINGS.dhrMailbox);
    await click('Save the settings');
    expect(await banner()).toContain('Settings saved');
  });

  step("words the 'publish after changes' letter as the Home Office does, previewing it before saving", async () => {
    await go('/admin/templates');
    await check(secretariat, 'admin-templates-list');
    await secretariat.getByRole('link', { name: 'Feedback letter: publish after changes' }).click();
    await secretariat.getByLabel('Template', { exact: true }).fill('<p>{{pseudonym}</p>');
    await click('Preview');
    expect(await secretariat.locator('.govuk-error-summary').innerText()).toContain(
      'Line 1 (“<p>{{pseudonym}</p>”): This line has {{ … }} that cannot be read',
    );
    await check(secretariat, 'admin-template-error');
    await secretariat.getByLabel('Template', { exact: true }).fill(KENT_TEMPLATE);
    await click('Preview');
    const preview = await secretariat.locator('#preview + p + .app-letter').innerText();
    expect(preview).toContain('Areas of final development include:');
    expect(preview).toContain('(Alex) for Anytown Community Safety Partnership');
    await check(secretariat, 'admin-template-preview');
    await click('Save as version 2');
    expect(await banner()).toContain('Version 2 saved');
  });

  step(
    'adds Kent CSP, addressed to Shafick at his own address, and the panel meeting of 20 November 2019',
    async () => {
      await go('/admin/csps/new');
      await secretariat.getByLabel('Name').fill('Kent CSP');
      await secretariat.getByLabel('Police force area').selectOption({ label: 'Kent' });
      await secretariat.getByLabel('Address', { exact: true }).fill('Kent County Council\nCounty Hall\nMaidstone');
      await secretariat.getByLabel('Contacts').fill(`${KENT_CONTACT.name} <${KENT_CONTACT.email}>`);
      await secretariat.getByLabel('Job title (optional)').fill(KENT_CONTACT.jobTitle);
      await secretariat.getByLabel('Their own address (optional)').fill(KENT_CONTACT.addressLines.join('\n'));
      await secretariat.locator('main button[type=submit]').click();
      await secretariat.waitForLoadState();
      expect(await banner()).toContain('Kent CSP added');
      await go('/meetings');
      await secretariat.getByLabel('Day').fill('20');
      await secretariat.getByLabel('Month').fill('11');
      await secretariat.getByLabel('Year').fill('2019');
      await click('Add the meeting');
      expect(await banner()).toContain('Panel meeting of 20 November 2019 added');
    },
  );

  /** A review for Kent CSP, notified, its three documents uploaded, submitted and scheduled for 20 November 2019. */
  const scheduledReview = (pseudonym: string) => scheduled(secretariat, 'Kent CSP', pseudonym, '20 November 2019');

  step(
    "records Kent's outcome by pasting its twelve areas, dates the letter 22 January 2020 and sends it",
    async () => {
      await scheduledReview('Mary');
      await secretariat.getByRole('link', { name: "Record the panel's outcome" }).click();
      await secretariat.getByLabel('Publish after changes').check();
      await secretariat.getByLabel('What the panel commended').fill(kentCommendations());
      await secretariat.getByLabel("Paste the panel's list of areas").fill(kentPastedAreas());
      await click('Continue');
      expect(await secretariat.locator('main').innerText()).toContain('Read 12 areas from a bulleted list.');
      await click('Save the outcome and draft the letter');
      letterUrl = new URL(secretariat.url()).pathname;
      expect(letterUrl).toMatch(/^\/letters\/\d+$/);

      await secretariat.getByRole('link', { name: 'Change the date' }).click();
      await check(secretariat, 'letter-addressing');
      await secretariat.getByLabel('Day').fill('22');
      await secretariat.getByLabel('Month').fill('1');
      await secretariat.getByLabel('Year').fill('2020');
      await click('Save');
      expect(await banner()).toContain('date, addressee and signature are saved');
      await secretariat.getByRole('link', { name: 'Check and send the letter' }).click();
      await click('Send the letter');
      expect(await secretariat.locator('.govuk-panel__title').innerText()).toBe('Feedback letter sent');
    },
  );

  step('sent a letter whose text is the seed letter, from the letterhead to the signature', async () => {
    const session = (await (
      await fetch(`${server.url}/api/v1/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'secretariat@dhr-qa.example', password: PASSWORD }),
      })
    ).json()) as { token: string };
    const letter = (await (
      await fetch(`${server.url}/api/v1${letterUrl}`, { headers: { authorization: `Bearer ${session.token}` } })
    ).json()) as { status: string; text: string };
    expect(letter.status).toBe('sent');
    expect(normalise(letter.text)).toBe(kentSeedText());
    await go(letterUrl);
    await check(secretariat, 'letter-kent-sent');
  });

  step("writes the next review's letter in the same house style, with no further edits", async () => {
    await scheduledReview('Nora');
    await secretariat.getByRole('link', { name: "Record the panel's outcome" }).click();
    await secretariat.getByLabel('Publish after changes').check();
    await secretariat
      .getByLabel("Paste the panel's list of areas")
      .fill(
        [
          'The QA panel felt that the family could be heard more clearly in the report:',
          '• the tribute is short;',
          '• their questions are not answered.',
          'Structure:',
          '• Add a contents page.',
          '• Number the paragraphs.',
        ].join('\n'),
      );
    await click('Continue');
    await check(secretariat, 'outcome-confirm-structure');
    await click('Save the outcome and draft the letter');
    const text = normalise(await secretariat.locator('.app-letter').innerText());
    expect(text).toMatch(
      /^Public Protection Unit 2 Marsham Street London SW1P 4DF T: 020 7035 4848 www\.gov\.uk\/homeoffice Shafick Peerbux Head of Community Safety Public Protection Service Kent County Council/,
    );
    expect(text).toContain(
      'Thank you for submitting the Domestic Homicide Review (DHR) report (Nora) for Kent CSP to the Home Office. The report was assessed by the Quality Assurance Panel (QA) on 20 November 2019.',
    );
    expect(text).toContain('Areas of final development include:');
    expect(text).toContain('Structure Add a contents page. Number the paragraphs.');
    expect(text).toContain(
      'The QA panel felt that the family could be heard more clearly in the report: the tribute is short; their questions are not answered.',
    );
    expect(text).toMatch(/Yours sincerely Hannah Buckley Joint Chair of the Home Office DHR Quality Assurance Panel$/);
    expect(await secretariat.locator('.app-letter ul.areas > li').count()).toBe(2);
    await check(secretariat, 'letter-house-style');
  });
});
