/**
 * The query budget: every GET route the app answers (read from its routers by
 * tests/helpers/routes.ts), called as the role that would use it in a realistic world,
 * and every lifecycle event sent through the API, with its database round trips counted
 * (knex's `query` events, BEGIN and COMMIT included: each is a round trip).
 *
 *   a page (GET outside /api)          at most 4, the session lookup included
 *   an API read (GET under /api/v1)    at most 3, the token lookup included
 *   an event (POST …/reviews/:id/events) at most 8
 *
 * A route that cannot meet its budget yet is in EXCEPTIONS, with its own budget and the
 * reason; a GET route without an entry in CALLS fails the first test. The figures are
 * printed as one table at the end.
 */
import fs from 'node:fs';
import request from 'supertest';
import { createTestApp, meeting, PASSWORD, pdf, reviewAt, type TestApp, type Who } from '../helpers/app';
import { enumerateRoutes, matchesRoute } from '../helpers/routes';
import { signedIn, signedInAs } from '../helpers/web';
import { createApp } from '../../src/app';
import { VERSIONS_SQL, withVersions } from '../../src/db/cacheVersions';
import { mailboxTransport } from '../../src/mail/transport';
import { createServices } from '../../src/services';
import { createKeptForms } from '../../src/web/keptForms';
import { hashToken } from '../../src/services/passwords';

const BUDGET = { page: 4, api: 3, event: 8 };

/**
 * Routes allowed more than their kind's budget, each with why. Keep this short: a route
 * belongs here only while its work cannot reasonably be done in fewer round trips.
 */
const EXCEPTIONS: Record<string, { budget: number; reason: string }> = {
  // Measured on its first visit after a change; a second visit reuses the figures (2 queries: see ALSO).
  'GET /dashboard': {
    budget: 9,
    reason: 'reads the pipeline figures afresh after any change: 7 queries run at once, each a different aggregate',
  },
};

/** Who makes the call: a role of the test app, Kent Police's agency user, someone half-way through signing in, or no one. */
type Caller = Who | 'police' | 'codeOwed' | 'setUpOwed' | 'signedOut';

/** The ids the calls are made on: see buildWorld. */
interface World {
  /** Kent's review with its letter sent, revising, one of its two items answered. */
  revising: number;
  item: number;
  document: number;
  sentLetter: number;
  /** Kent's review with its outcome recorded and its letter a draft. */
  drafted: number;
  draftLetter: number;
  /** Kent's review scheduled for today's meeting, no outcome yet. */
  scheduled: number;
  /** Kent's decision not to hold a review, on today's agenda; another with the panel's view recorded. */
  declined: number;
  viewed: number;
  /** Kent's review just notified, with one document: removable. */
  notified: number;
  notifiedDocument: number;
  /** Kent's approved review with imported recommendations, and Kent Police's work on them. */
  recommended: number;
  recommendation: number;
  organisation: number;
  link: number;
  action: number;
  update: number;
  meeting: number;
  mail: number;
  spareUser: number;
  kentCsp: number;
  kentArea: number;
  keptForm: string;
  resetToken: string;
}

interface Call {
  who: Caller;
  url: (w: World) => string;
}

