/**
 * Signing in, as someone guessing would see it: one answer whatever was wrong, the
 * same scrypt work whether or not the email has an account, and limits on failures
 * per email and per client address, shared by the sign-in page and the API.
 */
import crypto from 'node:crypto';
import request from 'supertest';
import { createApp } from '../../src/app';
import { loadConfig } from '../../src/config';
import { SCRYPT_KEYLEN, SCRYPT_PARAMS } from '../../src/services/passwords';
import { createTestApp, PASSWORD, type TestApp } from '../helpers/app';
import { csrfOf } from '../helpers/web';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
  // An account barred by blanking its password hash: it must look like any other failure.
  await t.db('users').where({ email: 'mopac@test.example' }).update({ password_hash: '!' });
});
afterAll(() => t.close());

/** Each test signs in from addresses of its own, so the per-address counts do not mix. */
let nextAddress = 1;
const newAddress = () => `198.51.100.${nextAddress++}`;

function apiSignIn(email: string, password: string, from: string) {
  return request(t.app).post('/api/v1/session').set('X-Forwarded-For', from).send({ email, password });
}

async function pageSignIn(email: string, password: string, from: string, app = t.app) {
  const agent = request.agent(app);
  const page = await agent.get('/sign-in');
  return agent
    .post('/sign-in')
    .set('X-Forwarded-For', from)
    .type('form')
    .send({ _csrf: csrfOf(page.text), email, password, next: '/' });
}

/** The page without what differs between any two responses: the nonce, the CSRF token, the email typed. */
const pageShape = (html: string, email: string) =>
  html
    .replace(/nonce-[A-Za-z0-9+/=]+|nonce="[^"]*"/g, 'NONCE')
    .replace(/name="_csrf" value="[^"]*"/g, 'CSRF')
    .replaceAll(email, 'EMAIL');

describe('a failed sign-in', () => {
  const cases = {
    'unknown email': { email: 'nobody@test.example', password: PASSWORD },
    'wrong password': { email: 'secretariat@test.example', password: 'not the password' },
    'barred account': { email: 'mopac@test.example', password: PASSWORD },
  };

  it('answers the API the same whether the email is unknown, the password wrong or the account barred', async () => {
    const answers = [];
    for (const c of Object.values(cases)) {
      const res = await apiSignIn(c.email, c.password, newAddress());
      answers.push({ status: res.status, body: res.body });
    }
    expect(answers[0]).toEqual({ status: 401, body: { error: 'The email address or password is not right' } });
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[2]).toEqual(answers[0]);
  });

  it('shows the same page in each case', async () => {
    const pages = [];
    for (const c of Object.values(cases)) {
      const res = await pageSignIn(c.email, c.password, newAddress());
      expect(res.status).toBe(401);
      expect(res.text).toContain('Enter a correct email address and password');
      pages.push(pageShape(res.text, c.email));
    }
    expect(pages[1]).toBe(pages[0]);
    expect(pages[2]).toBe(pages[0]);
  });

  it('computes one scrypt hash with the same parameters in each case', async () => {
    const scrypt = jest.spyOn(crypto, 'scrypt');
    try {
      for (const [name, c] of Object.entries(cases)) {
        scrypt.mockClear();
        const res = await apiSignIn(c.email, c.password, newAddress());
        expect({ name, status: res.status }).toEqual({ name, status: 401 });
        // password, salt, key length, parameters, callback
        const calls = scrypt.mock.calls.map((args) => ({ keylen: args[2], ...(args[3] as object) }));
        expect({ name, calls }).toEqual({ name, calls: [{ keylen: SCRYPT_KEYLEN, ...SCRYPT_PARAMS }] });
      }
    } finally {
      scrypt.mockRestore();
    }
  });
});

