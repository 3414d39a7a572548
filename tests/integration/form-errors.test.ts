/**
 * Every form in the service follows the GOV.UK error pattern. Each page the app
 * answers (read from its routers) is visited as a role that uses it, in a world
 * with a review in each state that has forms; every form on the page that has
 * something to fill in is sent (a) with every field left empty (once for each of its
 * buttons) and (b), where a field has an obvious bad value (a month 13 or a day 32 in
 * a date, an email address that is not one, a number of days that is not a number,
 * year 0000, a template with two mistakes), with that value and the rest as the page
 * drew them; a form with a file also as drawn with no file chosen, and the panel's
 * outcome with areas that contradict it (CASES). Forms of hidden fields and buttons
 * alone ("Accept item", "Send the letter", "Sign out") are not sent.
 *
 * A form that refuses what was sent answers 4xx with the error summary, and each
 * entry of the summary:
 *   - links to an element of the page (`#main-content` for a refusal of the whole form)
 *     that is a form control (the day box of a date), not hidden in a closed <details>;
 *   - is shown again at the field, in a govuk-form-group--error, in the same words;
 *   - is the only error of its field, in GOV.UK's words ("Enter …", "Select …",
 *     "… must be a real date") rather than the service's ("must not be empty").
 * What was typed is drawn again. A form that accepts an empty submission (its fields
 * are all optional) is recorded, and must not fail (5xx).
 *
 * SHOW_FORM_ERRORS=<file> writes every error summary met to that file, to read their words.
 */
import fs from 'node:fs';
import { parse, type HTMLElement } from 'node-html-parser';
import { generateSync } from 'otplib';
import request from 'supertest';
import { createTestApp, meeting, PASSWORD, pdf, reviewAt, submittedReview, type TestApp } from '../helpers/app';
import { enumerateRoutes, matchesRoute } from '../helpers/routes';
import { signedIn, signedInAs } from '../helpers/web';

// ---- The world the pages are visited in

interface Fixture {
  meeting: number;
  /** Kent's review, notified, with its three documents uploaded but not submitted. */
  notified: number;
  notifiedDocument: number;
  submitted: number;
  /** Scheduled for `meeting`: the outcome page asks for the pasted list. */
  scheduled: number;
  /** A decision not to hold a review, scheduled for `meeting`; another whose panel's view is recorded. */
  declined: number;
  viewed: number;
  /** Outcome recorded at `meeting` (publish after changes), its letter a draft. */
  letterPending: number;
  draftLetter: number;
  /** Revise and resubmit, its letter sent: the CSP uploads the revised report. */
  resubmit: number;
  /** Publish after changes, its letter sent, every item answered: ready to submit the revisions. */
  revising: number;
  revisingItem: number;
  sentLetter: number;
  /** Revisions submitted: the secretariat accepts or returns each item. */
  revisionsSubmitted: number;
  approved: number;
  withdrawn: number;
  /** An approved review with recommendations addressed to Kent Police. */
  recommended: number;
  organisation: number;
  /** Kent Police's part in recommendation 1: accepted, one action open. */
  link: number;
  action: number;
  /** Its part in recommendation 2: accepted, its action completed, not yet marked implemented. */
  completedLink: number;
  /** Kent County Council's part in recommendation 1: not answered yet. */
  unansweredLink: number;
  /** Recommendation 1, local; recommendation 4, national and waiting for triage. */
  recommendation: number;
  national: number;
  metArea: number;
  kentCsp: number;
  spareUser: number;
  mail: number;
  resetToken: string;
}

type Who = 'secretariat' | 'panel' | 'csp' | 'agency' | 'signedOut' | 'twoFactor' | 'owesCode' | 'owesSetUp';

const EMAILS = {
  agency: 'police@test.example',
  twoFactor: 'code@test.example',
  owesSetUp: 'setup@test.example',
  spare: 'spare@test.example',
  reset: 'reset@test.example',
};

let t: TestApp;
let f: Fixture;
type HalfWay = 'owesCode' | 'owesSetUp';
const browsers = {} as Record<Exclude<Who, HalfWay>, ReturnType<typeof request.agent>>;

function ok(res: request.Response, status: number, what: string) {
  if (res.status !== status) throw new Error(`fixture: ${what} answered ${res.status} ${JSON.stringify(res.body)}`);
  return res;
}

/** The code the authenticator app shows now, by the test's clock. */
const codeFor = (secret: string) => generateSync({ secret, epoch: Math.floor(t.clock.now().getTime() / 1000) });

const everyoneTwoFactor = (on: boolean) =>
  t.services.settings.update({ role: 'secretariat' } as never, { twoFactorForEveryone: on });

