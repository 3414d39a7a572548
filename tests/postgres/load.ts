/**
 * What the fault tests share: a small world seeded straight into a database, an
 * HTTP client that never waits for ever, a driver that moves reviews through their
 * lifecycle over several app processes at once, and the checks that the database
 * and the SMTP server agree with what the clients were told.
 */
import { connect, migrate, type Db } from '../../src/db/connect';
import { samplePdf } from '../../src/demo/samplePdf';
import { hashPassword, hashToken, newToken } from '../../src/services/passwords';
import type { ParsedMail } from 'mailparser';

export const PASSWORD = 'correct horse battery staple';
/** A liveness bound, not a timing goal: a request that gets no answer in this long has hung. */
export const CLIENT_TIMEOUT_MS = 15_000;

export type Who = 'secretariat' | 'panel' | 'kent';
export const EMAILS: Record<Who, string> = {
  secretariat: 'secretariat@faults.example',
  panel: 'panel@faults.example',
  kent: 'kent@faults.example',
};

export interface World {
  db: Db;
  tokens: Record<Who, string>;
  meetingIds: number[];
}

/** Migrates the database at `url` and adds a Kent CSP, one user per role with an API token, and meetings. */
export async function seedWorld(url: string): Promise<World> {
  const db = connect({ databaseUrl: url });
  await migrate(db);
  const [area] = await db('police_force_areas')
    .insert({ name: 'Kent', pcc_name: 'Police and Crime Commissioner for Kent', pcc_email: 'pcc@kent.example' })
    .returning('id');
  const [csp] = await db('csps')
    .insert({
      name: 'Kent CSP',
      police_force_area_id: area.id,
      address_lines: JSON.stringify(['Invicta House', 'Maidstone', 'ME14 1XX']),
      contacts: JSON.stringify([{ name: 'Sam Okafor', email: 'sam@kent.example' }]),
    })
    .returning('id');
  const hash = await hashPassword(PASSWORD);
  const roles: Record<Who, { role: string; csp_id: number | null }> = {
    secretariat: { role: 'secretariat', csp_id: null },
    panel: { role: 'panel', csp_id: null },
    kent: { role: 'csp', csp_id: csp.id },
  };
  const tokens = {} as Record<Who, string>;
  for (const who of Object.keys(roles) as Who[]) {
    const [user] = await db('users')
      .insert({ email: EMAILS[who], name: `Fault ${who}`, ...roles[who], password_hash: hash })
      .returning('id');
    tokens[who] = newToken();
    await db('api_tokens').insert({
      user_id: user.id,
      token_hash: hashToken(tokens[who]),
      label: 'fault tests',
      created_at: new Date(),
    });
  }
  const meetings = await db('panel_meetings')
    .insert(['2026-01-12', '2026-02-09', '2026-03-09'].map((date) => ({ date })))
    .returning('id');
  return { db, tokens, meetingIds: meetings.map((m: { id: number }) => m.id) };
}

/** An answer, or `null` when the connection failed or nothing came back in time. */
export interface Answer {
  status: number;
  body: Record<string, unknown>;
}

export async function call(
  base: string,
  token: string | undefined,
  method: string,
  url: string,
  body?: object | FormData,
): Promise<Answer | null> {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body && !(body instanceof FormData)) headers['content-type'] = 'application/json';
  try {
    const res = await fetch(`${base}${url}`, {
      method,
      headers,
      body: body instanceof FormData ? body : body ? JSON.stringify(body) : undefined,
      signal: AbortSignal.timeout(CLIENT_TIMEOUT_MS),
    });
    const text = await res.text();
    let parsed: Record<string, unknown> = {};
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = { text };
    }
    return { status: res.status, body: parsed };
  } catch (err) {
    if ((err as Error).name === 'TimeoutError')
      throw new Error(`${method} ${url} got no answer in ${CLIENT_TIMEOUT_MS} ms`, { cause: err });
    return null;
  }
}

