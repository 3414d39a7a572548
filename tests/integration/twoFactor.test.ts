import { generateSync } from 'otplib';
import request from 'supertest';
import { createTestApp, PASSWORD, type TestApp } from '../helpers/app';
import { csrfOf } from '../helpers/web';
import { visible, textsOf } from '../helpers/page';

/**
 * Two-factor sign-in: on a server that requires it (TWO_FACTOR_REQUIRED, on in production)
 * the secretariat and the panel set up an authenticator app after their password; anyone
 * may turn it on; codes and recovery codes work once; a lost phone is the secretariat's to clear.
 */
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ twoFactorRequired: true });
});
afterAll(() => t.close());
// Each test starts a quarter of an hour after the last, so failures another test counted
// (by email or from this one client address) are past and limit nothing here.
beforeEach(() => t.clock.advance(16 * 60_000));

/** Users of the test app who never set up an app here. */
const EMAIL = {
  panel: 'panel@test.example',
  pcc: 'pcc@test.example',
  mopac: 'mopac@test.example',
};
const idOf = async (email: string) => (await t.db('users').where({ email }).first('id')).id as number;
/** The code an authenticator app shows now, by the test's clock. */
const codeFor = (secret: string) => generateSync({ secret, epoch: Math.floor(t.clock.now().getTime() / 1000) });
/** On to the next 30-second step, so that the app shows a new code. */
const nextCode = (secret: string) => {
  t.clock.advance(30_000);
  return codeFor(secret);
};
const apiSignIn = (email: string, extra: object = {}) =>
  request(t.app)
    .post('/api/v1/session')
    .send({ email, password: PASSWORD, ...extra });

/** A browser that has given the right password: where it was sent, and the agent to carry on with. */
async function password(email: string, next = '/') {
  const agent = request.agent(t.app);
  const page = await agent.get('/sign-in');
  const res = await agent
    .post('/sign-in')
    .type('form')
    .send({ _csrf: csrfOf(page.text), email, password: PASSWORD, next });
  expect(res.status).toBe(302);
  return { agent, location: res.headers.location as string };
}

/** Posts a page's form, with the token from the page. */
async function submit(agent: ReturnType<typeof request.agent>, url: string, fields: Record<string, string>) {
  const page = await agent.get(url);
  return agent
    .post(url)
    .type('form')
    .send({ _csrf: csrfOf(page.text), ...fields });
}

/** Sets up two-factor sign-in from the set-up page at `url`; returns the secret and the recovery codes. */
async function setUp(agent: ReturnType<typeof request.agent>, url: string) {
  const page = await agent.get(url);
  expect(page.status).toBe(200);
  const secret = /type this key instead: <strong[^>]*>([A-Z2-7 ]+)</.exec(page.text)![1]!.replace(/ /g, '');
  const done = await agent
    .post(url)
    .type('form')
    .send({
      _csrf: csrfOf(page.text),
      next: /name="next" value="([^"]*)"/.exec(page.text)![1]!,
      code: codeFor(secret),
    });
  expect(done.status).toBe(200);
  const codes = textsOf(done.text, 'code');
  return { secret, codes, page: done };
}

let users = 0;
/** A user of the test's own, with the test password: a member of the secretariat, or a Kent CSP user. */
async function newUser(role: 'secretariat' | 'csp') {
  users++;
  const user = { email: `${role}${users}@two-factor.example`, name: `Two-factor ${role} ${users}` };
  await t.services.accounts.createUser({
    ...user,
    role,
    ...(role === 'csp' ? { cspId: t.ids.kentCsp } : {}),
    password: PASSWORD,
  });
  return user;
}

/** A user of this test's own who has set up an app: their email, name, the app's secret and their recovery codes. */
async function enrolled(role: 'secretariat' | 'csp') {
  const user = await newUser(role);
  const { agent, location } = await password(user.email);
  const { secret, codes } = await setUp(agent, role === 'csp' ? '/account/two-factor' : location);
  return { ...user, secret, codes };
}