async function buildFixture(): Promise<Fixture> {
  const s = t.api('secretariat');
  const kent = t.api('kent');
  const event = async (who: 'secretariat' | 'kent' | 'panel', id: number, body: object) =>
    ok(await t.api(who).event(id, body), 200, JSON.stringify(body)).body;

  const meetingId = await meeting(t);
  const notified = ok(await kent.post('/reviews', { pseudonym: 'Nora', yearOfDeath: 2025 }), 201, 'notify').body
    .id as number;
  let notifiedDocument = 0;
  for (const kind of ['overview_report', 'executive_summary', 'action_plan']) {
    notifiedDocument = ok(await kent.upload(notified, kind, pdf(kind)), 201, `upload ${kind}`).body.id;
  }
  const submitted = await submittedReview(t, 'Sara');
  const scheduled = await submittedReview(t, 'Cleo');
  await event('secretariat', scheduled, { type: 'SCHEDULE', meetingId });
  // A decision not to hold a review, on today's agenda; another with the panel's view recorded.
  const declined = ok(await kent.post('/reviews', { pseudonym: 'Dina' }), 201, 'notify').body.id as number;
  await event('kent', declined, { type: 'RECORD_DECISION', decision: 'no_review', reason: 'Not abuse related' });
  await event('secretariat', declined, { type: 'SCHEDULE', meetingId });
  const viewed = ok(await kent.post('/reviews', { pseudonym: 'Vera' }), 201, 'notify').body.id as number;
  await event('kent', viewed, { type: 'RECORD_DECISION', decision: 'no_review', reason: 'Not abuse related' });
  await event('secretariat', viewed, { type: 'SCHEDULE', meetingId });
  await event('panel', viewed, { type: 'RECORD_PANEL_VIEW', view: 'agree', comments: 'Sound reasons.' });

  async function assessed(pseudonym: string, outcome: string) {
    const id = await submittedReview(t, pseudonym);
    await event('secretariat', id, { type: 'SCHEDULE', meetingId });
    await event('panel', id, {
      type: 'RECORD_OUTCOME',
      outcome,
      commendations: 'A careful report.',
      areas: [{ text: 'Remove the date of death.' }, { heading: 'Structure', text: 'Add an equality section.' }],
    });
    return id;
  }
  async function answered(id: number) {
    const sent = await event('secretariat', id, { type: 'SEND_LETTER' });
    const items = sent.rounds.at(-1).items as { id: number }[];
    for (const item of items) await event('kent', id, { type: 'RESPOND_TO_ITEM', itemId: item.id, response: 'Done.' });
    return { items, letters: sent.letters as { id: number; status: string }[] };
  }

  const letterPending = await assessed('Lena', 'publish_after_changes');
  const draftLetter = ok(await s.get(`/reviews/${letterPending}`), 200, 'letter pending').body.letters.find(
    (l: { status: string }) => l.status === 'draft',
  ).id as number;
  const resubmit = await assessed('Rhea', 'resubmit');
  await event('secretariat', resubmit, { type: 'SEND_LETTER' });
  const revising = await assessed('Vera', 'publish_after_changes');
  const { items, letters } = await answered(revising);
  const revisionsSubmitted = await assessed('Tess', 'publish_after_changes');
  await answered(revisionsSubmitted);
  await event('kent', revisionsSubmitted, { type: 'SUBMIT_REVISIONS' });
  const approved = await reviewAt(t, t.ids.kentCsp, 'approved', 'Ada');
  const withdrawn = await reviewAt(t, t.ids.kentCsp, 'withdrawn', 'Wren');

  // Recommendations addressed to Kent Police, whose user answers them.
  const recommended = await reviewAt(t, t.ids.kentCsp, 'approved', 'Rose');
  const csv =
    'number,recommendation,addressed to\n' +
    '1,Train call handlers in risk assessment,Kent Police | Kent County Council\n' +
    '2,Share information about repeat callers,Kent Police\n' +
    '3,Audit the referrals every year,Kent Police\n' +
    '4,Publish national guidance on repeat callers,Home Office\n';
  ok(
    await kent.post(`/reviews/${recommended}/recommendations/import`, { format: 'csv', content: csv, dryRun: false }),
    200,
    'import',
  );
  const organisation = (await t.db('organisations').where({ name: 'Kent Police' }).first('id')).id as number;
  await t.services.accounts.createUser({
    email: EMAILS.agency,
    name: 'Kent Police lead',
    role: 'agency',
    organisationId: organisation,
    password: PASSWORD,
  });
  const police = ok(
    await request(t.app).post('/api/v1/session').send({ email: EMAILS.agency, password: PASSWORD }),
    200,
    'agency token',
  ).body.token as string;
  const asPolice = async (method: 'post' | 'put', url: string, body: object, status: number) => {
    const api = request(t.app);
    const res = await (method === 'post' ? api.post(`/api/v1${url}`) : api.put(`/api/v1${url}`))
      .set('Authorization', `Bearer ${police}`)
      .send(body);
    return ok(res, status, url);
  };
  const recs = ok(await kent.get(`/reviews/${recommended}/recommendations`), 200, 'recommendations').body;
  // Recommendation 4 is national, waiting for the secretariat to assign who owns it.
  const national = recs[3].id as number;
  ok(await kent.put(`/recommendations/${national}/level`, { level: 'national' }), 200, 'level');
  const unansweredLink = recs[0].agencies.find((a: { organisationId: number }) => a.organisationId !== organisation)
    .id as number;
  const [link, completedLink, implementedLink] = recs
    .slice(0, 3)
    .map(
      (r: { agencies: { id: number; organisationId: number }[] }) =>
        r.agencies.find((a) => a.organisationId === organisation)!.id,
    ) as number[];
  const withAction = async (linkId: number) => {
    await asPolice('post', `/recommendation-agencies/${linkId}/response`, { response: 'accepted' }, 204);
    const body = { description: 'Brief every shift', owner: 'Training lead', targetDate: '2026-09-30' };
    return (await asPolice('post', `/recommendation-agencies/${linkId}/actions`, body, 201)).body.id as number;
  };
  const action = await withAction(link!);
  const completed = await withAction(completedLink!);
  await asPolice('put', `/actions/${completed}/status`, { status: 'completed' }, 204);
  const done = await withAction(implementedLink!);
  await asPolice('put', `/actions/${done}/status`, { status: 'completed' }, 204);
  await asPolice('post', `/recommendation-agencies/${implementedLink}/implemented`, { evidence: 'An audit' }, 204);

  // Accounts: one the secretariat looks at, one sent a link to set a new password.
  const spareUser = (
    await t.services.accounts.createUser({ email: EMAILS.spare, name: 'Spare', role: 'panel', password: PASSWORD })
  ).id;
  const resetUser = (
    await t.services.accounts.createUser({ email: EMAILS.reset, name: 'Reset', role: 'panel', password: PASSWORD })
  ).id;
  ok(await s.post(`/users/${resetUser}/password-reset`), 202, 'password reset');
  const resetMail = await t.db('outbox').where({ kind: 'password_reset' }).orderBy('id', 'desc').first();
  const mail = await t.db('outbox').orderBy('id').first('id');

  return {
    meeting: meetingId,
    notified,
    notifiedDocument,
    submitted,
    scheduled,
    declined,
    viewed,
    letterPending,
    draftLetter,
    resubmit,
    revising,
    revisingItem: items[0]!.id,
    sentLetter: letters.find((l) => l.status === 'sent')!.id,
    revisionsSubmitted,
    approved,
    withdrawn,
    recommended,
    organisation,
    link: link!,
    action,
    completedLink: completedLink!,
    unansweredLink,
    recommendation: recs[0].id as number,
    national,
    metArea: t.ids.metArea,
    kentCsp: t.ids.kentCsp,
    spareUser,
    mail: mail.id,
    resetToken: /reset-password\?token=([\w-]+)/.exec(resetMail.text)![1]!,
  };
}