const CALLS: Record<string, Call> = {
  // ---- outside both routers
  'GET /health': { who: 'signedOut', url: () => '/health' },
  'GET /ready': { who: 'signedOut', url: () => '/ready' },
  'GET /assets/govuk-frontend.min.css': { who: 'signedOut', url: () => '/assets/govuk-frontend.min.css' },
  'GET /assets/govuk-frontend.min.js': { who: 'signedOut', url: () => '/assets/govuk-frontend.min.js' },

  // ---- the JSON API
  'GET /api/v1/me': { who: 'kent', url: () => '/api/v1/me' },
  'GET /api/v1/police-force-areas': { who: 'secretariat', url: () => '/api/v1/police-force-areas' },
  'GET /api/v1/csps': { who: 'secretariat', url: () => '/api/v1/csps' },
  'GET /api/v1/users': { who: 'secretariat', url: () => '/api/v1/users' },
  'GET /api/v1/users/:id': { who: 'secretariat', url: (w) => `/api/v1/users/${w.spareUser}` },
  'GET /api/v1/panel-meetings': { who: 'secretariat', url: () => '/api/v1/panel-meetings' },
  'GET /api/v1/panel-meetings/:id': { who: 'panel', url: (w) => `/api/v1/panel-meetings/${w.meeting}` },
  'GET /api/v1/letters/:id': { who: 'kent', url: (w) => `/api/v1/letters/${w.sentLetter}` },
  'GET /api/v1/letters/:id/pdf': { who: 'kent', url: (w) => `/api/v1/letters/${w.sentLetter}/pdf` },
  'GET /api/v1/letter-templates': { who: 'secretariat', url: () => '/api/v1/letter-templates' },
  'GET /api/v1/letter-templates/:kind': { who: 'secretariat', url: () => '/api/v1/letter-templates/publish' },
  'GET /api/v1/letter-templates/:kind/versions': {
    who: 'secretariat',
    url: () => '/api/v1/letter-templates/publish/versions',
  },
  'GET /api/v1/letter-templates/:kind/versions/:version': {
    who: 'secretariat',
    url: () => '/api/v1/letter-templates/publish/versions/1',
  },
  'GET /api/v1/settings': { who: 'secretariat', url: () => '/api/v1/settings' },
  'GET /api/v1/stage-targets': { who: 'secretariat', url: () => '/api/v1/stage-targets' },
  'GET /api/v1/stage-times': { who: 'secretariat', url: () => '/api/v1/stage-times' },
  'GET /api/v1/mail': { who: 'secretariat', url: () => '/api/v1/mail' },
  'GET /api/v1/mail/:id': { who: 'secretariat', url: (w) => `/api/v1/mail/${w.mail}` },
  'GET /api/v1/mail/:id/eml': { who: 'secretariat', url: (w) => `/api/v1/mail/${w.mail}/eml` },
  'GET /api/v1/reviews': { who: 'kent', url: () => '/api/v1/reviews' },
  'GET /api/v1/reviews/:id': { who: 'kent', url: (w) => `/api/v1/reviews/${w.revising}` },
  'GET /api/v1/reviews/:id/documents/:documentId': {
    who: 'kent',
    url: (w) => `/api/v1/reviews/${w.revising}/documents/${w.document}`,
  },
  'GET /api/v1/reviews/:id/recommendations': {
    who: 'kent',
    url: (w) => `/api/v1/reviews/${w.recommended}/recommendations`,
  },
  'GET /api/v1/reviews/:id/recommendations/report': {
    who: 'kent',
    url: (w) => `/api/v1/reviews/${w.recommended}/recommendations/report`,
  },
  'GET /api/v1/reviews/:id/recommendations/response': {
    who: 'police',
    url: (w) => `/api/v1/reviews/${w.recommended}/recommendations/response?organisationId=${w.organisation}`,
  },
  'GET /api/v1/recommendations': { who: 'police', url: () => '/api/v1/recommendations' },
  'GET /api/v1/recommendations/triage': { who: 'secretariat', url: () => '/api/v1/recommendations/triage' },
  'GET /api/v1/qa-criteria': { who: 'secretariat', url: () => '/api/v1/qa-criteria' },
  'GET /api/v1/reviews/:id/qa-checklist': { who: 'kent', url: (w) => `/api/v1/reviews/${w.revising}/qa-checklist` },
  'GET /api/v1/national/qa-criteria': { who: 'panel', url: () => '/api/v1/national/qa-criteria' },
  'GET /api/v1/recommendations/report': {
    who: 'police',
    url: (w) => `/api/v1/recommendations/report?organisationId=${w.organisation}`,
  },
  'GET /api/v1/organisations': { who: 'secretariat', url: () => '/api/v1/organisations' },
  'GET /api/v1/national': { who: 'secretariat', url: () => '/api/v1/national' },
  'GET /api/v1/action-updates/:id/evidence': {
    who: 'police',
    url: (w) => `/api/v1/action-updates/${w.update}/evidence`,
  },

  // ---- the pages
  'GET /sign-in': { who: 'signedOut', url: () => '/sign-in' },
  'GET /sign-in/code': { who: 'codeOwed', url: () => '/sign-in/code' },
  'GET /sign-in/set-up': { who: 'setUpOwed', url: () => '/sign-in/set-up' },
  'GET /account': { who: 'kent', url: () => '/account' },
  'GET /account/two-factor': { who: 'kent', url: () => '/account/two-factor' },
  'GET /': { who: 'kent', url: () => '/' },
  'GET /resume/:id': { who: 'kent', url: (w) => `/resume/${w.keptForm}` },
  'GET /dashboard': { who: 'secretariat', url: () => '/dashboard' },
  'GET /reviews': { who: 'secretariat', url: () => '/reviews' },
  'GET /reviews.csv': { who: 'secretariat', url: () => '/reviews.csv' },
  'GET /my-reviews': { who: 'kent', url: () => '/my-reviews' },
  'GET /reviews/new': { who: 'kent', url: () => '/reviews/new' },
  'GET /reviews/:id': { who: 'kent', url: (w) => `/reviews/${w.revising}` },
  'GET /reviews/:id/submit': { who: 'kent', url: (w) => `/reviews/${w.notified}/submit` },
  'GET /reviews/:id/withdraw': { who: 'secretariat', url: (w) => `/reviews/${w.notified}/withdraw` },
  'GET /reviews/:id/confirmation/:step': {
    who: 'secretariat',
    url: (w) => `/reviews/${w.revising}/confirmation/letter-sent`,
  },
  'GET /reviews/:id/documents/:documentId/remove': {
    who: 'kent',
    url: (w) => `/reviews/${w.notified}/documents/${w.notifiedDocument}/remove`,
  },
  'GET /reviews/:id/documents/:documentId/replace': {
    who: 'kent',
    url: (w) => `/reviews/${w.notified}/documents/${w.notifiedDocument}/replace`,
  },
  'GET /reviews/:id/details': { who: 'kent', url: (w) => `/reviews/${w.revising}/details` },
  'GET /reviews/:id/distribution/:recipient': {
    who: 'kent',
    url: (w) => `/reviews/${w.recommended}/distribution/family`,
  },
  'GET /api/v1/reviews/:id/distribution': { who: 'kent', url: (w) => `/api/v1/reviews/${w.recommended}/distribution` },
  'GET /reviews/:id/documents/:documentId': {
    who: 'kent',
    url: (w) => `/reviews/${w.revising}/documents/${w.document}`,
  },
  'GET /reviews/:id/items': { who: 'kent', url: (w) => `/reviews/${w.revising}/items` },
  'GET /reviews/:id/items/:itemId': { who: 'kent', url: (w) => `/reviews/${w.revising}/items/${w.item}` },
  'GET /reviews/:id/submit-revisions': { who: 'kent', url: (w) => `/reviews/${w.revising}/submit-revisions` },
  'GET /letters': { who: 'kent', url: () => '/letters' },
  'GET /letters/:id': { who: 'kent', url: (w) => `/letters/${w.sentLetter}` },
  'GET /letters/:id/pdf': { who: 'kent', url: (w) => `/letters/${w.sentLetter}/pdf` },
  'GET /letters/:id/addressing': { who: 'secretariat', url: (w) => `/letters/${w.draftLetter}/addressing` },
  'GET /letters/:id/send': { who: 'secretariat', url: (w) => `/letters/${w.draftLetter}/send` },
  'GET /meetings': { who: 'secretariat', url: () => '/meetings' },
  'GET /meetings/:id': { who: 'panel', url: (w) => `/meetings/${w.meeting}` },
  'GET /meetings/:id/pack': { who: 'panel', url: (w) => `/meetings/${w.meeting}/pack` },
  'GET /meetings/:meetingId/reviews/:reviewId/outcome': {
    who: 'panel',
    url: (w) => `/meetings/${w.meeting}/reviews/${w.scheduled}/outcome`,
  },
  'GET /mail': { who: 'secretariat', url: () => '/mail' },
  'GET /mail/:id': { who: 'secretariat', url: (w) => `/mail/${w.mail}` },
  'GET /mail/:id/eml': { who: 'secretariat', url: (w) => `/mail/${w.mail}/eml` },
  'GET /admin': { who: 'secretariat', url: () => '/admin' },
  'GET /admin/csps': { who: 'secretariat', url: () => '/admin/csps' },
  'GET /admin/csps/new': { who: 'secretariat', url: () => '/admin/csps/new' },
  'GET /admin/csps/:id': { who: 'secretariat', url: (w) => `/admin/csps/${w.kentCsp}` },
  'GET /admin/police-force-areas': { who: 'secretariat', url: () => '/admin/police-force-areas' },
  'GET /admin/police-force-areas/:id': { who: 'secretariat', url: (w) => `/admin/police-force-areas/${w.kentArea}` },
  'GET /admin/users': { who: 'secretariat', url: () => '/admin/users' },
  'GET /admin/users/new': { who: 'secretariat', url: () => '/admin/users/new' },
  'GET /admin/users/:id': { who: 'secretariat', url: (w) => `/admin/users/${w.spareUser}` },
  'GET /reset-password': { who: 'signedOut', url: (w) => `/reset-password?token=${w.resetToken}` },
  'GET /admin/templates': { who: 'secretariat', url: () => '/admin/templates' },
  'GET /admin/templates/:kind': { who: 'secretariat', url: () => '/admin/templates/publish' },
  'GET /admin/templates/:kind/versions/:version': {
    who: 'secretariat',
    url: () => '/admin/templates/publish/versions/1',
  },
  'GET /admin/settings': { who: 'secretariat', url: () => '/admin/settings' },
  'GET /admin/stage-targets': { who: 'secretariat', url: () => '/admin/stage-targets' },
  'GET /admin/organisations': { who: 'secretariat', url: () => '/admin/organisations' },
  'GET /national': { who: 'secretariat', url: () => '/national' },
  'GET /time-taken': { who: 'secretariat', url: () => '/time-taken' },
  'GET /national.csv': { who: 'secretariat', url: () => '/national.csv' },
  'GET /reviews/:id/recommendations': { who: 'kent', url: (w) => `/reviews/${w.recommended}/recommendations` },
  'GET /reviews/:id/recommendations/import': {
    who: 'kent',
    url: (w) => `/reviews/${w.recommended}/recommendations/import`,
  },
  'GET /reviews/:id/recommendations/report': {
    who: 'kent',
    url: (w) => `/reviews/${w.recommended}/recommendations/report`,
  },
  'GET /reviews/:id/recommendations/report.pdf': {
    who: 'kent',
    url: (w) => `/reviews/${w.recommended}/recommendations/report.pdf`,
  },
  'GET /reviews/:id/recommendations/response': {
    who: 'police',
    url: (w) => `/reviews/${w.recommended}/recommendations/response?organisationId=${w.organisation}`,
  },
  'GET /reviews/:id/recommendations/response.pdf': {
    who: 'police',
    url: (w) => `/reviews/${w.recommended}/recommendations/response.pdf?organisationId=${w.organisation}`,
  },
  'GET /recommendations': { who: 'police', url: () => '/recommendations' },
  'GET /recommendations/report': {
    who: 'police',
    url: (w) => `/recommendations/report?organisationId=${w.organisation}`,
  },
  'GET /recommendations/report.pdf': {
    who: 'police',
    url: (w) => `/recommendations/report.pdf?organisationId=${w.organisation}`,
  },
  'GET /recommendation-agencies/:id': { who: 'police', url: (w) => `/recommendation-agencies/${w.link}` },
  'GET /recommendations/:id/level': {
    who: 'kent',
    url: (w) => `/recommendations/${w.recommendation}/level`,
  },
  'GET /recommendations/triage': { who: 'secretariat', url: () => '/recommendations/triage' },
  'GET /reviews/:id/qa-checklist': { who: 'kent', url: (w) => `/reviews/${w.revising}/qa-checklist` },
  'GET /admin/qa-criteria': { who: 'secretariat', url: () => '/admin/qa-criteria' },
  'GET /reviews/:id/scoping': { who: 'kent', url: (w) => `/reviews/${w.revising}/scoping` },
  'GET /reviews/:id/decision': { who: 'kent', url: (w) => `/reviews/${w.notified}/decision` },
  'GET /reviews/:id/panel-view': { who: 'panel', url: (w) => `/reviews/${w.declined}/panel-view` },
  'GET /reviews/:id/decision-letter': { who: 'secretariat', url: (w) => `/reviews/${w.viewed}/decision-letter` },
  'GET /national/qa-criteria': { who: 'panel', url: () => '/national/qa-criteria' },
  'GET /recommendations/:id/assign': { who: 'secretariat', url: (w) => `/recommendations/${w.recommendation}/assign` },
  'GET /recommendation-agencies/:id/extend': {
    who: 'kent',
    url: (w) => `/recommendation-agencies/${w.link}/extend`,
  },
  'GET /reviews/:id/chair': { who: 'kent', url: (w) => `/reviews/${w.recommended}/chair` },
  'GET /recommendation-agencies/:id/response': {
    who: 'police',
    url: (w) => `/recommendation-agencies/${w.link}/response`,
  },
  'GET /recommendation-agencies/:id/actions': {
    who: 'police',
    url: (w) => `/recommendation-agencies/${w.link}/actions`,
  },
  'GET /recommendation-agencies/:id/implemented': {
    who: 'police',
    url: (w) => `/recommendation-agencies/${w.link}/implemented`,
  },
  'GET /actions/:id/status': { who: 'police', url: (w) => `/actions/${w.action}/status` },
  'GET /actions/:id/updates': { who: 'police', url: (w) => `/actions/${w.action}/updates` },
  'GET /action-updates/:id/evidence': { who: 'police', url: (w) => `/action-updates/${w.update}/evidence` },
};