describe('the secretariat and the panel must use it', () => {
  it('sends the secretariat from the password to setting up an app, and nowhere else until it is done', async () => {
    const secretariat = await newUser('secretariat');
    const { agent, location } = await password(secretariat.email, '/dashboard');
    expect(location).toBe('/sign-in/set-up?next=%2Fdashboard');
    // Half-way is signed in as no one.
    expect((await agent.get('/dashboard')).headers.location).toMatch(/^\/sign-in/);

    const page = await agent.get('/sign-in/set-up');
    expect(visible(page.text)).toContain('Your account holds records about deaths');
    expect(page.text).toContain('src="data:image/png;base64,');
    const wrong = await agent
      .post('/sign-in/set-up')
      .type('form')
      .send({ _csrf: csrfOf(page.text), code: 'abc', next: '/dashboard' });
    expect(wrong.status).toBe(422);
    expect(visible(wrong.text)).toContain('The code must be the 6 digits the app shows');
    expect(wrong.text).toContain('href="#code"');

    const { codes, page: shown } = await setUp(agent, location);
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    expect(visible(shown.text)).toContain('This is the only time they are shown');
    expect(shown.text).toContain('href="/dashboard"');
    expect((await agent.get('/dashboard')).status).toBe(200);

    const account = (await t.api('kent').get('/me')).status; // another user's token is untouched
    expect(account).toBe(200);
    const history = await t
      .db('account_events')
      .where({ user_id: await idOf(secretariat.email) })
      .pluck('type');
    expect(history).toEqual(['TWO_FACTOR_ON']);
  });

  it.each([
    ['a panel member', 'panel@test.example'],
    // Oversight reads across every CSP, as the panel does.
    ['oversight', 'commissioner@test.example'],
  ])('refuses the API a token for %s who has not set it up, saying what to do', async (_who, email) => {
    const res = await apiSignIn(email);
    expect(res.status).toBe(403);
    expect(res.body.error).toContain('Set up two-factor sign-in first');
    expect(res.body).not.toHaveProperty('token');
  });

  it('asks for the code after the password, and takes each code once', async () => {
    const secretariat = await enrolled('secretariat');
    const { agent, location } = await password(secretariat.email, '/admin');
    expect(location).toBe('/sign-in/code?next=%2Fadmin');
    const code = nextCode(secretariat.secret);
    const ok = await submit(agent, '/sign-in/code', { code, next: '/admin' });
    expect([ok.status, ok.headers.location]).toEqual([302, '/admin']);
    expect((await agent.get('/admin')).status).toBe(200);

    // The same code again, within its 30 seconds, is refused: a code seen over a shoulder is spent.
    const again = await password(secretariat.email);
    const replay = await submit(again.agent, '/sign-in/code', { code });
    expect(replay.status).toBe(401);
    expect(visible(replay.text)).toContain('Enter the 6-digit code your app shows now');
    expect((await again.agent.get('/admin')).headers.location).toMatch(/^\/sign-in/);
  });

  it('gives an API token for the password and the code, and not for the password alone', async () => {
    const secretariat = await enrolled('secretariat');
    const alone = await apiSignIn(secretariat.email);
    expect(alone.status).toBe(401);
    expect(alone.body.error).toContain('Send "code"');
    const wrong = await apiSignIn(secretariat.email, { code: '000000' });
    expect(wrong.status).toBe(401);
    const ok = await apiSignIn(secretariat.email, { code: nextCode(secretariat.secret) });
    expect(ok.status).toBe(200);
    expect((await request(t.app).get('/api/v1/me').set('Authorization', `Bearer ${ok.body.token}`)).status).toBe(200);
  });

  it('lets one of two identical codes sent at once through, not both', async () => {
    const secretariat = await enrolled('secretariat');
    const code = nextCode(secretariat.secret);
    const both = await Promise.all([apiSignIn(secretariat.email, { code }), apiSignIn(secretariat.email, { code })]);
    expect(both.map((r) => r.status).sort()).toEqual([200, 401]);
  });

  it('takes a recovery code once instead of the app’s, and says how many are left', async () => {
    const secretariat = await enrolled('secretariat');
    const [first] = secretariat.codes;
    const { agent } = await password(secretariat.email);
    const ok = await submit(agent, '/sign-in/code', { code: first!.toUpperCase() });
    expect(ok.status).toBe(302);
    const account = await agent.get('/account');
    expect(visible(account.text)).toContain('9 recovery codes left');

    const again = await password(secretariat.email);
    expect((await submit(again.agent, '/sign-in/code', { code: first! })).status).toBe(401);
    const history = await t
      .db('account_events')
      .where({ user_id: await idOf(secretariat.email) })
      .pluck('type');
    expect(history).toContain('RECOVERY_CODE_USED');
  });

  it('counts wrong codes with wrong passwords, and stops guessing after five', async () => {
    const secretariat = await enrolled('secretariat');
    const { agent } = await password(secretariat.email);
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await submit(agent, '/sign-in/code', { code: '111111' })).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
    const right = await submit(agent, '/sign-in/code', { code: nextCode(secretariat.secret) });
    expect(right.status).toBe(429);
    expect(right.headers['retry-after']).toMatch(/^\d+$/);
    // A quarter of an hour later the right code works.
    t.clock.advance(16 * 60_000);
    const fresh = await password(secretariat.email);
    expect((await submit(fresh.agent, '/sign-in/code', { code: codeFor(secretariat.secret) })).status).toBe(302);
  });

  it('keeps counting wrong codes when the password is given again in between', async () => {
    const secretariat = await enrolled('secretariat');
    const statuses: number[] = [];
    for (let round = 0; round < 3; round++) {
      const { agent } = await password(secretariat.email);
      for (let i = 0; i < 2; i++) statuses.push((await submit(agent, '/sign-in/code', { code: '222222' })).status);
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
    const api = await apiSignIn(secretariat.email, { code: '333333' });
    expect(api.status).toBe(429);
  });

  it('never lets a half-signed-in session set up a new app in place of the one it owes a code of', async () => {
    const secretariat = await enrolled('secretariat');
    const id = await idOf(secretariat.email);
    const before = await t.db('users').where({ id }).first('totp_secret');
    const { agent, location } = await password(secretariat.email);
    expect(location).toBe('/sign-in/code?next=%2F');
    expect((await agent.get('/sign-in/set-up')).headers.location).toBe('/sign-in/code');
    const page = await agent.get('/sign-in/code');
    const forced = await agent
      .post('/sign-in/set-up')
      .type('form')
      .send({ _csrf: csrfOf(page.text), code: '123456' });
    expect(forced.headers.location).toBe('/sign-in/code');
    expect(await t.db('users').where({ id }).first('totp_secret')).toEqual(before);
    expect((await agent.get('/admin')).headers.location).toMatch(/^\/sign-in/);
  });

  it('shows each browser setting up its own secret, so no one else signing in meanwhile learns it', async () => {
    const first = await password(EMAIL.panel);
    const second = await password(EMAIL.panel);
    const keyOf = async (agent: ReturnType<typeof request.agent>) =>
      /type this key instead: <strong[^>]*>([A-Z2-7 ]+)</.exec((await agent.get('/sign-in/set-up')).text)![1];
    const [a, b] = [await keyOf(first.agent), await keyOf(second.agent)];
    expect(a).not.toEqual(b);
    expect(await keyOf(first.agent)).toEqual(a);
  });

  it('does not follow a next address that a browser would read as another site', async () => {
    const secretariat = await enrolled('secretariat');
    const { agent, location } = await password(secretariat.email, '/\t/evil.example');
    expect(location).toBe('/sign-in/code?next=%2F');
    expect(
      (await submit(agent, '/sign-in/code', { code: nextCode(secretariat.secret), next: '/\t/evil.example' })).headers
        .location,
    ).toBe('/');
  });

  it('sends a half-signed-in browser that goes back to the sign-in page on to the step it owes, and lets it sign out', async () => {
    const secretariat = await enrolled('secretariat');
    const { agent } = await password(secretariat.email, '/reviews');
    const back = await agent.get('/sign-in?next=%2Fmail');
    expect([back.status, back.headers.location]).toEqual([302, '/sign-in/code?next=%2Fmail']);
    const codePage = await agent.get('/sign-in/code');
    expect(visible(codePage.text)).toContain('Not you, or want to start again? Sign out');
    const out = await agent
      .post('/sign-out')
      .type('form')
      .send({ _csrf: csrfOf(codePage.text) });
    expect(out.headers.location).toBe('/sign-in?signedOut=1');
    const fresh = await agent.get('/sign-in');
    expect(fresh.status).toBe(200);
    expect(visible(fresh.text)).toContain('Sign in');
    expect((await agent.get('/sign-in/code')).headers.location).toBe('/sign-in');
  });

  it('forgets a half-finished sign-in after ten minutes', async () => {
    const secretariat = await enrolled('secretariat');
    const { agent } = await password(secretariat.email);
    t.clock.advance(11 * 60_000);
    expect((await agent.get('/sign-in/code')).headers.location).toBe('/sign-in');
  });
});