describe('limits on failed sign-ins', () => {
  it('locks an email after five failures from anywhere, on the page and the API alike', async () => {
    const email = 'panel@test.example';
    for (let i = 0; i < 3; i++) expect((await apiSignIn(email, `guess ${i}`, newAddress())).status).toBe(401);
    const last = newAddress();
    for (let i = 3; i < 5; i++) expect((await pageSignIn(email, `guess ${i}`, last)).status).toBe(401);

    const api = await apiSignIn(email, PASSWORD, newAddress());
    expect(api.status).toBe(429);
    expect(api.body.error).toMatch(/^Too many failed sign-ins for this email address\. Try again in 15 minutes\.$/);
    expect(Number(api.headers['retry-after'])).toBeGreaterThan(0);
    const page = await pageSignIn(email, PASSWORD, newAddress());
    expect(page.status).toBe(429);
    expect(page.text).toContain('Too many failed sign-ins for this email address');

    // Someone else signs in from the address of the last failures.
    expect((await apiSignIn('kent@test.example', PASSWORD, last)).status).toBe(200);

    // Once the window has passed the right password works again, and clears the count.
    t.clock.advance(15 * 60_000);
    expect((await apiSignIn(email, PASSWORD, newAddress())).status).toBe(200);
    expect((await apiSignIn(email, 'one more typo', newAddress())).status).toBe(401);
    expect((await apiSignIn(email, PASSWORD, newAddress())).status).toBe(200);
  });

  it('gives guesses sent all at once no more tries than guesses sent one by one', async () => {
    const email = 'hackney@test.example';
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) => apiSignIn(email, `parallel guess ${i}`, newAddress())),
    );
    const statuses = answers.map((a) => a.status);
    // Attempts that arrive together count against each other: at most five are checked.
    const checked = statuses.filter((s) => s === 401).length;
    expect(checked).toBeLessThanOrEqual(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(30 - checked);
    // The refused attempts left no trace: what is counted is the failures that were checked.
    expect(Number((await t.db('sign_in_failures').where({ email }).count('* as n'))[0]!.n)).toBe(checked);
    // Guessing on one by one, the email is locked after five checked guesses in all.
    let more = 0;
    while ((await apiSignIn(email, `later guess ${more}`, newAddress())).status === 401) more++;
    expect(checked + more).toBe(5);
    expect((await apiSignIn(email, PASSWORD, newAddress())).status).toBe(429);
    t.clock.advance(15 * 60_000);
    expect((await apiSignIn(email, PASSWORD, newAddress())).status).toBe(200);
  });

  it('locks an address after twenty failures across any emails, and only that address', async () => {
    const guesser = '203.0.113.9';
    // Twenty different emails, none of them failing five times: only the address adds up.
    for (let i = 0; i < 10; i++) {
      expect((await apiSignIn(`guess${i}@test.example`, 'password', guesser)).status).toBe(401);
    }
    for (let i = 10; i < 20; i++) {
      expect((await pageSignIn(`guess${i}@test.example`, 'password', guesser)).status).toBe(401);
    }

    // Even the right password for a real account is refused from that address, on both.
    const api = await apiSignIn('hackney@test.example', PASSWORD, guesser);
    expect(api.status).toBe(429);
    // The wait runs from the oldest of the twenty failures, some seconds ago on the test clock.
    expect(api.body.error).toMatch(
      /^Too many failed sign-ins from this network address\. Try again in 1[45] minutes\.$/,
    );
    expect(Number(api.headers['retry-after'])).toBeGreaterThan(13 * 60);
    expect(Number(api.headers['retry-after'])).toBeLessThanOrEqual(15 * 60);
    const page = await pageSignIn('hackney@test.example', PASSWORD, guesser);
    expect(page.status).toBe(429);
    expect(page.text).toContain('Too many failed sign-ins from this network address');

    // The same person from another address signs in, on the API and on the page.
    expect((await apiSignIn('hackney@test.example', PASSWORD, newAddress())).status).toBe(200);
    const elsewhere = await pageSignIn('hackney@test.example', PASSWORD, newAddress());
    expect(elsewhere.status).toBe(302);
    expect(elsewhere.headers.location).toBe('/');

    // A successful sign-in elsewhere does not reset the guesser's count; time does.
    expect((await apiSignIn('hackney@test.example', PASSWORD, guesser)).status).toBe(429);
    t.clock.advance(15 * 60_000);
    expect((await apiSignIn('hackney@test.example', PASSWORD, guesser)).status).toBe(200);
  });

  it('believes X-Forwarded-For only from a trusted proxy, so a client cannot dodge the address limit', async () => {
    // TRUST_PROXY=false: the address is the connection's, whatever the header says.
    const direct = createApp(t.services, { sessionSecret: 'x'.repeat(32), secure: false, trustProxy: false });
    for (let i = 0; i < 20; i++) {
      const res = await pageSignIn(`spoof${i}@test.example`, 'password', `192.0.2.${i}`, direct);
      expect(res.status).toBe(401);
    }
    const refused = await pageSignIn('secretariat@test.example', PASSWORD, '192.0.2.200', direct);
    expect(refused.status).toBe(429);
    expect(refused.text).toContain('Too many failed sign-ins from this network address');
    t.clock.advance(15 * 60_000);
  });

  it('reads TRUST_PROXY as Express does, defaulting to a proxy on this machine only', () => {
    expect(loadConfig({}).trustProxy).toBe('loopback');
    expect(loadConfig({ TRUST_PROXY: 'false' }).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.0/8, loopback' }).trustProxy).toBe('10.0.0.0/8, loopback');
  });
});
