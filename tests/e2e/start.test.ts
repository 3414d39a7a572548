import fs from 'node:fs';
import path from 'node:path';
import { simpleParser, type ParsedMail } from 'mailparser';
import { samplePdf } from '../../src/demo/samplePdf';
import { cli, freshAppData, serverRefuses, startServer } from '../helpers/processes';
import { startSmtp } from '../helpers/smtp';

/**
 * The app as a newcomer meets it: `npm start` on an empty database seeds demo data
 * and prints where to sign in; the command line administers the same database.
 */
jest.setTimeout(120_000);

type AppData = Awaited<ReturnType<typeof freshAppData>>;
const made: AppData[] = [];
async function newAppData(): Promise<AppData> {
  const data = await freshAppData('dhr-qa-start-');
  made.push(data);
  return data;
}
afterAll(async () => {
  for (const data of made) await data.remove();
});

/**
 * A data directory the app has already started on (so it holds the demo data), with its reviews'
 * states as the app left them. The first test leaves its own; a test that runs without it (alone, or
 * before it) starts the app on a new one here. Either way the tests run in any order.
 */
let started: { data: AppData; states: [string, string][] } | undefined;
async function startedData() {
  if (!started) {
    const data = await newAppData();
    const server = await startServer({ ...data.env, DEMO_PASSWORD: 'first demo password' });
    try {
      started = { data, states: await reviewStates(server.url) };
    } finally {
      expect(await server.stop()).toBe(0);
    }
  }
  return started;
}