describe('anyone else', () => {
  it('signs in with the password alone until they turn it on from Your account', async () => {
    const kent = await newUser('csp');
    const first = await password(kent.email);
    expect(first.location).toBe('/');
    const account = await first.agent.get('/account');
    expect(visible(account.text)).toContain('Two-factor sign-in Off');
    const { secret, codes } = await setUp(first.agent, '/account/two-factor');
    expect(codes).toHaveLength(10);
    expect(visible((await first.agent.get('/account')).text)).toMatch(/On since .*; 10 recovery codes left/);

    const next = await password(kent.email);
    expect(next.location).toBe('/sign-in/code?next=%2F');
    expect((await submit(next.agent, '/sign-in/code', { code: nextCode(secret) })).status).toBe(302);
  });

  it('gets new recovery codes in place of the old, which stop working', async () => {
    const kent = await enrolled('csp');
    const { agent } = await password(kent.email);
    await submit(agent, '/sign-in/code', { code: nextCode(kent.secret) });
    const before = await agent.get('/account');
    // Not without a code of the app: a borrowed session cannot take the recovery codes.
    const refused = await agent
      .post('/account/recovery-codes')
      .type('form')
      .send({ _csrf: csrfOf(before.text), currentCode: '' });
    expect(refused.status).toBe(401);
    expect(visible(refused.text)).toContain('There is a problem');
    expect(refused.text).toContain('href="#currentCode"');
    const renewed = await agent
      .post('/account/recovery-codes')
      .type('form')
      .send({ _csrf: csrfOf(before.text), currentCode: nextCode(kent.secret) });
    const codes = textsOf(renewed.text, 'code');
    expect(codes).toHaveLength(10);
    expect((await apiSignIn(kent.email, { code: codes[0] })).status).toBe(200);
    expect((await apiSignIn(kent.email, { code: kent.codes[0] })).status).toBe(401);
  });

  it('must set it up when the secretariat says everyone must', async () => {
    const staff = await enrolled('secretariat');
    const secretariat = await password(staff.email);
    await submit(secretariat.agent, '/sign-in/code', { code: nextCode(staff.secret) });
    const settings = await secretariat.agent.get('/admin/settings');
    expect(visible(settings.text)).toContain('The secretariat and the panel always sign in with a code');
    const current = await t.services.settings.get();
    const saved = await secretariat.agent
      .post('/admin/settings')
      .type('form')
      .send({
        _csrf: csrfOf(settings.text),
        ...current,
        homeOfficeAddress: current.homeOfficeAddress.join('\n'),
        addressIncludesCsp: 'yes',
        twoFactorForEveryone: 'yes',
      });
    expect(saved.status).toBe(302);
    try {
      const pcc = await password(EMAIL.pcc, '/reviews');
      expect(pcc.location).toBe('/sign-in/set-up?next=%2Freviews');
      expect((await apiSignIn(EMAIL.mopac)).status).toBe(403);
    } finally {
      await t.services.settings.update({ role: 'secretariat' } as never, { twoFactorForEveryone: false });
    }
    expect((await password(EMAIL.pcc)).location).toBe('/');
  });
});