beforeAll(async () => {
  t = await createTestApp();
  f = await buildFixture();
  browsers.secretariat = (await signedIn(t, 'secretariat')).agent;
  browsers.panel = (await signedIn(t, 'panel')).agent;
  browsers.csp = (await signedIn(t, 'kent')).agent;
  browsers.agency = (await signedInAs(t, EMAILS.agency)).agent;
  browsers.signedOut = request.agent(t.app);

  // Someone with two-factor sign-in: signed in (their account page asks for a code for new
  // recovery codes), and, when the code page is visited, half-way through signing in again.
  await t.services.accounts.createUser({ email: EMAILS.twoFactor, name: 'Code', role: 'panel', password: PASSWORD });
  const twoFactor = await signedInAs(t, EMAILS.twoFactor);
  const setUp = await twoFactor.get('/account/two-factor');
  const secret = /type this key instead: <strong[^>]*>([A-Z2-7 ]+)</.exec(setUp.text)![1]!.replace(/ /g, '');
  ok(await twoFactor.form('/account/two-factor', { code: codeFor(secret) }), 200, 'turning on two-factor sign-in');
  browsers.twoFactor = twoFactor.agent;

  // Someone who must set up two-factor sign-in after their password (while everyone must: browserOf).
  await t.services.accounts.createUser({
    email: EMAILS.owesSetUp,
    name: 'Set up',
    role: 'pcc',
    policeForceAreaId: t.ids.metArea,
    password: PASSWORD,
  });
}, 180_000);
afterAll(() => t.close());

/**
 * The browser that visits as `who`. Someone half-way through signing in (owing a code, or owing
 * the set-up of two-factor sign-in) has ten minutes to finish, by the test's clock, which moves
 * a second each time it is read: so they sign in with their password when their page is
 * visited, not before the walk, however many pages were walked first.
 */
async function browserOf(who: Who) {
  if (who === 'owesCode') return (await signedInAs(t, EMAILS.twoFactor)).agent;
  if (who === 'owesSetUp') return (await signedInAs(t, EMAILS.owesSetUp)).agent;
  return browsers[who];
}

// ---- Which page each route is visited on, as whom

interface Visit {
  who: Who;
  url: (f: Fixture) => string;
  /** What the page shows in this visit, when the route is visited more than once. */
  what?: string;
  /** Visited while everyone must use two-factor sign-in. */
  everyoneTwoFactor?: boolean;
}

const as = (who: Who, url: (f: Fixture) => string, what?: string): Visit => ({ who, url, what });

/**
 * Every page route, in the order visited: pages whose forms could change what later
 * pages show come after those pages.
 */