/** Notifies a Kent review and attaches the three documents SUBMIT needs; returns its id. */
export async function notifiedWithDocuments(base: string, world: World, pseudonym: string): Promise<number> {
  const created = await call(base, world.tokens.kent, 'POST', '/api/v1/reviews', { pseudonym });
  if (created?.status !== 201) throw new Error(`notify: ${JSON.stringify(created)}`);
  const id = created.body.id as number;
  for (const kind of ['overview_report', 'executive_summary', 'action_plan']) {
    const form = new FormData();
    form.append('kind', kind);
    form.append('file', new Blob([new Uint8Array(samplePdf(`${pseudonym} ${kind}`))]), `${kind}.pdf`);
    const res = await call(base, world.tokens.kent, 'POST', `/api/v1/reviews/${id}/documents`, form);
    if (res?.status !== 201) throw new Error(`upload ${kind}: ${JSON.stringify(res)}`);
  }
  return id;
}

/** The event a person would send next, and who sends it, for a review in `state`. */
function nextEvent(state: string, world: World, step: number): { who: Who; event: Record<string, unknown> } {
  switch (state) {
    case 'notified':
      return { who: 'kent', event: { type: 'SUBMIT' } };
    case 'submitted':
      return { who: 'secretariat', event: { type: 'SCHEDULE', meetingId: world.meetingIds[0] } };
    case 'scheduled':
      // Moving between meetings is a transition that can be repeated: it keeps the races going.
      return step % 3 === 2
        ? {
            who: 'panel',
            event: {
              type: 'RECORD_OUTCOME',
              outcome: 'resubmit',
              commendations: 'A thorough review.',
              areas: [{ text: 'Involve the family.' }],
            },
          }
        : { who: 'secretariat', event: { type: 'SCHEDULE', meetingId: world.meetingIds[1 + (step % 2)] } };
    case 'letter_pending':
      return { who: 'secretariat', event: { type: 'SEND_LETTER' } };
    case 'on_hold':
      return { who: 'secretariat', event: { type: 'RESUME' } };
    default:
      return { who: 'secretariat', event: { type: 'PAUSE', category: 'other', reason: `Paused at step ${step}` } };
  }
}

/** What the clients were told: the events acknowledged, and the requests that got no answer. */
export interface Tally {
  /** review id → version → the event type the server said it applied at that version */
  applied: Map<number, Map<number, string>>;
  conflicts: number;
  /** Requests whose connection failed: they may or may not have been applied. */
  lost: number;
  /** Answers other than 200 and 409 (a 503 while the database is down, say). */
  other: Map<number, number>;
  requests: number;
  /** app address → events sent to it and not yet answered */
  sending: Map<string, number>;
}

export function newTally(): Tally {
  return { applied: new Map(), conflicts: 0, lost: 0, other: new Map(), requests: 0, sending: new Map() };
}

/**
 * Moves `reviewIds` through their lifecycle: `clientsPerReview` clients each read
 * a review and send the event that comes next with the version they read, so the
 * clients of one review race and exactly one of them may win each version. Each
 * request goes to the next of `apps()` in turn. Stops after `steps` rounds each.
 */
export async function drive(options: {
  apps: () => string[];
  world: World;
  reviewIds: number[];
  clientsPerReview: number;
  steps: number;
  tally: Tally;
  onAnswer?: () => void;
}): Promise<void> {
  const { world, tally } = options;
  let turn = 0;
  const pick = () => {
    const apps = options.apps();
    return apps[turn++ % apps.length]!;
  };
  const client = async (reviewId: number) => {
    for (let step = 0; step < options.steps; step++) {
      const read = await call(pick(), world.tokens.secretariat, 'GET', `/api/v1/reviews/${reviewId}`);
      tally.requests++;
      options.onAnswer?.();
      if (read?.status !== 200) continue;
      const { who, event } = nextEvent(read.body.state as string, world, step);
      const app = pick();
      tally.sending.set(app, (tally.sending.get(app) ?? 0) + 1);
      const res = await call(app, world.tokens[who], 'POST', `/api/v1/reviews/${reviewId}/events`, {
        ...event,
        expectedVersion: read.body.version,
      });
      tally.sending.set(app, tally.sending.get(app)! - 1);
      tally.requests++;
      options.onAnswer?.();
      if (!res) tally.lost++;
      else if (res.status === 200) {
        const versions = tally.applied.get(reviewId) ?? new Map<number, string>();
        // The answer shows the review as read after the commit, perhaps after later events too;
        // the version the event itself made is the one it was sent against, plus one.
        const version = (read.body.version as number) + 1;
        if (versions.has(version)) throw new Error(`review ${reviewId}: version ${version} acknowledged twice`);
        versions.set(version, event.type as string);
        tally.applied.set(reviewId, versions);
      } else if (res.status === 409) tally.conflicts++;
      else tally.other.set(res.status, (tally.other.get(res.status) ?? 0) + 1);
    }
  };
  await Promise.all(
    options.reviewIds.flatMap((id) => Array.from({ length: options.clientsPerReview }, () => client(id))),
  );
}