describe('a new phone', () => {
  it('moves to a new app only with a code of the old one, and signs out other browsers', async () => {
    const kent = await enrolled('csp');
    const { agent } = await password(kent.email);
    expect((await submit(agent, '/sign-in/code', { code: nextCode(kent.secret) })).status).toBe(302);
    const other = await password(kent.email);
    expect((await submit(other.agent, '/sign-in/code', { code: nextCode(kent.secret) })).status).toBe(302);

    const page = await agent.get('/account/two-factor');
    expect(visible(page.text)).toContain('Move two-factor sign-in to a new app');
    expect(visible(page.text)).toContain('Code from the new app');
    expect(visible(page.text)).toContain('Code from your old app');
    const key = /type this key instead: <strong[^>]*>([A-Z2-7 ]+)</.exec(page.text)![1]!.replace(/ /g, '');
    const without = await agent
      .post('/account/two-factor')
      .type('form')
      .send({ _csrf: csrfOf(page.text), code: codeFor(key), currentCode: '999999' });
    expect(without.status).toBe(401);
    expect(without.text).toContain('href="#currentCode"');

    const moved = await agent
      .post('/account/two-factor')
      .type('form')
      .send({ _csrf: csrfOf(page.text), code: nextCode(key), currentCode: codeFor(kent.secret) });
    expect(moved.status).toBe(200);
    expect((await other.agent.get('/account')).headers.location).toMatch(/^\/sign-in/);
    expect((await agent.get('/account')).status).toBe(200);
    const old = kent.secret;
    const again = await password(kent.email);
    expect((await submit(again.agent, '/sign-in/code', { code: nextCode(old) })).status).toBe(401);
    expect((await submit(again.agent, '/sign-in/code', { code: codeFor(key) })).status).toBe(302);
    const history = await t
      .db('account_events')
      .where({ user_id: await idOf(kent.email) })
      .pluck('type');
    expect(history).toContain('TWO_FACTOR_CHANGED');
  });
});

