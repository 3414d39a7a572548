import path from 'node:path';
import { generateSync } from 'otplib';
import request from 'supertest';
import { connect } from '../../src/db/connect';
import { createTestApp, PASSWORD, type TestApp } from '../helpers/app';
import { cli, freshAppData } from '../helpers/processes';
import { csrfOf, signedIn } from '../helpers/web';
import { visible } from '../helpers/page';

/**
 * Barring and restoring access: the secretariat disables and re-enables accounts, signs a
 * user out everywhere, and sends a single-use link to set a new password.
 */
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

const idOf = async (email: string) => (await t.db('users').where({ email }).first('id')).id as number;
const signIn = (email: string, password = PASSWORD) => request(t.app).post('/api/v1/session').send({ email, password });

describe('disabling an account', () => {
  it('stops its sessions and tokens at once and refuses its sign-in as a wrong password is refused, until enabled', async () => {
    const page = await signedIn(t, 'kent');
    expect((await page.get('/my-reviews')).status).toBe(200);
    const kent = await idOf('kent@test.example');

    const disabled = await t.api('secretariat').post(`/users/${kent}/disable`);
    expect(disabled.status).toBe(200);
    expect(disabled.body).toMatchObject({ disabled: true, activeTokens: 0, activeSessions: 0 });
    expect((await t.api('kent').get('/me')).status).toBe(401);
    expect((await page.get('/my-reviews')).headers.location).toMatch(/^\/sign-in/);
    const refused = await signIn('kent@test.example');
    const wrong = await signIn('hackney@test.example', 'not the password at all');
    expect([refused.status, refused.body]).toEqual([wrong.status, wrong.body]);

    expect((await t.api('secretariat').post(`/users/${kent}/enable`)).body.disabled).toBe(false);
    expect((await signIn('kent@test.example')).status).toBe(200);
    const account = (await t.api('secretariat').get(`/users/${kent}`)).body;
    expect(account.lastSignInAt).not.toBeNull();
    expect(account.history.map((h: { type: string; by: string }) => [h.type, h.by])).toEqual([
      ['ENABLED', 'Test secretariat'],
      ['DISABLED', 'Test secretariat'],
    ]);
    await t.renewTokens();
  });

  it('is the secretariat’s alone, and never of one’s own account', async () => {
    const me = await idOf('secretariat@test.example');
    const kent = await idOf('kent@test.example');
    const self = await t.api('secretariat').post(`/users/${me}/disable`);
    expect(self.status).toBe(409);
    for (const who of ['panel', 'kent', 'kentPcc'] as const) {
      expect((await t.api(who).post(`/users/${kent}/disable`)).status).toBe(403);
    }
    expect((await t.api('secretariat').post('/users/999999/disable')).status).toBe(404);
    expect((await t.api('kent').get('/me')).status).toBe(200);
  });

  it('signs a user out everywhere and revokes their tokens, leaving their password working', async () => {
    const hackney = await idOf('hackney@test.example');
    const page = await signedIn(t, 'hackney');
    const out = await t.api('secretariat').post(`/users/${hackney}/sign-out`);
    expect(out.body).toMatchObject({ disabled: false, activeTokens: 0, activeSessions: 0 });
    expect((await t.api('hackney').get('/me')).status).toBe(401);
    expect((await page.get('/my-reviews')).headers.location).toMatch(/^\/sign-in/);
    expect((await signIn('hackney@test.example')).status).toBe(200);
    await t.renewTokens();
  });
});