/** What is wrong with the database, in words; empty when every review is consistent. */
export async function inconsistencies(db: Db, tally: Tally): Promise<string[]> {
  const problems: string[] = [];
  const reviews = await db('reviews').orderBy('id').select('id', 'state', 'version');
  for (const review of reviews) {
    const events = await db('review_events').where({ review_id: review.id }).orderBy('id');
    // One event per version, each starting where the one before ended, the last where the review is.
    if (events.length !== review.version)
      problems.push(`review ${review.id}: version ${review.version} but ${events.length} events`);
    events.forEach((e, i) => {
      const before = i === 0 ? null : events[i - 1].to_state;
      if (e.from_state !== before)
        problems.push(`review ${review.id}: event ${i + 1} (${e.type}) starts at ${e.from_state}, not ${before}`);
    });
    if (events.at(-1)?.to_state !== review.state)
      problems.push(
        `review ${review.id}: state ${review.state} but its last event leads to ${events.at(-1)?.to_state}`,
      );
    // Every acknowledged event is in the history at the version the client was told.
    for (const [version, type] of tally.applied.get(review.id) ?? []) {
      if (events[version - 1]?.type !== type)
        problems.push(
          `review ${review.id}: told ${type} at version ${version}, history has ${events[version - 1]?.type}`,
        );
    }
    // A transition and its effects are one: mail, letters and documents exist exactly when their event does.
    const count = (type: string) => events.filter((e) => e.type === type).length;
    const mail = await db('outbox').where({ review_id: review.id }).select('kind', 'letter_id');
    const acknowledgements = mail.filter((m) => m.kind === 'acknowledgement').length;
    if (acknowledgements !== count('SUBMIT'))
      problems.push(`review ${review.id}: ${count('SUBMIT')} SUBMIT events but ${acknowledgements} acknowledgements`);
    const outcomeKinds = ['publish', 'publish_after_changes', 'resubmit'];
    const sentLetters = await db('letters')
      .where({ review_id: review.id })
      .whereIn('kind', outcomeKinds)
      .whereNotNull('sent_at')
      .count('* as n');
    const letterMail = mail.filter((m) => outcomeKinds.includes(m.kind) && m.letter_id !== null).length;
    if (Number(sentLetters[0]!.n) !== count('SEND_LETTER') || letterMail !== count('SEND_LETTER'))
      problems.push(
        `review ${review.id}: ${count('SEND_LETTER')} SEND_LETTER events, ${sentLetters[0]!.n} letters sent, ${letterMail} mailed`,
      );
    const rounds = await db('rounds').where({ review_id: review.id }).count('* as n');
    if (Number(rounds[0]!.n) !== count('RECORD_OUTCOME'))
      problems.push(`review ${review.id}: ${count('RECORD_OUTCOME')} outcomes recorded but ${rounds[0]!.n} rounds`);
  }
  return problems;
}

/** Every outbox message, by Message-ID, with how often the SMTP server received it. */
export async function deliveries(db: Db, received: ParsedMail[]) {
  const outbox = await db('outbox').orderBy('id').select('message_id', 'status');
  const times = new Map<string, number>();
  for (const m of received) times.set(m.messageId!, (times.get(m.messageId!) ?? 0) + 1);
  return {
    outbox,
    notSent: outbox.filter((m) => m.status !== 'sent').map((m) => `${m.message_id} ${m.status}`),
    twice: [...times].filter(([, n]) => n > 1).map(([id, n]) => `${id} received ${n} times`),
    unknown: [...times.keys()].filter((id) => !outbox.some((m) => m.message_id === id)),
    missing: outbox.filter((m) => !times.has(m.message_id)).map((m) => m.message_id as string),
  };
}

/** Waits until `check` is true, trying every half second, or fails after `ms`. */
export async function eventually(what: string, check: () => Promise<boolean>, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${ms / 1000} s`);
    await new Promise((r) => setTimeout(r, 500));
  }
}