const VISITS: Record<string, Visit[]> = {
  'GET /sign-in': [as('signedOut', () => '/sign-in')],
  'GET /sign-in/code': [as('owesCode', () => '/sign-in/code')],
  'GET /sign-in/set-up': [{ who: 'owesSetUp', url: () => '/sign-in/set-up', everyoneTwoFactor: true }],
  'GET /reset-password': [as('signedOut', (f) => `/reset-password?token=${f.resetToken}`)],
  'GET /account': [
    as('secretariat', () => '/account'),
    as('panel', () => '/account'),
    as('csp', () => '/account'),
    as('agency', () => '/account'),
    as('twoFactor', () => '/account', 'with two-factor sign-in'),
  ],
  'GET /account/two-factor': [as('csp', () => '/account/two-factor')],
  'GET /dashboard': [as('secretariat', () => '/dashboard'), as('panel', () => '/dashboard')],
  'GET /reviews': [as('secretariat', () => '/reviews')],
  'GET /my-reviews': [as('csp', () => '/my-reviews')],
  'GET /reviews/new': [as('csp', () => '/reviews/new'), as('secretariat', () => '/reviews/new')],
  'GET /reviews/:id': [
    as('csp', (f) => `/reviews/${f.notified}`, 'notified'),
    as('secretariat', (f) => `/reviews/${f.notified}`, 'notified'),
    as('secretariat', (f) => `/reviews/${f.submitted}`, 'submitted'),
    as('panel', (f) => `/reviews/${f.scheduled}`, 'scheduled'),
    as('secretariat', (f) => `/reviews/${f.letterPending}`, 'letter pending'),
    as('csp', (f) => `/reviews/${f.resubmit}`, 'revising'),
    as('secretariat', (f) => `/reviews/${f.revisionsSubmitted}`, 'revisions submitted'),
    as('csp', (f) => `/reviews/${f.approved}`, 'approved'),
    as('secretariat', (f) => `/reviews/${f.withdrawn}`, 'withdrawn'),
  ],
  'GET /reviews/:id/submit': [as('csp', (f) => `/reviews/${f.notified}/submit`)],
  'GET /reviews/:id/distribution/:recipient': [as('csp', (f) => `/reviews/${f.approved}/distribution/family`)],
  'GET /reviews/:id/withdraw': [as('secretariat', (f) => `/reviews/${f.submitted}/withdraw`)],
  'GET /reviews/:id/details': [
    as('csp', (f) => `/reviews/${f.notified}/details`),
    as('secretariat', (f) => `/reviews/${f.submitted}/details`),
  ],
  'GET /reviews/:id/documents/:documentId/remove': [
    as('csp', (f) => `/reviews/${f.notified}/documents/${f.notifiedDocument}/remove`),
  ],
  'GET /reviews/:id/documents/:documentId/replace': [
    as('csp', (f) => `/reviews/${f.notified}/documents/${f.notifiedDocument}/replace`),
  ],
  'GET /reviews/:id/confirmation/:step': [as('secretariat', (f) => `/reviews/${f.revising}/confirmation/letter-sent`)],
  'GET /reviews/:id/items': [
    as('csp', (f) => `/reviews/${f.resubmit}/items`, 'revise and resubmit'),
    as('secretariat', (f) => `/reviews/${f.revising}/items`, 'publish after changes'),
  ],
  'GET /reviews/:id/items/:itemId': [as('csp', (f) => `/reviews/${f.revising}/items/${f.revisingItem}`)],
  'GET /reviews/:id/submit-revisions': [as('csp', (f) => `/reviews/${f.revising}/submit-revisions`)],
  'GET /letters': [as('csp', () => '/letters')],
  'GET /letters/:id': [
    as('secretariat', (f) => `/letters/${f.draftLetter}`, 'draft'),
    as('csp', (f) => `/letters/${f.sentLetter}`, 'sent'),
  ],
  'GET /letters/:id/addressing': [as('secretariat', (f) => `/letters/${f.draftLetter}/addressing`)],
  'GET /letters/:id/send': [as('secretariat', (f) => `/letters/${f.draftLetter}/send`)],
  'GET /meetings': [as('secretariat', () => '/meetings'), as('panel', () => '/meetings')],
  'GET /meetings/:id': [as('secretariat', (f) => `/meetings/${f.meeting}`)],
  'GET /meetings/:id/pack': [as('panel', (f) => `/meetings/${f.meeting}/pack`)],
  'GET /meetings/:meetingId/reviews/:reviewId/outcome': [
    as('panel', (f) => `/meetings/${f.meeting}/reviews/${f.scheduled}/outcome`, 'pasting the areas'),
    as('secretariat', (f) => `/meetings/${f.meeting}/reviews/${f.letterPending}/outcome`, 'confirming the areas'),
  ],
  'GET /mail': [as('secretariat', () => '/mail')],
  'GET /mail/:id': [as('secretariat', (f) => `/mail/${f.mail}`)],
  'GET /admin': [as('secretariat', () => '/admin')],
  'GET /admin/csps': [as('secretariat', () => '/admin/csps')],
  'GET /admin/csps/new': [as('secretariat', () => '/admin/csps/new')],
  'GET /admin/csps/:id': [as('secretariat', (f) => `/admin/csps/${f.kentCsp}`)],
  'GET /admin/police-force-areas': [as('secretariat', () => '/admin/police-force-areas')],
  'GET /admin/police-force-areas/:id': [as('secretariat', (f) => `/admin/police-force-areas/${f.metArea}`)],
  'GET /admin/users': [as('secretariat', () => '/admin/users')],
  'GET /admin/users/new': [as('secretariat', () => '/admin/users/new')],
  'GET /admin/users/:id': [as('secretariat', (f) => `/admin/users/${f.spareUser}`)],
  'GET /admin/templates': [as('secretariat', () => '/admin/templates')],
  'GET /admin/templates/:kind': [
    as('secretariat', () => '/admin/templates/publish', 'a letter'),
    as('secretariat', () => '/admin/templates/acknowledgement.subject', 'an email subject'),
  ],
  'GET /admin/templates/:kind/versions/:version': [as('secretariat', () => '/admin/templates/publish/versions/1')],
  'GET /admin/settings': [as('secretariat', () => '/admin/settings')],
  'GET /admin/stage-targets': [as('secretariat', () => '/admin/stage-targets')],
  'GET /admin/organisations': [as('secretariat', () => '/admin/organisations')],
  'GET /national': [as('panel', () => '/national')],
  'GET /time-taken': [as('panel', () => '/time-taken')],
  'GET /reviews/:id/recommendations': [
    as('csp', (f) => `/reviews/${f.recommended}/recommendations`),
    as('secretariat', (f) => `/reviews/${f.recommended}/recommendations`),
  ],
  'GET /reviews/:id/recommendations/import': [as('csp', (f) => `/reviews/${f.recommended}/recommendations/import`)],
  'GET /reviews/:id/recommendations/report': [
    as('secretariat', (f) => `/reviews/${f.recommended}/recommendations/report`),
  ],
  'GET /reviews/:id/recommendations/response': [
    as('agency', (f) => `/reviews/${f.recommended}/recommendations/response?organisationId=${f.organisation}`),
  ],
  'GET /recommendations': [as('agency', () => '/recommendations')],
  'GET /recommendations/report': [as('agency', () => '/recommendations/report')],
  'GET /recommendation-agencies/:id': [as('agency', (f) => `/recommendation-agencies/${f.link}`)],
  'GET /recommendation-agencies/:id/response': [as('agency', (f) => `/recommendation-agencies/${f.link}/response`)],
  'GET /recommendation-agencies/:id/actions': [as('agency', (f) => `/recommendation-agencies/${f.link}/actions`)],
  'GET /recommendation-agencies/:id/implemented': [
    as('agency', (f) => `/recommendation-agencies/${f.completedLink}/implemented`),
  ],
  'GET /recommendations/:id/level': [as('csp', (f) => `/recommendations/${f.recommendation}/level`)],
  'GET /recommendations/triage': [as('secretariat', () => '/recommendations/triage')],
  'GET /recommendations/:id/assign': [as('secretariat', (f) => `/recommendations/${f.national}/assign`)],
  'GET /recommendation-agencies/:id/extend': [as('csp', (f) => `/recommendation-agencies/${f.unansweredLink}/extend`)],
  'GET /reviews/:id/chair': [as('csp', (f) => `/reviews/${f.recommended}/chair`)],
  'GET /reviews/:id/qa-checklist': [
    as('csp', (f) => `/reviews/${f.notified}/qa-checklist`, 'self-check'),
    as('panel', (f) => `/reviews/${f.scheduled}/qa-checklist`, 'panel'),
  ],
  'GET /admin/qa-criteria': [as('secretariat', () => '/admin/qa-criteria')],
  'GET /reviews/:id/scoping': [as('csp', (f) => `/reviews/${f.notified}/scoping`)],
  'GET /reviews/:id/decision': [as('csp', (f) => `/reviews/${f.notified}/decision`)],
  'GET /reviews/:id/panel-view': [as('panel', (f) => `/reviews/${f.declined}/panel-view`)],
  'GET /reviews/:id/decision-letter': [as('secretariat', (f) => `/reviews/${f.viewed}/decision-letter`)],
  'GET /national/qa-criteria': [as('panel', () => '/national/qa-criteria')],
  'GET /actions/:id/status': [as('agency', (f) => `/actions/${f.action}/status`)],
  'GET /actions/:id/updates': [as('agency', (f) => `/actions/${f.action}/updates`)],
};