describe('a link to set a new password', () => {
  it('goes by email, works once and only for a day; the old password stops at once; the Mail page never shows it', async () => {
    const pcc = await idOf('pcc@test.example');
    const sent = await t.api('secretariat').post(`/users/${pcc}/password-reset`);
    expect(sent.status).toBe(202);
    expect((await signIn('pcc@test.example')).status).toBe(401);
    expect((await t.api('kentPcc').get('/me')).status).toBe(401);

    const mail = await t.db('outbox').where({ kind: 'password_reset' }).orderBy('id', 'desc').first();
    expect(mail.to).toEqual(['pcc@test.example']);
    const token = /reset-password\?token=([\w-]+)/.exec(mail.text)![1]!;
    const shown = (await t.api('secretariat').get(`/mail/${mail.id}`)).body;
    expect(JSON.stringify(shown)).not.toContain(token);
    expect((await t.api('secretariat').get(`/mail/${mail.id}/eml`)).status).toBe(409);

    const browser = request.agent(t.app);
    const form = await browser.get(`/reset-password?token=${token}`);
    expect(form.status).toBe(200);
    // The page says whose password it sets (a link opened in someone else's signed-in browser).
    expect(form.text).toContain('For the account <strong class="app-wrap">pcc@test.example</strong>');
    const post = (fields: Record<string, string>) =>
      browser
        .post('/reset-password')
        .type('form')
        .send({ _csrf: csrfOf(form.text), token, ...fields });
    expect((await post({ password: 'a new long password', confirm: 'another one' })).status).toBe(422);
    const common = await post({ password: 'qwerty123456', confirm: 'qwerty123456' });
    expect(common.status).toBe(422);
    expect(common.text).toContain('one of the passwords people use most');
    const done = await post({ password: 'a new long password', confirm: 'a new long password' });
    expect([done.status, done.headers.location]).toEqual([302, '/sign-in?passwordSet=1']);
    expect((await signIn('pcc@test.example', 'a new long password')).status).toBe(200);
    // Once only.
    expect((await browser.get(`/reset-password?token=${token}`)).status).toBe(410);
    expect((await post({ password: 'yet another password', confirm: 'yet another password' })).status).toBe(410);

    // A day later, a new link no longer works.
    await t.api('secretariat').post(`/users/${pcc}/password-reset`);
    const later = await t.db('outbox').where({ kind: 'password_reset' }).orderBy('id', 'desc').first();
    const next = /reset-password\?token=([\w-]+)/.exec(later.text)![1]!;
    t.clock.advance(25 * 3600_000);
    expect((await request(t.app).get(`/reset-password?token=${next}`)).status).toBe(410);
    await t.renewTokens();
  });
});

describe('changing your own password', () => {
  it('needs the current password and the new one twice; other browsers are signed out and the history says so', async () => {
    const here = await signedIn(t, 'metPcc');
    const elsewhere = await signedIn(t, 'metPcc');
    await here.get('/account');
    const change = (fields: Record<string, string>) => here.form('/account/password', fields);

    const mismatch = await change({
      current: PASSWORD,
      password: 'a brand new password',
      confirm: 'a brand new passwrod',
    });
    expect(mismatch.status).toBe(422);
    expect(visible(mismatch.text)).toContain('Enter the same new password twice');
    expect(mismatch.text).toContain('href="#confirm"');
    const wrong = await change({
      current: 'not my password',
      password: 'a brand new password',
      confirm: 'a brand new password',
    });
    expect(wrong.status).toBe(422);
    expect(visible(wrong.text)).toContain('Your current password is incorrect');
    expect(wrong.text).toContain('href="#current"');
    const common = await change({ current: PASSWORD, password: 'password1234', confirm: 'password1234' });
    expect(visible(common.text)).toContain('The new password is one of the passwords people use most');
    expect((await signIn('mopac@test.example')).status).toBe(200); // nothing changed yet

    const done = await change({ current: PASSWORD, password: 'a brand new password', confirm: 'a brand new password' });
    expect([done.status, done.headers.location]).toEqual([302, '/account?passwordChanged=1']);
    const page = await here.get('/account?passwordChanged=1');
    expect(visible(page.text)).toContain(
      'Your password is changed. Any other browser you were signed in on is signed out.',
    );
    expect((await elsewhere.get('/account')).headers.location).toMatch(/^\/sign-in/);
    expect((await signIn('mopac@test.example')).status).toBe(401);
    expect((await signIn('mopac@test.example', 'a brand new password')).status).toBe(200);
    const history = await t
      .db('account_events')
      .where({ user_id: await idOf('mopac@test.example') })
      .pluck('type');
    expect(history).toContain('PASSWORD_CHANGED');

    // Put back for the tests after.
    await here.get('/account');
    await here.form('/account/password', { current: 'a brand new password', password: PASSWORD, confirm: PASSWORD });
    await t.renewTokens();
  });
});

describe('the sign-in page', () => {
  it('says who to ask when signing in fails, and confirms a sign-out', async () => {
    const page = await request(t.app).get('/sign-in');
    expect(visible(page.text)).toMatch(
      /If you cannot sign in, or have forgotten your password, email the Home Office DHR team at \S+@/,
    );
    const out = await request(t.app).get('/sign-in?signedOut=1');
    expect(visible(out.text)).toContain('You have signed out.');
  });
});