/** Some pages are worth measuring for a second role as well: the review page is everyone's. */
const ALSO: { key: string; who: Caller; url: (w: World) => string; visitedJustBefore?: boolean }[] = [
  { key: 'GET /reviews/:id', who: 'secretariat', url: (w) => `/reviews/${w.revising}` },
  { key: 'GET /reviews/:id', who: 'kentPcc', url: (w) => `/reviews/${w.revising}` },
  { key: 'GET /reviews', who: 'kentPcc', url: () => '/reviews' },
  { key: 'GET /letters', who: 'kentPcc', url: () => '/letters' },
  { key: 'GET /api/v1/reviews', who: 'secretariat', url: () => '/api/v1/reviews' },
  { key: 'GET /api/v1/reviews/:id', who: 'secretariat', url: (w) => `/api/v1/reviews/${w.revising}` },
  // The dashboard again, nothing having changed: the figures read a moment ago serve again.
  { key: 'GET /dashboard (again)', who: 'secretariat', url: () => '/dashboard', visitedJustBefore: true },
];

// ---- counting

let t: TestApp;
let w: World;
let counting = false;
let count = 0;
let statements: string[] = [];

interface Figure {
  method: string;
  path: string;
  who: string;
  status: number;
  queries: number;
  budget: number;
  statements: string[];
}
const figures: Figure[] = [];