/** GET routes that are not visited, and why: none of them draws a page with a form. */
const NOT_VISITED: Record<string, string> = {
  'GET /': 'redirects each role to its home page',
  'GET /health': 'a health check, not a page',
  'GET /ready': 'a readiness check, not a page',
  'GET /assets/govuk-frontend.min.css': 'a style sheet',
  'GET /assets/govuk-frontend.min.js': 'a script',
  'GET /reviews.csv': 'a CSV download',
  'GET /national.csv': 'a CSV download',
  'GET /reviews/:id/documents/:documentId': 'a document download',
  'GET /letters/:id/pdf': 'a PDF download',
  'GET /mail/:id/eml': 'an email download',
  'GET /reviews/:id/recommendations/report.pdf': 'a PDF download',
  'GET /reviews/:id/recommendations/response.pdf': 'a PDF download',
  'GET /recommendations/report.pdf': 'a PDF download',
  'GET /action-updates/:id/evidence': 'a document download',
  'GET /resume/:id':
    'needs a form kept when a session timed out (tests/integration/timeout.test.ts); its form is hidden fields and a button',
};

const ROWS = Object.entries(VISITS).flatMap(([route, visits]) =>
  visits.map((visit) => [`${route} as ${visit.who}${visit.what ? ` (${visit.what})` : ''}`, route, visit] as const),
);

// ---- Reading forms and the pages that answer them

const read = (html: string) => parse(html, { blockTextElements: { script: true, style: true, textarea: true } });
const squash = (s: string) => s.replace(/\s+/g, ' ').trim();

interface Control {
  tag: string;
  type: string;
  name: string;
  value: string;
  checked: boolean;
  /** A select's options, and which is chosen. */
  options: { value: string; selected: boolean }[];
}

interface Form {
  /** The action, with the event type and item it is for when several forms share one action. */
  key: string;
  action: string;
  multipart: boolean;
  hidden: [string, string][];
  controls: Control[];
  buttons: { name: string; value: string; action: string; primary: boolean }[];
}

const isHidden = (el: HTMLElement) =>
  el.tagName === 'INPUT' && ((el.getAttribute('type') ?? '').toLowerCase() === 'hidden' || el.hasAttribute('hidden'));
const CONTROL_TAGS = new Set(['INPUT', 'SELECT', 'TEXTAREA']);
const NOT_FILLED = new Set(['submit', 'button', 'image', 'reset']);
const isControl = (el: HTMLElement) =>
  CONTROL_TAGS.has(el.tagName) && !isHidden(el) && !NOT_FILLED.has((el.getAttribute('type') ?? '').toLowerCase());
const withoutFragment = (url: string) => url.split('#')[0]!;

function keyOf(action: string, hidden: [string, string][]) {
  const named = (name: string) => hidden.find(([n]) => n === name)?.[1];
  const type = named('type');
  const item = named('itemId');
  return `${action}${type ? ` ${type}` : ''}${item ? ` item ${item}` : ''}`;
}

function formsOf(html: string): Form[] {
  return read(html)
    .querySelectorAll('form')
    .filter((form) => (form.getAttribute('method') ?? 'get').toLowerCase() === 'post')
    .map((form) => {
      const action = withoutFragment(form.getAttribute('action') ?? '');
      const hidden: [string, string][] = [];
      const controls: Control[] = [];
      const buttons: Form['buttons'] = [];
      for (const el of form.querySelectorAll('*')) {
        const name = el.getAttribute('name') ?? '';
        const type = (el.getAttribute('type') ?? (el.tagName === 'BUTTON' ? 'submit' : 'text')).toLowerCase();
        if (el.tagName === 'BUTTON' || (el.tagName === 'INPUT' && type === 'submit')) {
          if (type !== 'submit') continue;
          const className = el.getAttribute('class') ?? '';
          buttons.push({
            name,
            value: el.getAttribute('value') ?? '',
            action: withoutFragment(el.getAttribute('formaction') ?? action),
            primary: !/govuk-button--secondary/.test(className),
          });
        } else if (isHidden(el) && name) hidden.push([name, el.getAttribute('value') ?? '']);
        else if (isControl(el) && name) {
          const options = el.querySelectorAll('option').map((o) => ({
            value: o.getAttribute('value') ?? o.text,
            selected: o.hasAttribute('selected'),
          }));
          controls.push({
            tag: el.tagName.toLowerCase(),
            type: el.tagName === 'INPUT' ? type : el.tagName.toLowerCase(),
            name,
            value: el.tagName === 'TEXTAREA' ? el.text : (el.getAttribute('value') ?? ''),
            checked: el.hasAttribute('checked'),
            options,
          });
        }
      }
      return {
        key: keyOf(action, hidden),
        action,
        multipart: (form.getAttribute('enctype') ?? '').toLowerCase() === 'multipart/form-data',
        hidden,
        controls,
        buttons,
      };
    });
}