describe('adding users', () => {
  it('adds a user of any role, an agency included, and refuses a password people use most', async () => {
    const org = (await t.db('organisations').insert({ name: 'Kent Police', name_key: 'kentpolice' }).returning('id'))[0]
      .id as number;
    const added = await t.api('secretariat').post('/users', {
      email: 'agency@test.example',
      name: 'Kent Police lead',
      role: 'agency',
      organisationId: org,
      password: 'a long agency password',
    });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ role: 'agency', organisationId: org });
    const common = await t
      .api('secretariat')
      .post('/users', { email: 'x@test.example', name: 'X', role: 'panel', password: '1qaz2wsx3edc' });
    expect(common.body.errors).toEqual([
      {
        field: 'password',
        message: 'is one of the passwords people use most, which are guessed first: choose another',
      },
    ]);
    const list = (await t.api('secretariat').get('/users')).body;
    expect(list.find((u: { email: string }) => u.email === 'agency@test.example')).toMatchObject({
      disabled: false,
      lastSignInAt: null,
    });
  });
});

describe('the command line', () => {
  it('adds a user, disables and enables an account, clears two-factor sign-in, and issues tokens for 90 days by default', async () => {
    const data = await freshAppData('dhr-qa-cli-accounts-');
    // Outside production, said outright: a staff token without two-factor sign-in.
    const env = { ...data.env, DEMO: '0', TWO_FACTOR_REQUIRED: '0' };
    try {
      expect(cli(['migrate'], env).status).toBe(0);
      const added = cli(['add-user', '--email', 'a@b.example', '--name', 'A', '--role', 'panel'], env);
      expect(added.status).toBe(0);
      const token = cli(['create-token', '--email', 'a@b.example'], env);
      const until = /valid until (\S+):/.exec(token.output)![1]!;
      const days = (Date.parse(until) - Date.now()) / 86400_000;
      expect(days).toBeGreaterThan(89.9);
      expect(days).toBeLessThan(90.1);
      expect(cli(['disable-user', '--email', 'a@b.example'], env).output).toContain('a@b.example is disabled');
      expect(cli(['enable-user', '--email', 'a@b.example'], env).output).toContain('can sign in again');
      expect(cli(['reset-two-factor', '--email', 'a@b.example'], env).output).toContain(
        "a@b.example's two-factor sign-in is cleared",
      );
    } finally {
      await data.remove();
    }
  }, 120_000);

  it('makes a token only for a user who has passed the second factor: set up first, then their current code', async () => {
    const data = await freshAppData('dhr-qa-cli-token-');
    // No NODE_ENV and no TWO_FACTOR_REQUIRED: the command line still requires it of the panel.
    const env = { ...data.env, DEMO: '0' };
    try {
      expect(cli(['add-user', '--email', 'chair@b.example', '--name', 'Chair', '--role', 'panel'], env).status).toBe(0);
      const owed = cli(['create-token', '--email', 'chair@b.example'], env);
      expect(owed.status).toBe(1);
      expect(owed.output).toContain('chair@b.example must set up two-factor sign-in before a token is made');
      expect(owed.output).not.toMatch(/valid until/);

      // The chair sets up their app (as the set-up page would record it); the command line is a separate process.
      const secret = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
      const db = connect({ databaseUrl: data.env.DATABASE_URL, embeddedDir: path.join(data.dataDir, 'db') });
      await db('users')
        .where({ email: 'chair@b.example' })
        .update({ totp_secret: secret, totp_enabled_at: new Date() });
      await db.destroy();

      const noCode = cli(['create-token', '--email', 'chair@b.example'], env);
      expect(noCode.status).toBe(1);
      expect(noCode.output).toContain('--code is required');
      const wrong = cli(['create-token', '--email', 'chair@b.example', '--code', '000000'], env);
      expect(wrong.status).toBe(1);
      expect(wrong.output).toContain('The code is not right, or was used already');
      const code = generateSync({ secret });
      // A refused option does not use the code up.
      const tooLong = cli(['create-token', '--email', 'chair@b.example', '--code', code, '--days', '5000'], env);
      expect(tooLong.output).toContain('--days must be a whole number of days from 1 to 3650');
      const made = cli(['create-token', '--email', 'chair@b.example', '--code', code], env);
      expect(made.status).toBe(0);
      expect(made.output).toMatch(/Token for chair@b\.example, valid until/);
      // The same code does not make a second token.
      expect(cli(['create-token', '--email', 'chair@b.example', '--code', code], env).status).toBe(1);
      // Nor does anything, while the account is disabled.
      expect(cli(['disable-user', '--email', 'chair@b.example'], env).status).toBe(0);
      const disabled = cli(['create-token', '--email', 'chair@b.example', '--code', '123456'], env);
      expect(disabled.status).toBe(1);
      expect(disabled.output).toContain('chair@b.example is disabled: enable the account first. Nothing was issued.');
    } finally {
      await data.remove();
    }
  }, 120_000);
});