/** Runs one request and counts the statements sent to the database from its start to its end. */
async function counted(run: () => PromiseLike<request.Response>): Promise<{ res: request.Response; n: number }> {
  count = 0;
  statements = [];
  counting = true;
  try {
    const res = await run();
    return { res, n: count };
  } finally {
    counting = false;
  }
}

function budgetOf(key: string): number {
  const exception = EXCEPTIONS[key];
  if (exception) return exception.budget;
  if (key.startsWith('POST /api/v1/reviews/:id/events')) return BUDGET.event;
  return key.includes(' /api/') ? BUDGET.api : BUDGET.page;
}

function record(key: string, who: string, status: number, n: number): Figure {
  const method = key.slice(0, key.indexOf(' '));
  const path = key.slice(method.length + 1);
  const figure = { method, path, who, status, queries: n, budget: budgetOf(key), statements: [...statements] };
  figures.push(figure);
  return figure;
}

// ---- the callers

type Agent = Awaited<ReturnType<typeof signedIn>>;
const agents = new Map<Caller, Agent>();
const tokens = new Map<Caller, string>();
const POLICE_EMAIL = 'kent.police@test.example';

async function apiToken(email: string): Promise<string> {
  const res = await request(t.app).post('/api/v1/session').send({ email, password: PASSWORD });
  if (res.status !== 200) throw new Error(`signing in ${email}: ${res.status}`);
  return res.body.token;
}