/** What a control sends when left empty: nothing for a choice or a file, an empty string otherwise. */
function emptyOf(c: Control): [string, string][] {
  if (c.type === 'radio' || c.type === 'checkbox' || c.type === 'file') return [];
  return [[c.name, '']];
}

/** What a control sends as the page drew it. */
function drawnOf(c: Control): [string, string][] {
  if (c.type === 'radio' || c.type === 'checkbox') return c.checked ? [[c.name, c.value || 'on']] : [];
  if (c.type === 'file') return [];
  if (c.tag === 'select') return [[c.name, (c.options.find((o) => o.selected) ?? c.options[0])?.value ?? '']];
  return [[c.name, c.value]];
}

/** A field with an obvious bad value: a date (its three boxes), an email address, a number, a year. */
interface Bad {
  /** The date's name, or the field's. */
  field: string;
  values: Record<string, string>;
  date: boolean;
}

function badFields(form: Form, date: { day: string; month: string; year: string }): Bad[] {
  const bad: Bad[] = [];
  const names = new Set(form.controls.map((c) => c.name));
  for (const c of form.controls) {
    const dated = /^(.+)-day$/.exec(c.name);
    if (dated && names.has(`${dated[1]}-month`) && names.has(`${dated[1]}-year`)) {
      const at = dated[1]!;
      bad.push({
        field: at,
        date: true,
        values: { [`${at}-day`]: date.day, [`${at}-month`]: date.month, [`${at}-year`]: date.year },
      });
    } else if (c.type === 'email') bad.push({ field: c.name, date: false, values: { [c.name]: 'not an email' } });
    else if (c.type === 'url') bad.push({ field: c.name, date: false, values: { [c.name]: 'not a web address' } });
    else if (/Days$/.test(c.name)) bad.push({ field: c.name, date: false, values: { [c.name]: 'abc' } });
    else if (c.name === 'yearOfDeath') bad.push({ field: c.name, date: false, values: { [c.name]: '0000' } });
    // A template with two mistakes: still one error at its box.
    else if (c.name === 'body' && c.tag === 'textarea') {
      bad.push({ field: c.name, date: false, values: { [c.name]: '<p>{{nothing}}</p>\n<p>{{other}}</p>' } });
    }
  }
  return bad;
}

/**
 * Bad answers that are not one field's but the form's: the panel's outcome that contradicts
 * its list of areas. Sent as the form was drawn, with these changes.
 */
const CASES: { action: RegExp; name: string; change: (fields: [string, string][]) => [string, string][] }[] = [
  {
    action: /^\/meetings\/\d+\/reviews\/\d+\/outcome$/,
    name: 'publish after changes, with no areas',
    change: (fields) => [
      ...fields.filter(([n]) => n !== 'outcome').map(([n, v]): [string, string] => [n, /^areas-\d+-/.test(n) ? '' : v]),
      ['outcome', 'publish_after_changes'],
    ],
  },
  {
    action: /^\/meetings\/\d+\/reviews\/\d+\/outcome$/,
    name: 'publish as it is, with areas',
    change: (fields) => [...fields.filter(([n]) => n !== 'outcome'), ['outcome', 'publish']],
  },
];

interface Submission {
  name: string;
  button: Form['buttons'][number] | undefined;
  fields: [string, string][];
  bad: Bad[];
}

/** The submissions a form gets: empty (with each of its distinct buttons), then with bad values. */
function submissionsOf(form: Form): Submission[] {
  const primary = form.buttons.find((b) => b.primary) ?? form.buttons[0];
  // One of each kind of button: "Add a paragraph here" is the same button after every paragraph.
  const seen = new Set<string>();
  const buttons = [primary, ...form.buttons.filter((b) => b !== primary)].filter((b) => {
    const kind = b ? `${b.name}=${b.value.replace(/\d+/g, 'N')}` : '';
    return !seen.has(kind) && seen.add(kind);
  });
  const empty = buttons.map((button) => ({
    name: `left empty${button?.name ? ` (${button.name}=${button.value})` : ''}`,
    button,
    fields: [...form.hidden, ...form.controls.flatMap(emptyOf)],
    bad: [],
  }));
  const drawn = () => [...form.hidden, ...form.controls.flatMap(drawnOf)];
  const badly = (date: { day: string; month: string; year: string }): Submission[] => {
    const bad = badFields(form, date);
    if (!bad.length) return [];
    const values = Object.assign({}, ...bad.map((b) => b.values)) as Record<string, string>;
    const fields = drawn().map(([n, v]): [string, string] => [n, n in values ? values[n]! : v]);
    const typed = bad.map((b) => `${b.field} ${Object.values(b.values).join('/')}`.replace(/\n/g, ' '));
    return [{ name: `with bad values (${typed.join(', ')})`, button: primary, fields, bad }];
  };
  // A form with a file and other fields, filled in as drawn but with no file chosen.
  const file = form.controls.some((c) => c.type === 'file');
  const others = form.controls.some((c) => c.type !== 'file');
  const noFile: Submission[] =
    file && others ? [{ name: 'as drawn, with no file chosen', button: primary, fields: drawn(), bad: [] }] : [];
  const dated = form.controls.some((c) => /-day$/.test(c.name));
  // The confirming step of the outcome (its rows of areas), not the pasting one.
  const cases = form.hidden.some(([n]) => n === 'rows')
    ? CASES.filter((c) => c.action.test(form.action)).map((c) => ({
        name: c.name,
        button: primary,
        fields: c.change(drawn()),
        bad: [],
      }))
    : [];
  return [
    ...empty,
    ...noFile,
    ...cases,
    ...badly({ day: '1', month: '13', year: '2026' }),
    ...(dated ? badly({ day: '32', month: '1', year: '2026' }) : []),
  ];
}