describe('a lost phone', () => {
  it('is cleared by the secretariat: the user is signed out and sets up a new app at the next sign-in', async () => {
    const user = await enrolled('csp');
    const kent = await idOf(user.email);
    const signedIn = await apiSignIn(user.email, { code: nextCode(user.secret) });
    expect(signedIn.status).toBe(200);

    const staff = await enrolled('secretariat');
    const secretariat = await password(staff.email);
    await submit(secretariat.agent, '/sign-in/code', { code: nextCode(staff.secret) });
    const page = await secretariat.agent.get(`/admin/users/${kent}`);
    expect(visible(page.text)).toContain('Two-factor sign-in On');
    const cleared = await secretariat.agent
      .post(`/admin/users/${kent}/two-factor-reset`)
      .type('form')
      .send({ _csrf: csrfOf(page.text) });
    expect(cleared.headers.location).toBe(`/admin/users/${kent}?done=two-factor-reset`);
    const after = visible((await secretariat.agent.get(cleared.headers.location)).text);
    expect(after).toContain(`${user.name}'s two-factor sign-in is cleared: they are signed out`);
    expect(after).toContain(`Cleared two-factor sign-in, by ${staff.name}`);
    expect(after).toContain('Two-factor sign-in Not set up');

    expect((await request(t.app).get('/api/v1/me').set('Authorization', `Bearer ${signedIn.body.token}`)).status).toBe(
      401,
    );
    // Not required of a CSP, so they sign in with the password and may set it up again.
    expect((await password(user.email)).location).toBe('/');
  });

  it('is the secretariat’s alone to clear', async () => {
    const secretariat = await idOf((await enrolled('secretariat')).email);
    for (const who of ['hackney', 'kentPcc', 'metPcc'] as const) {
      expect((await t.api(who).post(`/users/${secretariat}/two-factor-reset`)).status).toBe(403);
    }
    const row = await t.db('users').where({ id: secretariat }).first('totp_enabled_at');
    expect(row.totp_enabled_at).not.toBeNull();
  });
});