/** A browser half-way through signing in as a new user, owing the second factor step `owed`. */
async function halfSignedIn(owed: 'code' | 'set-up'): Promise<ReturnType<typeof request.agent>> {
  const email = `owes.${owed}.${figures.length}@test.example`;
  const user = await t.services.accounts.createUser({
    email,
    name: 'Half signed in',
    role: 'panel',
    password: PASSWORD,
  });
  if (owed === 'code') {
    await t
      .db('users')
      .where({ id: user.id })
      .update({ totp_secret: 'JBSWY3DPEHPK3PXP', totp_enabled_at: t.clock.now() });
  } else {
    await t.services.settings.update({ ...user, role: 'secretariat' }, { twoFactorForEveryone: true });
  }
  const agent = request.agent(t.app);
  const page = await agent.get('/sign-in');
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)![1];
  const res = await agent.post('/sign-in').type('form').send({ _csrf: csrf, email, password: PASSWORD, next: '/' });
  if (owed === 'set-up') {
    await t.services.settings.update({ ...user, role: 'secretariat' }, { twoFactorForEveryone: false });
  }
  if (res.status !== 302 || !String(res.headers.location).startsWith(`/sign-in/${owed}`)) {
    throw new Error(`half signing in: ${res.status} ${res.headers.location}`);
  }
  return agent;
}

async function callAs(who: Caller, url: string): Promise<{ res: request.Response; n: number }> {
  if (url.startsWith('/api/')) {
    const token = tokens.get(who);
    if (!token) throw new Error(`no API token for ${who}`);
    return counted(() => request(t.app).get(url).set('Authorization', `Bearer ${token}`));
  }
  if (who === 'signedOut') return counted(() => request(t.app).get(url));
  if (who === 'codeOwed' || who === 'setUpOwed') {
    const agent = await halfSignedIn(who === 'codeOwed' ? 'code' : 'set-up');
    return counted(() => agent.get(url));
  }
  const agent = agents.get(who);
  if (!agent) throw new Error(`no browser for ${who}`);
  return counted(() => agent.agent.get(url));
}

// ---- the world

function check(res: request.Response, status: number, what: string) {
  if (res.status !== status) throw new Error(`world: ${what} answered ${res.status} ${JSON.stringify(res.body)}`);
  return res;
}

/** Sends a lifecycle event through the API, counting its round trips. */
async function event(who: Who, id: number, body: { type: string } & Record<string, unknown>) {
  const { res, n } = await counted(() => t.api(who).event(id, body));
  check(res, 200, JSON.stringify(body));
  record(`POST /api/v1/reviews/:id/events`, `${who} ${body.type}`, res.status, n);
  return res.body;
}