function send(agent: ReturnType<typeof request.agent>, form: Form, s: Submission) {
  const url = s.button?.action || form.action;
  const pairs: [string, string][] = [...s.fields];
  if (s.button?.name) pairs.push([s.button.name, s.button.value]);
  if (form.multipart) {
    let req = agent.post(url);
    for (const [name, value] of pairs) req = req.field(name, value);
    return req;
  }
  return agent.post(url).type('form').send(new URLSearchParams(pairs).toString());
}

// ---- The GOV.UK error pattern

/** The service's words, which a page must put in GOV.UK's. */
const SERVICE_WORDS: RegExp[] = [
  /must not be empty/,
  /\bis required\b/,
  /must be one of/,
  /YYYY-MM-DD/,
  /is not a real calendar date/,
  /must be (at most|at least) \d+ characters/,
  /must be a whole number/,
  /must be positive/,
  /is not the id of any record/,
  /must be true or false/,
  /must be text\b/,
  /is not a known field/,
  /^The file /,
  /\b(undefined|null|NaN)\b/,
  // A field's name in the code (cspId, yearOfDeath) rather than its label.
  /\b[a-z]+[A-Z][A-Za-z]*\b/,
];
/** A template's placeholders are named as the template writes them: they are not field names. */
const asCode = (text: string) => text.replace(/\{\{[^}]*\}\}/g, '').replace(/placeholders are: [^(]*/g, '');

const errorText = (el: HTMLElement) => squash(el.text).replace(/^Error:\s*/, '');

function closest(el: HTMLElement, test: (e: HTMLElement) => boolean): HTMLElement | null {
  for (let at: HTMLElement | null = el; at && at.tagName; at = at.parentNode as HTMLElement | null) {
    if (test(at)) return at;
  }
  return null;
}
const hasClass = (name: string) => (el: HTMLElement) => (el.getAttribute('class') ?? '').split(/\s+/).includes(name);

/** The problems with a page that refused a submission; empty when it follows the pattern. */
function patternProblems(html: string): {
  problems: string[];
  groups: Map<HTMLElement, string[]>;
  entries: { text: string; href: string | undefined }[];
} {
  const root = read(html);
  const problems: string[] = [];
  const groups = new Map<HTMLElement, string[]>();
  const summary = root.querySelector('.govuk-error-summary');
  if (!summary) return { problems: ['has no error summary'], groups, entries: [] };
  const entries = summary.querySelectorAll('li').map((li) => ({
    text: squash(li.text),
    href: li.querySelector('a')?.getAttribute('href'),
  }));
  if (!entries.length) problems.push('has an empty error summary');
  for (const { text, href } of entries) {
    for (const words of SERVICE_WORDS) {
      if (words.test(asCode(text))) problems.push(`"${text}" is not in GOV.UK's words (${words})`);
    }
    if (!href) {
      problems.push(`"${text}" is not a link`);
      continue;
    }
    if (href === '#main-content') continue;
    if (!href.startsWith('#')) {
      problems.push(`"${text}" links to ${href}, not to a field of the page`);
      continue;
    }
    const id = href.slice(1);
    const targets = root.querySelectorAll(`[id="${id}"]`);
    if (targets.length !== 1) {
      problems.push(`"${text}" links to ${href}, which is on the page ${targets.length} times`);
      continue;
    }
    const target = targets[0]!;
    if (hasClass('govuk-date-input')(target)) {
      problems.push(`"${text}" links to the date ${href}, not its day box`);
      continue;
    }
    if (!isControl(target) && !target.querySelectorAll('*').some(isControl)) {
      problems.push(`"${text}" links to ${href}, which is not a form control`);
      continue;
    }
    if (closest(target, (e) => e.tagName === 'DETAILS' && !e.hasAttribute('open'))) {
      problems.push(`"${text}" links to ${href}, inside a closed <details>`);
    }
    const group = closest(target, hasClass('govuk-form-group--error'));
    if (!group) {
      problems.push(`"${text}" links to ${href}, which is not in a govuk-form-group--error`);
      continue;
    }
    groups.set(group, [...(groups.get(group) ?? []), text]);
    const shown = group.querySelectorAll('.govuk-error-message').map(errorText);
    if (shown.length !== 1) problems.push(`${href} shows ${shown.length} error messages at the field: ${shown}`);
    else if (shown[0] !== text) problems.push(`${href} says "${shown[0]}" at the field but "${text}" in the summary`);
  }
  for (const [, texts] of groups) {
    if (texts.length > 1) problems.push(`one field has ${texts.length} errors: ${texts.join(' | ')}`);
  }
  const summarised = new Set(entries.map((e) => e.text));
  for (const message of root.querySelectorAll('.govuk-error-message').map(errorText)) {
    if (!summarised.has(message)) problems.push(`"${message}" is shown at a field but not in the error summary`);
  }
  return { problems, groups, entries };
}

/** What GOV.UK asks of a field left empty: "Enter …", "Select …", "Choose …". */
const INSTRUCTION = /^(Enter|Select|Choose|Add|Upload|Paste|Write|Tick)\b/;

/** After a submission with bad values: one error for each, and everything typed drawn again. */
function badValueProblems(html: string, form: Form, s: Submission, groups: Map<HTMLElement, string[]>): string[] {
  const problems: string[] = [];
  const root = read(html);
  const again = formsOf(html).find((other) => other.key === form.key);
  if (!again) return [`the form ${form.key} is not drawn again`];
  for (const [name, value] of s.fields) {
    const control = again.controls.find((c) => c.name === name);
    if (!control || control.type === 'password' || control.type === 'radio' || control.type === 'checkbox') continue;
    const drawn = control.tag === 'select' ? (control.options.find((o) => o.selected)?.value ?? '') : control.value;
    if (drawn !== value) problems.push(`${name} is drawn again as "${drawn}", not as typed: "${value}"`);
  }
  for (const bad of s.bad) {
    const boxes = Object.keys(bad.values);
    // The errors whose field holds one of this field's boxes.
    const errors = [...groups].filter(([group]) =>
      boxes.some((name) => group.querySelector(`[name="${name}"]`) !== null),
    );
    const count = errors.reduce((n, [, texts]) => n + texts.length, 0);
    const typed = boxes.map((b) => bad.values[b]).join('/');
    if (count !== 1) problems.push(`${bad.field} typed as ${typed} gives ${count} errors, not 1`);
    if (!root.querySelector(`[name="${boxes[0]}"]`)) problems.push(`${bad.field} is not on the page drawn again`);
  }
  return problems;
}

/** The problems with the answer to a submission, or 'accepted' when it was taken (2xx or 3xx). */
function judge(res: request.Response, submission: Submission, form: Form): string[] | 'accepted' {
  const summary = /govuk-error-summary/.test(res.text ?? '');
  if (res.status >= 500) return [`answered ${res.status}`];
  if (res.status < 400) return summary ? [`shows an error summary but answers ${res.status}`] : 'accepted';
  if (!summary) {
    const title = /<title>([^<]*)<\/title>/.exec(res.text ?? '')?.[1] ?? '';
    return [`answered ${res.status} without an error summary: ${squash(title)}`];
  }
  const { problems, groups, entries } = patternProblems(res.text);
  // Sent empty, each field in error is asked for; a refusal of the whole form says why.
  if (submission.name.startsWith('left empty') && res.status === 422) {
    for (const { text, href } of entries) {
      if (href !== '#main-content' && !INSTRUCTION.test(text))
        problems.push(`"${text}" does not ask for what was left empty ("Enter …", "Select …")`);
    }
  }
  if (submission.bad.length) problems.push(...badValueProblems(res.text, form, submission, groups));
  return problems;
}

/** Writes the error summary of an answer to `file`, to read the words every form uses. */
function show(file: string, res: request.Response, what: string) {
  const items =
    read(res.text ?? '')
      .querySelector('.govuk-error-summary')
      ?.querySelectorAll('li') ?? [];
  const entries = items.map((li) => `${li.querySelector('a')?.getAttribute('href') ?? '(no link)'} ${squash(li.text)}`);
  fs.appendFileSync(file, `${what} → ${res.status}\n  ${entries.join('\n  ')}\n`);
}

// ---- The walk

const counts = { pages: 0, forms: 0, sent: 0, notSent: 0, submissions: 0 };
const accepted: string[] = [];

describe('the pages walked', () => {
  it('are every GET page route the app answers, each visited or listed with the reason it is not', () => {
    const routes = enumerateRoutes(t.app).filter((r) => r.startsWith('GET ') && !r.startsWith('GET /api/'));
    const missing = routes.filter((r) => !(r in VISITS) && !(r in NOT_VISITED));
    const stale = [...Object.keys(VISITS), ...Object.keys(NOT_VISITED)].filter((r) => !routes.includes(r));
    const both = Object.keys(VISITS).filter((r) => r in NOT_VISITED);
    expect({ missing, stale, both }).toEqual({ missing: [], stale: [], both: [] });
  });

  it('are visited on URLs their routes answer', () => {
    for (const [, route, visit] of ROWS) {
      const url = visit.url(f);
      expect({ route, url, matches: matchesRoute(route.slice(4), url) }).toEqual({ route, url, matches: true });
    }
  });
});

describe('every form, sent empty and with bad values, follows the GOV.UK error pattern', () => {
  test.each(ROWS)('%s', async (_label, _route, visit) => {
    const url = visit.url(f);
    if (visit.everyoneTwoFactor) await everyoneTwoFactor(true);
    try {
      // (After everyone is asked for two-factor sign-in, for the visit that needs it: signing in then owes the set-up.)
      const agent = await browserOf(visit.who);
      const page = await agent.get(url);
      expect({ url, status: page.status, type: page.type }).toEqual({ url, status: 200, type: 'text/html' });
      counts.pages += 1;
      const problems: Record<string, string[]> = {};
      for (const form of formsOf(page.text)) {
        counts.forms += 1;
        if (!form.controls.length) {
          counts.notSent += 1;
          continue;
        }
        counts.sent += 1;
        for (const submission of submissionsOf(form)) {
          // Each submission from the page as it is now: an earlier one may have changed it.
          const now = formsOf((await agent.get(url)).text).find((other) => other.key === form.key);
          if (!now) {
            (problems[`${form.key} ${submission.name}`] ??= []).push('the form is gone from the page');
            continue;
          }
          const fresh = submissionsOf(now).find((s) => s.name === submission.name) ?? submission;
          const res = await send(agent, now, fresh);
          counts.submissions += 1;
          const found = judge(res, fresh, now);
          if (found === 'accepted') accepted.push(`${visit.who}: ${form.key} ${submission.name} → ${res.status}`);
          if (process.env.SHOW_FORM_ERRORS)
            show(process.env.SHOW_FORM_ERRORS, res, `${visit.who} ${form.key} ${submission.name}`);
          const left = found === 'accepted' ? [] : found;
          if (left.length) problems[`${form.key} ${submission.name} → ${res.status}`] = left;
        }
      }
      expect(problems).toEqual({});
    } finally {
      if (visit.everyoneTwoFactor) await everyoneTwoFactor(false);
    }
  });
});

afterAll(() => {
  console.log(
    `Form errors: ${counts.pages} pages, ${counts.forms} forms: ${counts.sent} sent, ` +
      `${counts.notSent} with nothing to fill in (every page's "Sign out" among them) not sent; ` +
      `${counts.submissions} submissions; accepted:\n${accepted.join('\n')}`,
  );
});
