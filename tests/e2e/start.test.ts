import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cli, serverRefuses, startServer } from '../helpers/processes';
import { createTestDb } from '../helpers/db';

/**
 * The app as a newcomer meets it: `npm start` on an empty database seeds demo data
 * and prints where to sign in; the command line administers the same database.
 */
jest.setTimeout(120_000);

let dataDir: string;
let database: Awaited<ReturnType<typeof createTestDb>> | undefined;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dhr-qa-start-'));
  env = { DATA_DIR: dataDir };
  // On the PostgreSQL run the app gets an empty database of its own on that server.
  if (process.env.TEST_DATABASE_URL) {
    database = await createTestDb();
    await database.db.migrate.rollback(
      { directory: path.join(__dirname, '..', '..', 'migrations'), loadExtensions: ['.ts'] },
      true,
    );
    env.DATABASE_URL = database.url;
  }
});
afterAll(async () => {
  await database?.destroy();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function json(url: string, init: RequestInit & { token?: string } = {}) {
  const res = await fetch(url, {
    ...init,
    headers: { 'content-type': 'application/json', ...(init.token ? { authorization: `Bearer ${init.token}` } : {}) },
  });
  return { status: res.status, body: (await res.json()) as any }; // eslint-disable-line @typescript-eslint/no-explicit-any
}

describe('starting the app on an empty database', () => {
  it('seeds demo data, prints the URL and the logins, and serves the API', async () => {
    const server = await startServer({ ...env, DEMO_PASSWORD: 'first demo password' });
    try {
      expect(server.output()).toContain('secretariat@dhr-qa.example');
      expect(server.output()).toContain('password for all of them: first demo password');
      expect((await json(`${server.url}/ready`)).body).toEqual({ status: 'ready' });

      const signIn = await json(`${server.url}/api/v1/session`, {
        method: 'POST',
        body: JSON.stringify({ email: 'secretariat@dhr-qa.example', password: 'first demo password' }),
      });
      expect(signIn.status).toBe(200);
      const token = signIn.body.token;
      const areas = await json(`${server.url}/api/v1/police-force-areas`, { token });
      expect(areas.body).toHaveLength(43);
      const csps = await json(`${server.url}/api/v1/csps`, { token });
      expect(csps.body.map((c: { name: string }) => c.name)).toEqual([
        'Hackney Community Safety Partnership',
        'Harlow Community Safety Partnership',
        'Kent Community Safety Partnership',
      ]);
      const reviews = await json(`${server.url}/api/v1/reviews`, { token });
      const mary = reviews.body.find((r: { pseudonym: string }) => r.pseudonym === 'Mary');
      expect(mary.state).toBe('submitted');
      const meetings = await json(`${server.url}/api/v1/panel-meetings`, { token });
      const scheduled = await json(`${server.url}/api/v1/reviews/${mary.id}/events`, {
        method: 'POST',
        token,
        body: JSON.stringify({ type: 'SCHEDULE', meetingId: meetings.body[0].id }),
      });
      expect(scheduled.body.state).toBe('scheduled');
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });

  it('lets an administrator add a user and a token from the command line', () => {
    const added = cli(
      [
        'add-user',
        '--email',
        'pcc.office@kent.example',
        '--name',
        'Kent PCC office',
        '--role',
        'pcc',
        '--area',
        'Kent',
      ],
      env,
    );
    expect(added.status).toBe(0);
    expect(added.output).toMatch(/Added pcc user pcc.office@kent.example/);
    expect(added.output).toMatch(/Password: \S{12,}/);
    const bad = cli(['add-user', '--email', 'not-an-email', '--name', 'X', '--role', 'csp'], env);
    expect(bad.status).toBe(1);
    expect(bad.output).toContain('email: must be an email address');
    const token = cli(['create-token', '--email', 'pcc.office@kent.example', '--days', '30'], env);
    expect(token.status).toBe(0);
    fs.writeFileSync(path.join(dataDir, 'token'), token.output.trim().split('\n').at(-1)!);
  });

  it('keeps its data across a restart, without seeding again, and honours the command-line token', async () => {
    const server = await startServer({ ...env, DEMO_PASSWORD: 'second demo password' });
    try {
      expect(server.output()).toContain('password for all of them: second demo password');
      const token = fs.readFileSync(path.join(dataDir, 'token'), 'utf8');
      const reviews = await json(`${server.url}/api/v1/reviews`, { token });
      expect(reviews.status).toBe(200);
      expect(reviews.body.map((r: { pseudonym: string; state: string }) => [r.pseudonym, r.state]).sort()).toEqual([
        ['Anne', 'notified'],
        ['Mary', 'scheduled'],
      ]);
      const old = await json(`${server.url}/api/v1/session`, {
        method: 'POST',
        body: JSON.stringify({ email: 'panel@dhr-qa.example', password: 'first demo password' }),
      });
      expect(old.status).toBe(401);
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });

  it('refuses to start in production without a session secret', () => {
    const run = serverRefuses({ ...env, NODE_ENV: 'production' });
    expect(run.status).toBe(1);
    expect(run.output).toContain('SESSION_SECRET must be set');
  });
});