async function buildWorld(): Promise<World> {
  const { api } = t;
  const upload = async (id: number, kind: string) =>
    check(await api('kent').upload(id, kind, pdf(kind)), 201, `uploading ${kind}`).body.id as number;
  // A live service has stored every house template by now (each kind is stored the first time it
  // is needed, once per database), and a process that has served a while has read the settings
  // the templates and the stage targets once (the first request of a new process reads each): the secretariat's
  // list of templates, its settings and the stage targets do so here, before any event is counted.
  check(await api('secretariat').get('/letter-templates'), 200, 'the templates');
  check(await api('secretariat').get('/settings'), 200, 'the settings');
  check(await api('secretariat').get('/stage-targets'), 200, 'the stage targets');
  const today = await meeting(t);

  async function kentReview(pseudonym: string, until: 'scheduled' | 'outcome') {
    const id = check(await api('kent').post('/reviews', { pseudonym }), 201, 'notifying').body.id as number;
    let document = 0;
    for (const kind of ['overview_report', 'executive_summary', 'action_plan']) document = await upload(id, kind);
    await event('kent', id, { type: 'SUBMIT' });
    await event('secretariat', id, { type: 'SCHEDULE', meetingId: today });
    if (until === 'outcome') {
      await event('panel', id, {
        type: 'RECORD_OUTCOME',
        outcome: 'publish_after_changes',
        commendations: 'A careful report.',
        areas: [{ text: 'Remove the date of death.' }, { heading: 'Structure', text: 'Add an equality section.' }],
      });
    }
    return { id, document };
  }

  const revising = await kentReview('Mary', 'outcome');
  const afterLetter = await event('secretariat', revising.id, { type: 'SEND_LETTER' });
  const round = afterLetter.rounds.at(-1);
  const answered = await event('kent', revising.id, {
    type: 'RESPOND_TO_ITEM',
    itemId: round.items[0].id,
    response: 'The date of death is removed.',
  });
  const drafted = await kentReview('Beth', 'outcome');
  await event('panel', drafted.id, {
    type: 'AMEND_OUTCOME',
    outcome: 'publish_after_changes',
    commendations: 'A careful and thorough report.',
    areas: [{ text: 'Remove the date of death.' }],
  });
  const draftView = check(await api('secretariat').get(`/reviews/${drafted.id}`), 200, 'draft review').body;
  const scheduled = await kentReview('Cara', 'scheduled');
  // A decision not to hold a review, on today's agenda, and another with the panel's view recorded.
  const declined = check(await api('kent').post('/reviews', { pseudonym: 'Dina' }), 201, 'notifying').body.id as number;
  await event('kent', declined, { type: 'RECORD_DECISION', decision: 'no_review', reason: 'Not abuse related' });
  await event('secretariat', declined, { type: 'SCHEDULE', meetingId: today });
  const viewed = check(await api('kent').post('/reviews', { pseudonym: 'Vera' }), 201, 'notifying').body.id as number;
  await event('kent', viewed, { type: 'RECORD_DECISION', decision: 'no_review', reason: 'Not abuse related' });
  await event('secretariat', viewed, { type: 'SCHEDULE', meetingId: today });
  await event('panel', viewed, { type: 'RECORD_PANEL_VIEW', view: 'agree', comments: 'Sound reasons.' });
  const notified = check(await api('kent').post('/reviews', { pseudonym: 'Dora' }), 201, 'notifying').body.id as number;
  const notifiedDocument = await upload(notified, 'overview_report');
  // A review held, resumed, corrected and withdrawn, and a document removed from another.
  const held = check(await api('kent').post('/reviews', { pseudonym: 'Edie' }), 201, 'notifying').body.id as number;
  await event('secretariat', held, { type: 'PAUSE', category: 'criminal_trial', reason: 'Criminal proceedings' });
  await event('secretariat', held, { type: 'RESUME' });
  await event('secretariat', held, {
    type: 'EDIT_DETAILS',
    pseudonym: 'Edith',
    yearOfDeath: 2024,
    notifiedOn: '2026-03-01',
  });
  await event('secretariat', held, { type: 'WITHDRAW', reason: 'Notified in error' });
  const corrected = check(await api('kent').post('/reviews', { pseudonym: 'Gwen' }), 201, 'notifying').body
    .id as number;
  await upload(corrected, 'overview_report');
  await event('kent', corrected, { type: 'REMOVE_DOCUMENT', documentId: await upload(corrected, 'other') });
  // A review taken through a whole round of revisions (one item returned once) to publication.
  const faye = await kentReview('Faye', 'outcome');
  const fayeItems = (await event('secretariat', faye.id, { type: 'SEND_LETTER' })).rounds.at(-1).items as {
    id: number;
  }[];
  for (const item of fayeItems) {
    await event('kent', faye.id, { type: 'RESPOND_TO_ITEM', itemId: item.id, response: 'Done.' });
  }
  await event('kent', faye.id, { type: 'SUBMIT_REVISIONS' });
  await event('secretariat', faye.id, { type: 'ACCEPT_ITEM', itemId: fayeItems[0]!.id });
  await event('secretariat', faye.id, { type: 'RETURN_ITEM', itemId: fayeItems[1]!.id, reason: 'Not yet.' });
  await event('secretariat', faye.id, { type: 'CONFIRM_REVISIONS' });
  await event('kent', faye.id, { type: 'RESPOND_TO_ITEM', itemId: fayeItems[1]!.id, response: 'Done now.' });
  await event('kent', faye.id, { type: 'SUBMIT_REVISIONS' });
  await event('secretariat', faye.id, { type: 'ACCEPT_ITEM', itemId: fayeItems[1]!.id });
  await event('secretariat', faye.id, { type: 'CONFIRM_REVISIONS' });
  const published = { type: 'RECORD_PUBLICATION', url: 'https://kent.example/dhr-faye', publishedOn: '2026-03-02' };
  await event('kent', faye.id, published);
  await reviewAt(t, t.ids.kentCsp, 'published', 'Pearl');
  await reviewAt(t, t.ids.hackneyCsp, 'published', 'Hope');

  // Recommendations for Kent Police, which takes them on.
  const recommended = await reviewAt(t, t.ids.kentCsp, 'approved', 'Rose');
  const csv =
    'number,recommendation,addressed to\n' +
    '1,Train call handlers in risk assessment,Kent Police | Kent County Council\n' +
    '2,Share information about repeat callers,Kent Police\n';
  check(
    await api('kent').post(`/reviews/${recommended}/recommendations/import`, {
      format: 'csv',
      content: csv,
      dryRun: false,
    }),
    200,
    'importing recommendations',
  );
  const police = await t.db('organisations').where({ name: 'Kent Police' }).first('id');
  await t.services.accounts.createUser({
    email: POLICE_EMAIL,
    name: 'Kent Police',
    role: 'agency',
    organisationId: police.id,
    password: PASSWORD,
  });
  const policeToken = await apiToken(POLICE_EMAIL);
  const asPolice = (method: 'post' | 'put', url: string) =>
    request(t.app)[method](`/api/v1${url}`).set('Authorization', `Bearer ${policeToken}`);
  const recs = check(await api('kent').get(`/reviews/${recommended}/recommendations`), 200, 'recommendations').body;
  const link = recs[0].agencies.find((a: { organisationId: number }) => a.organisationId === police.id).id as number;
  check(
    await asPolice('post', `/recommendation-agencies/${link}/response`).send({ response: 'accepted' }),
    204,
    'respond',
  );
  const action = check(
    await asPolice('post', `/recommendation-agencies/${link}/actions`).send({
      description: 'Brief every shift',
      owner: 'Training lead',
      targetDate: '2026-09-30',
    }),
    201,
    'action',
  ).body.id as number;
  check(
    await asPolice('post', `/actions/${action}/updates`)
      .field('on', '2026-03-05')
      .field('text', 'Briefing notes written')
      .attach('file', pdf('evidence'), 'evidence.pdf'),
    201,
    'progress update',
  );
  const update = await t.db('action_updates').where({ action_id: action }).first('id');
  const mail = await t.db('outbox').orderBy('id').first('id');
  const spareUser = await t.services.accounts.createUser({
    email: 'spare@test.example',
    name: 'Spare panel member',
    role: 'panel',
    password: PASSWORD,
  });
  // A form kept for Kent after its session ran out, and a link to set a new password.
  const kent = await t.db('users').where({ email: 'kent@test.example' }).first('id');
  const keptForm = await createKeptForms(t.db, t.clock).keep(kent.id, `/reviews/${revising.id}/details`, {
    pseudonym: 'Mary',
  });
  const resetToken = 'a-link-to-set-a-new-password-0123456789';
  await t.db('password_resets').insert({
    user_id: spareUser.id,
    token_hash: hashToken(resetToken),
    created_by: spareUser.id,
    created_at: t.clock.now(),
    expires_at: new Date(t.clock.now().getTime() + 24 * 3600_000),
  });
  tokens.set('police', policeToken);

  return {
    revising: revising.id,
    item: answered.rounds.at(-1).items[1].id,
    document: revising.document,
    sentLetter: afterLetter.letters.find((l: { status: string }) => l.status === 'sent').id,
    drafted: drafted.id,
    draftLetter: draftView.letters.find((l: { status: string }) => l.status === 'draft').id,
    scheduled: scheduled.id,
    declined,
    viewed,
    notified,
    notifiedDocument,
    recommended,
    organisation: police.id,
    link,
    recommendation: recs[0].id as number,
    action,
    update: update.id,
    meeting: today,
    mail: mail.id,
    spareUser: spareUser.id,
    kentCsp: t.ids.kentCsp,
    kentArea: t.ids.kentArea,
    keptForm,
    resetToken,
  };
}