async function json(url: string, init: RequestInit & { token?: string } = {}) {
  const res = await fetch(url, {
    ...init,
    headers: { 'content-type': 'application/json', ...(init.token ? { authorization: `Bearer ${init.token}` } : {}) },
  });
  return { status: res.status, body: (await res.json()) as any }; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** Each review's pseudonym and state, sorted, as the secretariat reads them through the API. */
async function reviewStates(url: string, password = 'first demo password'): Promise<[string, string][]> {
  const signIn = await json(`${url}/api/v1/session`, {
    method: 'POST',
    body: JSON.stringify({ email: 'secretariat@dhr-qa.example', password }),
  });
  const reviews = await json(`${url}/api/v1/reviews`, { token: signIn.body.token });
  return reviews.body.map((r: { pseudonym: string; state: string }) => [r.pseudonym, r.state]).sort();
}

/** A PCC office's account and API token, made at the command line; returns the token. */
function pccToken(env: NodeJS.ProcessEnv, email: string) {
  const added = cli(
    ['add-user', '--email', email, '--name', 'Kent PCC office', '--role', 'pcc', '--area', 'Kent'],
    env,
  );
  expect(added.status).toBe(0);
  expect(added.output).toContain(`Added pcc user ${email}`);
  expect(added.output).toMatch(/Password: \S{12,}/);
  const token = cli(['create-token', '--email', email, '--days', '30'], env);
  expect(token.status).toBe(0);
  return token.output.trim().split('\n').at(-1)!;
}
/** The token the command-line test made, by data directory, for the restart test to use. */
const tokens = new Map<string, string>();

describe('starting the app on an empty database', () => {
  it('seeds demo data, prints the URL and the logins, and serves the API', async () => {
    const data = await newAppData();
    const server = await startServer({
      ...data.env,
      DEMO_PASSWORD: 'first demo password',
      WORKER_INTERVAL_SECONDS: '1',
    });
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
      const today = new Date().toISOString().slice(0, 10);
      // Newest first: the first meeting on or before today is the one the demo held today.
      const todays = meetings.body.find((m: { date: string }) => m.date <= today);
      expect(meetings.body.map((m: { date: string }) => m.date).filter((d: string) => d > today)).toHaveLength(1);
      const scheduled = await json(`${server.url}/api/v1/reviews/${mary.id}/events`, {
        method: 'POST',
        token,
        // Today's meeting: the demo adds one so that an outcome can be recorded at once.
        body: JSON.stringify({ type: 'SCHEDULE', meetingId: todays.id }),
      });
      expect(scheduled.body.state).toBe('scheduled');

      // Recording the outcome and sending the letter leaves a frozen letter and an email in the local mailbox.
      await json(`${server.url}/api/v1/reviews/${mary.id}/events`, {
        method: 'POST',
        token,
        body: JSON.stringify({
          type: 'RECORD_OUTCOME',
          outcome: 'publish_after_changes',
          commendations: 'A compassionate report.',
          areas: [{ text: 'Remove the date of death from the report.' }],
        }),
      });
      const sent = await json(`${server.url}/api/v1/reviews/${mary.id}/events`, {
        method: 'POST',
        token,
        body: JSON.stringify({ type: 'SEND_LETTER' }),
      });
      expect(sent.body.state).toBe('revising');
      const letter = sent.body.letters.find((l: { kind: string }) => l.kind === 'publish_after_changes');
      const frozen = await json(`${server.url}/api/v1/letters/${letter.id}`, { token });
      expect(frozen.body).toMatchObject({ status: 'sent', sha256: { pdf: expect.stringMatching(/^[0-9a-f]{64}$/) } });
      const pdf = await fetch(`${server.url}/api/v1/letters/${letter.id}/pdf`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(pdf.headers.get('content-type')).toBe('application/pdf');

      const mailDir = path.join(data.dataDir, 'mail');
      const deadline = Date.now() + 20_000;
      let outcomeMail: ParsedMail | undefined;
      while (!outcomeMail && Date.now() < deadline) {
        const files = fs.existsSync(mailDir) ? fs.readdirSync(mailDir).filter((f) => f.endsWith('.eml')) : [];
        const parsed = await Promise.all(files.map((f) => simpleParser(fs.readFileSync(path.join(mailDir, f)))));
        outcomeMail = parsed.find((m) => m.subject?.includes('(Mary): feedback from the Quality Assurance Panel'));
        if (!outcomeMail) await new Promise((resolve) => setTimeout(resolve, 250));
      }
      const addresses = (a: ParsedMail['to']) =>
        (Array.isArray(a) ? a : a ? [a] : []).flatMap((x) => x.value.map((v) => v.address));
      expect(addresses(outcomeMail!.to)).toEqual(['sam.okafor@kent-csp.example', 'priya.shah@kent-csp.example']);
      expect(addresses(outcomeMail!.cc)).toEqual(['office@kent-pcc.example']);
      expect(outcomeMail!.attachments.map((a) => a.contentType)).toEqual(['application/pdf']);

      const states = await reviewStates(server.url);
      expect(states).toEqual([
        ['Anne', 'notified'],
        ['Beth', 'on_hold'],
        ['Hackney review', 'closed'],
        ['Harlow review', 'published'],
        ['Lena', 'letter_pending'],
        ['Mary', 'revising'],
        ['Nell', 'decision_scheduled'],
      ]);
      started ??= { data, states };
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });

  it('lets an administrator add a user and a token from the command line', async () => {
    const { data } = await startedData();
    tokens.set(data.dataDir, pccToken(data.env, 'pcc.office@kent.example'));
    const bad = cli(['add-user', '--email', 'not-an-email', '--name', 'X', '--role', 'csp'], data.env);
    expect(bad.status).toBe(1);
    expect(bad.output).toContain('email: must be an email address');
  });

  it('keeps its data across a restart, without seeding again, honours the command-line token, and sends mail to SMTP_URL', async () => {
    const { data, states } = await startedData();
    const token = tokens.get(data.dataDir) ?? pccToken(data.env, 'pcc.restart@kent.example');
    const smtp = await startSmtp();
    const server = await startServer({
      ...data.env,
      DEMO_PASSWORD: 'second demo password',
      SMTP_URL: smtp.url(),
      WORKER_INTERVAL_SECONDS: '1',
    });
    try {
      expect(server.output()).toContain(`Mail goes to SMTP (${smtp.url().slice('smtp://'.length)})`);
      expect(server.output()).toContain('password for all of them: second demo password');
      // The reviews as the first start left them: nothing seeded again, nothing lost.
      expect(await reviewStates(server.url, 'second demo password')).toEqual(states);
      // The command-line token reads as its PCC office: Kent's reviews alone.
      const reviews = await json(`${server.url}/api/v1/reviews`, { token });
      expect(reviews.status).toBe(200);
      expect(reviews.body.map((r: { pseudonym: string }) => r.pseudonym).sort()).toEqual(['Anne', 'Mary', 'Nell']);
      const old = await json(`${server.url}/api/v1/session`, {
        method: 'POST',
        body: JSON.stringify({ email: 'panel@dhr-qa.example', password: 'first demo password' }),
      });
      expect(old.status).toBe(401);

      // Anne's CSP attaches the three documents and submits: the acknowledgement reaches the SMTP server.
      const kent = await json(`${server.url}/api/v1/session`, {
        method: 'POST',
        body: JSON.stringify({ email: 'csp.kent@dhr-qa.example', password: 'second demo password' }),
      });
      const anne = reviews.body.find((r: { pseudonym: string }) => r.pseudonym === 'Anne');
      for (const kind of ['overview_report', 'executive_summary', 'action_plan']) {
        const form = new FormData();
        form.append('kind', kind);
        form.append('file', new Blob([samplePdf(kind)], { type: 'application/pdf' }), `${kind}.pdf`);
        const up = await fetch(`${server.url}/api/v1/reviews/${anne.id}/documents`, {
          method: 'POST',
          headers: { authorization: `Bearer ${kent.body.token}` },
          body: form,
        });
        expect(up.status).toBe(201);
      }
      const submitted = await json(`${server.url}/api/v1/reviews/${anne.id}/events`, {
        method: 'POST',
        token: kent.body.token,
        body: JSON.stringify({ type: 'SUBMIT' }),
      });
      expect(submitted.body.state).toBe('submitted');
      const deadline = Date.now() + 20_000;
      const anneMail = () => smtp.received.filter((m) => m.subject?.includes('(Anne)'));
      // The CSP's acknowledgement and the secretariat's notice of the submission, each once.
      while (anneMail().length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
      expect(
        anneMail()
          .map((m) => m.subject)
          .sort(),
      ).toEqual([
        expect.stringMatching(/^DHR-2026-\d{4} \(Anne\) submitted by Kent Community Safety Partnership$/),
        expect.stringMatching(/\(Anne\): submission received$/),
      ]);
    } finally {
      expect(await server.stop()).toBe(0);
      await smtp.stop();
    }
  });

  it('refuses to start in production without a session secret', async () => {
    const run = serverRefuses({ ...(await newAppData()).env, NODE_ENV: 'production' });
    expect(run.status).toBe(1);
    expect(run.output).toContain('SESSION_SECRET must be set');
  });
});