beforeAll(async () => {
  t = await createTestApp();
  t.db.on('query', (q: { sql: string }) => {
    if (!counting) return;
    count += 1;
    statements.push(q.sql);
  });
  w = await buildWorld();
  for (const who of ['secretariat', 'panel', 'kent', 'kentPcc'] as const) {
    agents.set(who, await signedIn(t, who));
    tokens.set(who, t.tokens[who]);
  }
  agents.set('police', await signedInAs(t, POLICE_EMAIL));
}, 120_000);

afterAll(async () => {
  const rows = figures.map((f) => [f.method, f.path, f.who, String(f.queries), String(f.budget)]);
  const header = ['method', 'path', 'role', 'queries', 'budget'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  const exceptions = Object.entries(EXCEPTIONS).map(([key, e]) => `  ${key}: ${e.budget}, because it ${e.reason}`);
  console.log(['Query budget', line(header), ...rows.map(line), 'Exceptions:', ...exceptions].join('\n'));
  // QUERY_BUDGET_SQL=file writes every call's statements there, to see where a route's round trips go.
  if (process.env.QUERY_BUDGET_SQL) fs.writeFileSync(process.env.QUERY_BUDGET_SQL, JSON.stringify(figures, null, 1));
  await t.close();
});

describe('the query budget', () => {
  it('has a call for every GET route the app answers, on a URL that route answers', () => {
    const gets = enumerateRoutes(t.app).filter((r) => r.startsWith('GET '));
    const missing = gets.filter((r) => !(r in CALLS));
    const stale = Object.keys(CALLS).filter((k) => !gets.includes(k));
    expect({ missing, stale }).toEqual({ missing: [], stale: [] });
    for (const [key, call] of Object.entries(CALLS)) {
      expect({ key, matches: matchesRoute(key.split(' ')[1]!, call.url(w)) }).toEqual({ key, matches: true });
    }
    const unused = Object.keys(EXCEPTIONS).filter(
      (k) => !(k in CALLS) && !k.startsWith('POST /api/v1/reviews/:id/events'),
    );
    expect(unused).toEqual([]);
  });

  it.each(Object.keys(CALLS))('%s', async (key) => {
    const call = CALLS[key]!;
    const { res, n } = await callAs(call.who, call.url(w));
    const figure = record(key, call.who, res.status, n);
    // Measured on the answer the route exists for, not on a refusal or an error page.
    expect({ key, status: res.status }).toEqual({ key, status: res.status < 400 ? res.status : 200 });
    expect({ key, queries: n, statements: n > figure.budget ? figure.statements : [] }).toEqual({
      key,
      queries: Math.min(n, figure.budget),
      statements: [],
    });
  });

  it.each(ALSO.map((a) => [`${a.key} as ${a.who}`, a] as const))('%s', async (_name, also) => {
    // Visited a moment ago (uncounted) here, not by whichever test happened to run before.
    if (also.visitedJustBefore) await callAs(also.who, also.url(w));
    const { res, n } = await callAs(also.who, also.url(w));
    const figure = record(also.key, also.who, res.status, n);
    expect(res.status).toBeLessThan(400);
    expect(n).toBeLessThanOrEqual(figure.budget);
  });

  it('holds every lifecycle event sent while building the world to its budget', () => {
    const events = figures.filter((f) => f.path === '/api/v1/reviews/:id/events');
    expect(events.length).toBeGreaterThan(8);
    const over = events
      .filter((f) => f.queries > f.budget)
      .map((f) => ({ who: f.who, queries: f.queries, sql: f.statements }));
    expect(over).toEqual([]);
  });
});

/**
 * The caches are per process: another instance of the app over the same database sees what
 * this one changed (and what was changed by SQL alone) at its next signed-in request, because
 * every request reads the cache versions with its session or token.
 */
describe('the caches, with a second instance over the same database', () => {
  let other: ReturnType<typeof createApp>;
  let token: string;
  const asOther = (url: string) => request(other).get(`/api/v1${url}`).set('Authorization', `Bearer ${token}`);

  beforeAll(async () => {
    const services = createServices(t.db, {
      clock: t.clock,
      maxUploadBytes: 1024 * 1024,
      sessionTtlHours: 12,
      transport: mailboxTransport(t.mailDir),
      mailFrom: 'DHR QA <dhr-qa@test.example>',
      publicUrl: 'http://dhr-qa.test',
      twoFactorRequired: false,
    });
    other = createApp(services);
    const res = await request(other)
      .post('/api/v1/session')
      .send({ email: 'secretariat@test.example', password: PASSWORD });
    token = res.body.token;
  });

  it('serves the settings from its copy while they are unchanged: the token lookup is the only query', async () => {
    expect((await asOther('/settings')).status).toBe(200);
    const { res, n } = await counted(() => asOther('/settings'));
    expect(res.status).toBe(200);
    expect(n).toBe(1);
  });

  it('sees a change of the settings made through the first instance at its next request', async () => {
    const before = (await asOther('/settings')).body;
    const changed = await t
      .api('secretariat')
      .patch('/settings', { signatoryName: 'Dr B Chair', dateStyle: 'ordinal' });
    expect(changed.status).toBe(200);
    const after = await asOther('/settings');
    expect(after.body).toEqual({ ...before, signatoryName: 'Dr B Chair', dateStyle: 'ordinal' });
    // The pages of the second instance too.
    const page = await signedIn({ ...t, app: other } as TestApp, 'secretariat');
    expect((await page.get('/admin/settings')).text).toContain('Dr B Chair');
  });

  it('sees CSPs and police force areas changed through the first instance, or by SQL alone', async () => {
    const kent = (await asOther('/csps')).body.find((c: { id: number }) => c.id === t.ids.kentCsp);
    const contacts = [...kent.contacts, { name: 'Ali Khan', email: 'ali@kent.example' }];
    const put = await t.api('secretariat').put(`/csps/${t.ids.kentCsp}`, { addressLines: kent.addressLines, contacts });
    expect(put.status).toBe(200);
    const seen = (await asOther('/csps')).body.find((c: { id: number }) => c.id === t.ids.kentCsp);
    expect(seen.contacts).toEqual(contacts);
    await t.db('police_force_areas').where({ id: t.ids.kentArea }).update({ pcc_name: 'Commissioner for Kent' });
    const areas = (await asOther('/police-force-areas')).body;
    expect(areas.find((a: { id: number }) => a.id === t.ids.kentArea).pccName).toBe('Commissioner for Kent');
  });

  it('reads changed data once for all the requests that meet the change at the same time', async () => {
    await t
      .db('police_force_areas')
      .where({ id: t.ids.kentArea })
      .update({ pcc_name: 'Commissioner for Kent and Medway' });
    // Five requests that read the new version with their sessions, each asking for the areas.
    const { rows } = await t.db.raw(`select ${VERSIONS_SQL} as versions`);
    const areas = () => withVersions(t.db, rows[0].versions, () => t.services.directory.listPoliceForceAreas());
    count = 0;
    counting = true;
    const answers = await Promise.all(Array.from({ length: 5 }, areas)).finally(() => (counting = false));
    for (const answer of answers) {
      expect(answer.find((a) => a.id === t.ids.kentArea)!.pccName).toBe('Commissioner for Kent and Medway');
    }
    expect(count).toBe(1);
  });

  it('sees a house template saved through the first instance', async () => {
    const body = 'QA Panel feedback (first instance): {{cspName}} DHR ({{pseudonym}})';
    const saved = await t.api('secretariat').put('/letter-templates/outcome_letter.subject', { body });
    expect(saved.status).toBe(200);
    expect((await asOther('/letter-templates/outcome_letter.subject')).body.body).toBe(body);
  });

  it('gives each caller a copy of what it asked for: what one changes, the next does not see', async () => {
    const { directory, accounts } = t.services;
    const secretariat = (await accounts.findUserByEmail('secretariat@test.example'))!;
    // Within a request that read the versions with its session, as a signed-in page does: the kept copy serves.
    const { rows } = await t.db.raw(`select ${VERSIONS_SQL} as versions`);
    const read = () =>
      withVersions(t.db, rows[0].versions, async () => ({
        csp: await directory.getCsp(t.ids.kentCsp),
        csps: await directory.listCsps(secretariat),
        names: await directory.cspNames(secretariat),
        area: await directory.getPoliceForceArea(t.ids.kentArea),
        areas: await directory.listPoliceForceAreas(),
      }));
    // (As text, so that a change made through a shared object could not change it too.)
    const before = JSON.stringify(await read());
    const spoilt = await read();
    spoilt.csp!.contacts.push({ name: 'Nobody', email: 'nobody@example.org' });
    spoilt.csps[0]!.name = 'Changed';
    spoilt.csps[0]!.addressLines.length = 0;
    spoilt.names[0]!.name = 'Changed';
    spoilt.area!.pccEmail = 'changed@example.org';
    spoilt.areas[0]!.name = 'Changed';
    expect(JSON.parse(JSON.stringify(await read()))).toEqual(JSON.parse(before));
  });
});
