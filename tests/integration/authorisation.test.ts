/**
 * The authorisation matrix: every route the app answers (read from its routers by
 * tests/helpers/routes.ts) × every role, in its own scope and in another (another
 * CSP, another police force area, another organisation), and signed out. A route
 * added without an entry here fails the first test.
 *
 * Each entry states, column by column:
 *   ok  – past authorisation: 2xx, 3xx, or a 400/409/422 that answers the request itself
 *   404 – out of the caller's scope: the same answer as for something that does not exist
 *   403 – the role may never do this
 *   out – signed out: 401 from the API, a redirect to /sign-in from the pages
 *
 * The resource each route is called on belongs to Kent CSP (Kent force area) and, for
 * agencies' work, to Kent Police; "other" is Hackney CSP, the Metropolitan Police area
 * and Kent County Council. Every refused call that could change something is checked
 * to have changed nothing in the database.
 */
import request from 'supertest';
import { createTestApp, PASSWORD, pdf, reviewAt, type TestApp, type Who } from '../helpers/app';
import { fingerprint } from '../helpers/fingerprint';
import { enumerateRoutes, matchesRoute } from '../helpers/routes';
import { csrfOf } from '../helpers/web';

const COLUMNS = [
  'secretariat',
  'panel',
  'cspOwn',
  'cspOther',
  'pccOwn',
  'pccOther',
  'agencyOwn',
  'agencyOther',
  'signedOut',
  'commissioner',
] as const;
type Column = (typeof COLUMNS)[number];
type Outcome = 'ok' | '403' | '404' | 'out';

/** The ids the calls are made on: see the fixture below. */
interface Fixture {
  kentCsp: number;
  kentArea: number;
  /** Kent's review, with its feedback letter sent: revising, with two open items. */
  review: number;
  item: number;
  document: number;
  sentLetter: number;
  /** Another Kent review: outcome recorded at `meeting`, its letter still a draft. */
  draftReview: number;
  draftLetter: number;
  meeting: number;
  /**
   * A meeting of its own, with a third Kent review's letter a draft: sending a meeting's letters
   * sends that one, and leaves the draft the letter routes are called on a draft, whenever it runs.
   */
  sendingMeeting: number;
  mail: number;
  /** A panel member nobody signs in as: the account the secretariat's account actions are tried on. */
  spareUser: number;
  /** Kent's approved review, whose recommendations are imported. */
  recommended: number;
  /** Kent Police's organisation and its part in recommendation `recommendation` of `recommended`. */
  organisation: number;
  recommendation: number;
  link: number;
  /** An action (not started) on `link`, and a progress update on it with evidence. */
  action: number;
  update: number;
  /** Kent Police's part in another recommendation, implemented: the CSP may reopen it. */
  implementedLink: number;
}

interface Entry {
  /** The ten columns in the order of COLUMNS. */
  expect: string;
  url: (f: Fixture) => string;
  /** JSON for the API, form fields for the pages. */
  body?: (f: Fixture) => Record<string, unknown>;
  /** Sent as multipart/form-data (the upload routes), without a file. */
  multipart?: boolean;
  /** The call ends the session it is made in: each case signs in afresh. */
  ends?: boolean;
}

const PUBLIC = 'ok ok ok ok ok ok ok ok ok ok';
const SIGNED_IN = 'ok ok ok ok ok ok ok ok out ok';
const SECRETARIAT = 'ok 403 403 403 403 403 403 403 out 403';
const HOME_OFFICE = 'ok ok 403 403 403 403 403 403 out 403';
/**
 * Oversight (the commissioner column) reads the national figures, and published reviews alone:
 * every review the routes are called on is still in the process, so it finds none of them.
 */
const NATIONAL = 'ok ok 403 403 403 403 403 403 out ok';
/** Whoever may see the review: the Home Office, its CSP and its force area's PCC. */
const READ_REVIEW = 'ok ok ok 404 ok 404 404 404 out 404';
/** What the CSP and the secretariat do with their reviews (a PCC reads, a panel member records outcomes). */
const CSP_WORK = 'ok 403 ok 404 403 403 403 403 out 403';
/** Lifecycle events and uploads: the review is found (or not) first, then the role is asked. */
const REVIEW_EVENT = 'ok 403 ok 404 403 404 404 404 out 404';
/**
 * A draft letter is the Home Office's working paper: no one else can see it (404); a panel
 * member sees it but never edits or sends it (403).
 */
const DRAFT_LETTER = 'ok 403 404 404 404 404 404 404 out 404';
/** The QA checklist: the panel and the secretariat, and the review's own CSP (its self-check). */
const QA_CHECKLIST = 'ok ok ok 404 403 403 403 403 out 403';
/** An agency's own response and actions; no other role ever records them. */
const AGENCY_WORK = '403 403 403 403 403 403 ok 404 out 403';
/** Read by whoever sees the review, and by the agency whose organisation it concerns. */
const READ_AGENCY_PART = 'ok ok ok 404 ok 404 ok 404 out 404';

const KENT_POLICE = 'Kent Police';
const CSV = 'number,recommendation,addressed to\n1,Train call handlers in risk assessment,Kent Police\n';

const MATRIX: Record<string, Entry> = {
  // ---- outside both routers
  'GET /health': { expect: PUBLIC, url: () => '/health' },
  'GET /ready': { expect: PUBLIC, url: () => '/ready' },
  'GET /assets/govuk-frontend.min.css': { expect: PUBLIC, url: () => '/assets/govuk-frontend.min.css' },
  'GET /assets/govuk-frontend.min.js': { expect: PUBLIC, url: () => '/assets/govuk-frontend.min.js' },

  // ---- the JSON API
  'POST /api/v1/session': { expect: PUBLIC, url: () => '/api/v1/session', body: () => ({}) },
  'DELETE /api/v1/session': { expect: SIGNED_IN, url: () => '/api/v1/session', ends: true },
  'GET /api/v1/me': { expect: SIGNED_IN, url: () => '/api/v1/me' },
  'GET /api/v1/police-force-areas': { expect: SIGNED_IN, url: () => '/api/v1/police-force-areas' },
  'PUT /api/v1/police-force-areas/:id': {
    expect: SECRETARIAT,
    url: (f) => `/api/v1/police-force-areas/${f.kentArea}`,
    body: () => ({ pccName: 'Police and Crime Commissioner for Kent', pccEmail: 'pcc@kent.example' }),
  },
  'GET /api/v1/csps': { expect: SIGNED_IN, url: () => '/api/v1/csps' },
  'POST /api/v1/csps': { expect: SECRETARIAT, url: () => '/api/v1/csps', body: () => ({}) },
  'PUT /api/v1/csps/:id': { expect: SECRETARIAT, url: (f) => `/api/v1/csps/${f.kentCsp}`, body: () => ({}) },
  'GET /api/v1/users': { expect: SECRETARIAT, url: () => '/api/v1/users' },
  'POST /api/v1/users': { expect: SECRETARIAT, url: () => '/api/v1/users', body: () => ({}) },
  'GET /api/v1/users/:id': { expect: SECRETARIAT, url: (f) => `/api/v1/users/${f.spareUser}` },
  'POST /api/v1/users/:id/disable': { expect: SECRETARIAT, url: (f) => `/api/v1/users/${f.spareUser}/disable` },
  'POST /api/v1/users/:id/enable': { expect: SECRETARIAT, url: (f) => `/api/v1/users/${f.spareUser}/enable` },
  'POST /api/v1/users/:id/sign-out': { expect: SECRETARIAT, url: (f) => `/api/v1/users/${f.spareUser}/sign-out` },
  'POST /api/v1/users/:id/password-reset': {
    expect: SECRETARIAT,
    url: (f) => `/api/v1/users/${f.spareUser}/password-reset`,
  },
  'POST /api/v1/users/:id/two-factor-reset': {
    expect: SECRETARIAT,
    url: (f) => `/api/v1/users/${f.spareUser}/two-factor-reset`,
  },
  'GET /api/v1/panel-meetings': { expect: HOME_OFFICE, url: () => '/api/v1/panel-meetings' },
  'POST /api/v1/panel-meetings': { expect: SECRETARIAT, url: () => '/api/v1/panel-meetings', body: () => ({}) },
  'GET /api/v1/panel-meetings/:id': { expect: HOME_OFFICE, url: (f) => `/api/v1/panel-meetings/${f.meeting}` },
  'POST /api/v1/panel-meetings/:id/send-letters': {
    expect: SECRETARIAT,
    url: (f) => `/api/v1/panel-meetings/${f.sendingMeeting}/send-letters`,
  },
  'GET /api/v1/letters/:id': { expect: READ_REVIEW, url: (f) => `/api/v1/letters/${f.sentLetter}` },
  'GET /api/v1/letters/:id/pdf': { expect: READ_REVIEW, url: (f) => `/api/v1/letters/${f.sentLetter}/pdf` },
  'PATCH /api/v1/letters/:id': {
    expect: DRAFT_LETTER,
    url: (f) => `/api/v1/letters/${f.draftLetter}`,
    body: () => ({ salutation: 'Dear Sam' }),
  },
  'GET /api/v1/letter-templates': { expect: SECRETARIAT, url: () => '/api/v1/letter-templates' },
  'GET /api/v1/letter-templates/:kind': { expect: SECRETARIAT, url: () => '/api/v1/letter-templates/publish' },
  'PUT /api/v1/letter-templates/:kind': {
    expect: SECRETARIAT,
    url: () => '/api/v1/letter-templates/publish',
    body: () => ({ body: '{{{pseudonym}}}' }),
  },
  'POST /api/v1/letter-templates/:kind/preview': {
    expect: SECRETARIAT,
    url: () => '/api/v1/letter-templates/publish/preview',
    body: () => ({ body: '<p>{{pseudonym}}</p>' }),
  },
  'GET /api/v1/letter-templates/:kind/versions': {
    expect: SECRETARIAT,
    url: () => '/api/v1/letter-templates/publish/versions',
  },
  'GET /api/v1/letter-templates/:kind/versions/:version': {
    expect: SECRETARIAT,
    url: () => '/api/v1/letter-templates/publish/versions/1',
  },
  'POST /api/v1/letter-templates/:kind/versions/:version/restore': {
    expect: SECRETARIAT,
    url: () => '/api/v1/letter-templates/acknowledgement.subject/versions/1/restore',
  },
  'GET /api/v1/settings': { expect: HOME_OFFICE, url: () => '/api/v1/settings' },
  'PATCH /api/v1/settings': {
    expect: SECRETARIAT,
    url: () => '/api/v1/settings',
    body: () => ({ dateStyle: 'plain' }),
  },
  'GET /api/v1/stage-targets': { expect: NATIONAL, url: () => '/api/v1/stage-targets' },
  'GET /api/v1/stage-times': { expect: NATIONAL, url: () => '/api/v1/stage-times' },
  'PUT /api/v1/stage-targets': { expect: SECRETARIAT, url: () => '/api/v1/stage-targets', body: () => ({}) },
  'GET /api/v1/mail': { expect: SECRETARIAT, url: () => '/api/v1/mail' },
  'GET /api/v1/mail/:id': { expect: SECRETARIAT, url: (f) => `/api/v1/mail/${f.mail}` },
  'GET /api/v1/mail/:id/eml': { expect: SECRETARIAT, url: (f) => `/api/v1/mail/${f.mail}/eml` },
  'POST /api/v1/mail/:id/retry': { expect: SECRETARIAT, url: (f) => `/api/v1/mail/${f.mail}/retry` },
  'GET /api/v1/reviews': { expect: SIGNED_IN, url: () => '/api/v1/reviews' },
  'POST /api/v1/reviews': {
    // Another CSP is refused whatever the id: 403 says nothing about Kent.
    expect: 'ok 403 ok 403 403 403 403 403 out 403',
    url: () => '/api/v1/reviews',
    body: (f) => ({ cspId: f.kentCsp, pseudonym: 'Matrix' }),
  },
  'GET /api/v1/reviews/:id': { expect: READ_REVIEW, url: (f) => `/api/v1/reviews/${f.review}` },
  'POST /api/v1/reviews/:id/events': {
    // SUBMIT is a CSP's and the secretariat's event; the review is past it, so they get 409.
    expect: REVIEW_EVENT,
    url: (f) => `/api/v1/reviews/${f.review}/events`,
    body: () => ({ type: 'SUBMIT' }),
  },
  'POST /api/v1/reviews/:id/documents': {
    expect: REVIEW_EVENT,
    url: (f) => `/api/v1/reviews/${f.review}/documents`,
    body: () => ({ kind: 'other' }),
    multipart: true,
  },
  'GET /api/v1/reviews/:id/documents/:documentId': {
    expect: READ_REVIEW,
    url: (f) => `/api/v1/reviews/${f.review}/documents/${f.document}`,
  },
  'POST /api/v1/reviews/:id/recommendations/import': {
    expect: CSP_WORK,
    url: (f) => `/api/v1/reviews/${f.recommended}/recommendations/import`,
    body: () => ({ format: 'csv', content: CSV, dryRun: true }),
  },
  'GET /api/v1/reviews/:id/recommendations': {
    expect: READ_REVIEW,
    url: (f) => `/api/v1/reviews/${f.recommended}/recommendations`,
  },
  'GET /api/v1/reviews/:id/recommendations/report': {
    expect: READ_REVIEW,
    url: (f) => `/api/v1/reviews/${f.recommended}/recommendations/report`,
  },
  'GET /api/v1/reviews/:id/recommendations/response': {
    expect: READ_AGENCY_PART,
    url: (f) => `/api/v1/reviews/${f.recommended}/recommendations/response?organisationId=${f.organisation}`,
  },
  'GET /api/v1/recommendations': {
    expect: '403 403 403 403 403 403 ok ok out 403',
    url: () => '/api/v1/recommendations',
  },
  'GET /api/v1/recommendations/report': {
    // An agency's own report, or any organisation's for the secretariat.
    expect: 'ok 403 403 403 403 403 ok 404 out 403',
    url: (f) => `/api/v1/recommendations/report?organisationId=${f.organisation}`,
  },
  'GET /api/v1/organisations': { expect: HOME_OFFICE, url: () => '/api/v1/organisations' },
  'PUT /api/v1/organisations/:id': {
    expect: SECRETARIAT,
    url: (f) => `/api/v1/organisations/${f.organisation}`,
    body: () => ({}),
  },
  'GET /api/v1/national': { expect: NATIONAL, url: () => '/api/v1/national' },
  'POST /api/v1/recommendation-agencies/:id/response': {
    expect: AGENCY_WORK,
    url: (f) => `/api/v1/recommendation-agencies/${f.link}/response`,
    body: () => ({ response: 'accepted' }),
  },
  'POST /api/v1/recommendation-agencies/:id/actions': {
    expect: AGENCY_WORK,
    url: (f) => `/api/v1/recommendation-agencies/${f.link}/actions`,
    body: () => ({ description: 'Brief every shift', owner: 'Training lead', targetDate: '2026-09-30' }),
  },
  'POST /api/v1/recommendation-agencies/:id/implemented': {
    // The agency's action is not completed yet: 409.
    expect: AGENCY_WORK,
    url: (f) => `/api/v1/recommendation-agencies/${f.link}/implemented`,
    body: () => ({ evidence: 'Training records' }),
  },
  'POST /api/v1/recommendation-agencies/:id/reopen': {
    expect: CSP_WORK,
    url: (f) => `/api/v1/recommendation-agencies/${f.implementedLink}/reopen`,
    body: () => ({ reason: 'The evidence does not show it' }),
  },
  'PUT /api/v1/recommendations/:id/themes': {
    expect: CSP_WORK,
    url: (f) => `/api/v1/recommendations/${f.recommendation}/themes`,
    body: () => ({ themes: ['Training'] }),
  },
  'GET /api/v1/qa-criteria': { expect: SECRETARIAT, url: () => '/api/v1/qa-criteria' },
  'PUT /api/v1/qa-criteria': {
    // An empty list: 422, changing nothing.
    expect: SECRETARIAT,
    url: () => '/api/v1/qa-criteria',
    body: () => ({ criteria: [] }),
  },
  'GET /api/v1/reviews/:id/qa-checklist': {
    expect: QA_CHECKLIST,
    url: (f) => `/api/v1/reviews/${f.review}/qa-checklist`,
  },
  'PUT /api/v1/reviews/:id/qa-checklist': {
    // The review is revising: the CSP's self-check saves; the panel's marks are refused (409).
    expect: QA_CHECKLIST,
    url: (f) => `/api/v1/reviews/${f.review}/qa-checklist`,
    body: () => ({ marks: [{ criterion: 'anonymity', mark: 'met' }] }),
  },
  'GET /api/v1/national/qa-criteria': { expect: NATIONAL, url: () => '/api/v1/national/qa-criteria' },
  'PUT /api/v1/reviews/:id/scoping': {
    expect: CSP_WORK,
    url: (f) => `/api/v1/reviews/${f.review}/scoping`,
    body: () => ({ directedBySecretaryOfState: false, earlyLearning: 'Shared at once' }),
  },
  'PUT /api/v1/recommendations/:id/level': {
    expect: CSP_WORK,
    url: (f) => `/api/v1/recommendations/${f.recommendation}/level`,
    body: () => ({ level: 'local' }),
  },
  'GET /api/v1/recommendations/triage': { expect: SECRETARIAT, url: () => '/api/v1/recommendations/triage' },
  'POST /api/v1/recommendations/:id/assign': {
    // A local recommendation is not triaged: 409.
    expect: SECRETARIAT,
    url: (f) => `/api/v1/recommendations/${f.recommendation}/assign`,
    body: (f) => ({ organisationIds: [f.organisation] }),
  },
  'POST /api/v1/recommendation-agencies/:id/acknowledge': {
    expect: AGENCY_WORK,
    url: (f) => `/api/v1/recommendation-agencies/${f.link}/acknowledge`,
  },
  'POST /api/v1/recommendation-agencies/:id/extend': {
    // Kent Police has responded: 409.
    expect: CSP_WORK,
    url: (f) => `/api/v1/recommendation-agencies/${f.link}/extend`,
    body: () => ({ dueOn: '2026-12-31', reason: 'Waiting for the inquest' }),
  },
  'PUT /api/v1/reviews/:id/chair': {
    expect: CSP_WORK,
    url: (f) => `/api/v1/reviews/${f.recommended}/chair`,
    body: () => ({ name: 'Sam Chair', email: 'chair@test.example' }),
  },
  'PUT /api/v1/actions/:id/status': {
    expect: AGENCY_WORK,
    url: (f) => `/api/v1/actions/${f.action}/status`,
    body: () => ({ status: 'in_progress' }),
  },
  'POST /api/v1/actions/:id/updates': {
    expect: AGENCY_WORK,
    url: (f) => `/api/v1/actions/${f.action}/updates`,
    body: () => ({ on: '2026-03-10', text: 'First briefings held' }),
  },
  'GET /api/v1/action-updates/:id/evidence': {
    expect: READ_AGENCY_PART,
    url: (f) => `/api/v1/action-updates/${f.update}/evidence`,
  },

  // ---- the pages
  'GET /sign-in': { expect: PUBLIC, url: () => '/sign-in' },
  'POST /sign-in': {
    // An address too long to be one is refused (422) before any password is tried or counted.
    expect: PUBLIC,
    url: () => '/sign-in',
    body: () => ({ email: `${'x'.repeat(250)}@test.example`, password: 'anything' }),
  },
  'POST /sign-out': { expect: PUBLIC, url: () => '/sign-out', ends: true },
  // The second factor's pages serve a session that has passed the password only; a full one goes home.
  'GET /sign-in/code': { expect: SIGNED_IN, url: () => '/sign-in/code' },
  'POST /sign-in/code': { expect: SIGNED_IN, url: () => '/sign-in/code', body: () => ({ code: '123456' }) },
  'GET /sign-in/set-up': { expect: SIGNED_IN, url: () => '/sign-in/set-up' },
  'POST /sign-in/set-up': { expect: SIGNED_IN, url: () => '/sign-in/set-up', body: () => ({ code: '123456' }) },
  'GET /account': { expect: SIGNED_IN, url: () => '/account' },
  'GET /account/two-factor': { expect: SIGNED_IN, url: () => '/account/two-factor' },
  'POST /account/two-factor': { expect: SIGNED_IN, url: () => '/account/two-factor', body: () => ({ code: 'x' }) },
  // Nobody in the fixture has two-factor sign-in, so new recovery codes are refused (409) for all.
  'POST /account/recovery-codes': { expect: SIGNED_IN, url: () => '/account/recovery-codes' },
  'POST /account/password': { expect: SIGNED_IN, url: () => '/account/password' },
  'GET /': { expect: SIGNED_IN, url: () => '/' },
  // A kept form is its own user's: no one is given back one that is not theirs (or not kept).
  'GET /resume/:id': { expect: '404 404 404 404 404 404 404 404 out 404', url: () => '/resume/nothing-kept-here' },
  'POST /session/keep-alive': { expect: SIGNED_IN, url: () => '/session/keep-alive' },
  'GET /dashboard': { expect: HOME_OFFICE, url: () => '/dashboard' },
  'GET /reviews': {
    // The Home Office's list and the PCC's home page; a CSP has My reviews.
    expect: 'ok ok 403 403 ok ok 403 403 out ok',
    url: () => '/reviews',
  },
  'GET /reviews.csv': { expect: 'ok ok 403 403 ok ok 403 403 out ok', url: () => '/reviews.csv' },
  'GET /my-reviews': { expect: '403 403 ok ok 403 403 403 403 out 403', url: () => '/my-reviews' },
  'GET /reviews/new': { expect: 'ok 403 ok ok 403 403 403 403 out 403', url: () => '/reviews/new' },
  'POST /reviews/new': { expect: 'ok 403 ok ok 403 403 403 403 out 403', url: () => '/reviews/new', body: () => ({}) },
  'GET /reviews/:id': { expect: READ_REVIEW, url: (f) => `/reviews/${f.review}` },
  'POST /reviews/:id/events': {
    expect: REVIEW_EVENT,
    url: (f) => `/reviews/${f.review}/events`,
    body: () => ({ type: 'SUBMIT' }),
  },
  'GET /reviews/:id/submit': { expect: READ_REVIEW, url: (f) => `/reviews/${f.review}/submit` },
  'POST /reviews/:id/submit': {
    // The review is being revised: the CSP and the secretariat get 409.
    expect: REVIEW_EVENT,
    url: (f) => `/reviews/${f.review}/submit`,
  },
  'GET /reviews/:id/withdraw': { expect: READ_REVIEW, url: (f) => `/reviews/${f.review}/withdraw` },
  'POST /reviews/:id/withdraw': {
    // No reason: the secretariat gets 422; nobody else may withdraw.
    expect: 'ok 403 403 404 403 404 404 404 out 404',
    url: (f) => `/reviews/${f.review}/withdraw`,
    body: () => ({ reason: '' }),
  },
  'GET /reviews/:id/confirmation/:step': {
    expect: READ_REVIEW,
    url: (f) => `/reviews/${f.review}/confirmation/letter-sent`,
  },
  'POST /reviews/:id/documents': {
    expect: REVIEW_EVENT,
    url: (f) => `/reviews/${f.review}/documents`,
    body: () => ({ kind: 'other' }),
    multipart: true,
  },
  // Kent's review is being revised and its documents predate the letter: none can be removed or replaced now.
  'GET /reviews/:id/documents/:documentId/remove': {
    expect: '404 404 404 404 404 404 404 404 out 404',
    url: (f) => `/reviews/${f.review}/documents/${f.document}/remove`,
  },
  'POST /reviews/:id/documents/:documentId/remove': {
    // The panel and the PCC may never remove a document; the review's own CSP and the secretariat find none removable.
    expect: '404 403 404 404 403 404 404 404 out 404',
    url: (f) => `/reviews/${f.review}/documents/${f.document}/remove`,
  },
  // Where the final report went: kept for an approved review (Kent's `recommended`).
  'GET /reviews/:id/distribution/:recipient': {
    expect: READ_REVIEW,
    url: (f) => `/reviews/${f.recommended}/distribution/family`,
  },
  'POST /reviews/:id/distribution/:recipient': {
    expect: CSP_WORK,
    url: (f) => `/reviews/${f.recommended}/distribution/family`,
    body: () => ({ how: 'note', 'sentOn-day': '2', 'sentOn-month': '3', 'sentOn-year': '2026', note: 'Handed over' }),
  },
  'GET /api/v1/reviews/:id/distribution': {
    expect: READ_REVIEW,
    url: (f) => `/api/v1/reviews/${f.recommended}/distribution`,
  },
  'POST /api/v1/reviews/:id/distribution': {
    expect: CSP_WORK,
    url: (f) => `/api/v1/reviews/${f.recommended}/distribution`,
    body: () => ({ recipient: 'family', how: 'note', sentOn: '2026-03-02', note: 'Handed over' }),
  },
  'GET /reviews/:id/documents/:documentId/replace': {
    expect: '404 404 404 404 404 404 404 404 out 404',
    url: (f) => `/reviews/${f.review}/documents/${f.document}/replace`,
  },
  'POST /reviews/:id/documents/:documentId/replace': {
    expect: '404 404 404 404 404 404 404 404 out 404',
    url: (f) => `/reviews/${f.review}/documents/${f.document}/replace`,
    multipart: true,
  },
  'GET /reviews/:id/details': { expect: READ_REVIEW, url: (f) => `/reviews/${f.review}/details` },
  'POST /reviews/:id/details': {
    // No pseudonym: the secretariat and the CSP get 422.
    expect: REVIEW_EVENT,
    url: (f) => `/reviews/${f.review}/details`,
    body: () => ({ pseudonym: '' }),
  },
  'GET /reviews/:id/documents/:documentId': {
    expect: READ_REVIEW,
    url: (f) => `/reviews/${f.review}/documents/${f.document}`,
  },
  'GET /reviews/:id/items': { expect: CSP_WORK, url: (f) => `/reviews/${f.review}/items` },
  'GET /reviews/:id/items/:itemId': { expect: CSP_WORK, url: (f) => `/reviews/${f.review}/items/${f.item}` },
  'POST /reviews/:id/items/:itemId': {
    expect: CSP_WORK,
    url: (f) => `/reviews/${f.review}/items/${f.item}`,
    body: () => ({ response: '' }),
  },
  'GET /reviews/:id/submit-revisions': { expect: CSP_WORK, url: (f) => `/reviews/${f.review}/submit-revisions` },
  'POST /reviews/:id/submit-revisions': {
    // Neither item is answered yet: 409.
    expect: CSP_WORK,
    url: (f) => `/reviews/${f.review}/submit-revisions`,
  },
  'POST /reviews/:id/revised-report': {
    expect: CSP_WORK,
    url: (f) => `/reviews/${f.review}/revised-report`,
    multipart: true,
  },
  'GET /letters': {
    // The letters a CSP or a PCC office received.
    expect: '403 403 ok ok ok ok 403 403 out 403',
    url: () => '/letters',
  },
  'GET /letters/:id': { expect: READ_REVIEW, url: (f) => `/letters/${f.sentLetter}` },
  'GET /letters/:id/pdf': { expect: READ_REVIEW, url: (f) => `/letters/${f.sentLetter}/pdf` },
  'POST /letters/:id': {
    // An empty list of paragraphs leaves out the letter's blocks: the secretariat gets 422.
    expect: DRAFT_LETTER,
    url: (f) => `/letters/${f.draftLetter}`,
    body: () => ({ parts: '0', action: 'save' }),
  },
  'GET /letters/:id/addressing': { expect: DRAFT_LETTER, url: (f) => `/letters/${f.draftLetter}/addressing` },
  'POST /letters/:id/addressing': {
    expect: DRAFT_LETTER,
    url: (f) => `/letters/${f.draftLetter}/addressing`,
    body: () => ({ salutation: '' }),
  },
  'POST /letters/:id/readdress': { expect: DRAFT_LETTER, url: (f) => `/letters/${f.draftLetter}/readdress` },
  // The panel may read a draft, so it sees the draft itself rather than the step to send it.
  'GET /letters/:id/send': {
    expect: 'ok ok 404 404 404 404 404 404 out 404',
    url: (f) => `/letters/${f.draftLetter}/send`,
  },
  'POST /letters/:id/send': {
    // The secretariat's stale version gets 409.
    expect: DRAFT_LETTER,
    url: (f) => `/letters/${f.draftLetter}/send`,
    body: () => ({ expectedVersion: 1 }),
  },
  'GET /meetings': { expect: HOME_OFFICE, url: () => '/meetings' },
  'POST /meetings': { expect: SECRETARIAT, url: () => '/meetings', body: () => ({}) },
  'GET /meetings/:id': { expect: HOME_OFFICE, url: (f) => `/meetings/${f.meeting}` },
  'GET /meetings/:id/pack': { expect: HOME_OFFICE, url: (f) => `/meetings/${f.meeting}/pack` },
  'POST /meetings/:id/send-letters': {
    expect: SECRETARIAT,
    url: (f) => `/meetings/${f.sendingMeeting}/send-letters`,
  },
  'GET /meetings/:meetingId/reviews/:reviewId/outcome': {
    expect: HOME_OFFICE,
    url: (f) => `/meetings/${f.meeting}/reviews/${f.draftReview}/outcome`,
  },
  'POST /meetings/:meetingId/reviews/:reviewId/outcome': {
    expect: HOME_OFFICE,
    url: (f) => `/meetings/${f.meeting}/reviews/${f.draftReview}/outcome`,
    body: () => ({}),
  },
  'GET /mail': { expect: SECRETARIAT, url: () => '/mail' },
  'GET /mail/:id': { expect: SECRETARIAT, url: (f) => `/mail/${f.mail}` },
  'GET /mail/:id/eml': { expect: SECRETARIAT, url: (f) => `/mail/${f.mail}/eml` },
  'POST /mail/:id/retry': { expect: SECRETARIAT, url: (f) => `/mail/${f.mail}/retry` },
  'GET /admin': { expect: SECRETARIAT, url: () => '/admin' },
  'GET /admin/csps': { expect: SECRETARIAT, url: () => '/admin/csps' },
  'GET /admin/csps/new': { expect: SECRETARIAT, url: () => '/admin/csps/new' },
  'POST /admin/csps': { expect: SECRETARIAT, url: () => '/admin/csps', body: () => ({}) },
  'GET /admin/csps/:id': { expect: SECRETARIAT, url: (f) => `/admin/csps/${f.kentCsp}` },
  'POST /admin/csps/:id': {
    expect: SECRETARIAT,
    url: (f) => `/admin/csps/${f.kentCsp}`,
    body: () => ({ addressLines: 'Invicta House', contacts: 'an unreadable line' }),
  },
  'GET /admin/police-force-areas': { expect: SECRETARIAT, url: () => '/admin/police-force-areas' },
  'GET /admin/police-force-areas/:id': { expect: SECRETARIAT, url: (f) => `/admin/police-force-areas/${f.kentArea}` },
  'POST /admin/police-force-areas/:id': {
    expect: SECRETARIAT,
    url: (f) => `/admin/police-force-areas/${f.kentArea}`,
    body: () => ({ pccName: 'Police and Crime Commissioner for Kent', pccEmail: 'pcc@kent.example' }),
  },
  'GET /admin/users': { expect: SECRETARIAT, url: () => '/admin/users' },
  'GET /admin/users/new': { expect: SECRETARIAT, url: () => '/admin/users/new' },
  'GET /admin/users/:id': { expect: SECRETARIAT, url: (f) => `/admin/users/${f.spareUser}` },
  'POST /admin/users/:id/disable': { expect: SECRETARIAT, url: (f) => `/admin/users/${f.spareUser}/disable` },
  'POST /admin/users/:id/enable': { expect: SECRETARIAT, url: (f) => `/admin/users/${f.spareUser}/enable` },
  'POST /admin/users/:id/sign-out': { expect: SECRETARIAT, url: (f) => `/admin/users/${f.spareUser}/sign-out` },
  'POST /admin/users/:id/password-reset': {
    expect: SECRETARIAT,
    url: (f) => `/admin/users/${f.spareUser}/password-reset`,
  },
  'POST /admin/users/:id/two-factor-reset': {
    expect: SECRETARIAT,
    url: (f) => `/admin/users/${f.spareUser}/two-factor-reset`,
  },
  // Setting a new password needs no sign-in: the link's code is the key (410 for one that does not work).
  'GET /reset-password': { expect: PUBLIC, url: () => '/reset-password?token=not-a-code' },
  'POST /reset-password': {
    expect: PUBLIC,
    url: () => '/reset-password',
    body: () => ({ token: 'not-a-code', password: 'a long new password', confirm: 'a long new password' }),
  },
  'POST /admin/users': { expect: SECRETARIAT, url: () => '/admin/users', body: () => ({}) },
  'GET /admin/templates': { expect: SECRETARIAT, url: () => '/admin/templates' },
  'GET /admin/templates/:kind': { expect: SECRETARIAT, url: () => '/admin/templates/publish' },
  'POST /admin/templates/:kind': {
    expect: SECRETARIAT,
    url: () => '/admin/templates/publish',
    body: () => ({ action: 'preview', body: '<p>{{pseudonym}}</p>' }),
  },
  'GET /admin/templates/:kind/versions/:version': {
    expect: SECRETARIAT,
    url: () => '/admin/templates/publish/versions/1',
  },
  'POST /admin/templates/:kind/versions/:version/restore': {
    expect: SECRETARIAT,
    url: () => '/admin/templates/acknowledgement.text/versions/1/restore',
  },
  'GET /admin/settings': { expect: SECRETARIAT, url: () => '/admin/settings' },
  'POST /admin/settings': { expect: SECRETARIAT, url: () => '/admin/settings', body: () => ({}) },
  'GET /admin/stage-targets': { expect: SECRETARIAT, url: () => '/admin/stage-targets' },
  'POST /admin/stage-targets': { expect: SECRETARIAT, url: () => '/admin/stage-targets', body: () => ({}) },
  'GET /admin/organisations': { expect: SECRETARIAT, url: () => '/admin/organisations' },
  'POST /admin/organisations': {
    expect: SECRETARIAT,
    url: () => '/admin/organisations',
    body: (f) => ({ [`kind-${f.organisation}`]: 'not a kind' }),
  },
  'GET /national': { expect: NATIONAL, url: () => '/national' },
  'GET /time-taken': { expect: NATIONAL, url: () => '/time-taken' },
  'GET /national.csv': { expect: NATIONAL, url: () => '/national.csv' },
  'GET /reviews/:id/recommendations': { expect: READ_REVIEW, url: (f) => `/reviews/${f.recommended}/recommendations` },
  'GET /reviews/:id/recommendations/import': {
    expect: CSP_WORK,
    url: (f) => `/reviews/${f.recommended}/recommendations/import`,
  },
  'POST /reviews/:id/recommendations/import': {
    expect: CSP_WORK,
    url: (f) => `/reviews/${f.recommended}/recommendations/import`,
    body: () => ({ format: 'csv', content: CSV, action: 'preview' }),
  },
  'GET /reviews/:id/recommendations/report': {
    expect: READ_REVIEW,
    url: (f) => `/reviews/${f.recommended}/recommendations/report`,
  },
  'GET /reviews/:id/recommendations/report.pdf': {
    expect: READ_REVIEW,
    url: (f) => `/reviews/${f.recommended}/recommendations/report.pdf`,
  },
  'GET /reviews/:id/recommendations/response': {
    expect: READ_AGENCY_PART,
    url: (f) => `/reviews/${f.recommended}/recommendations/response?organisationId=${f.organisation}`,
  },
  'GET /reviews/:id/recommendations/response.pdf': {
    expect: READ_AGENCY_PART,
    url: (f) => `/reviews/${f.recommended}/recommendations/response.pdf?organisationId=${f.organisation}`,
  },
  'POST /recommendations/:id/themes': {
    expect: CSP_WORK,
    url: (f) => `/recommendations/${f.recommendation}/themes`,
    body: (f) => ({ themes: 'Training', reviewId: f.review }),
  },
  'POST /recommendation-agencies/:id/reopen': {
    expect: CSP_WORK,
    url: (f) => `/recommendation-agencies/${f.implementedLink}/reopen`,
    body: (f) => ({ reason: 'The evidence does not show it', reviewId: f.review }),
  },
  'GET /reviews/:id/qa-checklist': { expect: QA_CHECKLIST, url: (f) => `/reviews/${f.review}/qa-checklist` },
  'POST /reviews/:id/qa-checklist': {
    expect: QA_CHECKLIST,
    url: (f) => `/reviews/${f.review}/qa-checklist`,
    body: () => ({ 'mark-anonymity': 'met' }),
  },
  'GET /admin/qa-criteria': { expect: SECRETARIAT, url: () => '/admin/qa-criteria' },
  'GET /reviews/:id/scoping': { expect: CSP_WORK, url: (f) => `/reviews/${f.review}/scoping` },
  'POST /reviews/:id/scoping': {
    expect: CSP_WORK,
    url: (f) => `/reviews/${f.review}/scoping`,
    body: () => ({ directedBySecretaryOfState: 'no', earlyLearning: 'Shared at once' }),
  },
  // The review is being revised: its decision is past, so the CSP and the secretariat are sent back or get 409.
  'GET /reviews/:id/decision': { expect: CSP_WORK, url: (f) => `/reviews/${f.review}/decision` },
  'POST /reviews/:id/decision': {
    expect: REVIEW_EVENT,
    url: (f) => `/reviews/${f.review}/decision`,
    body: () => ({ decision: 'no_review', reason: 'Not domestic abuse related' }),
  },
  'GET /reviews/:id/panel-view': { expect: HOME_OFFICE, url: (f) => `/reviews/${f.review}/panel-view` },
  'POST /reviews/:id/panel-view': {
    expect: 'ok ok 403 404 403 404 404 404 out 404',
    url: (f) => `/reviews/${f.review}/panel-view`,
    body: () => ({ view: 'agree', comments: '' }),
  },
  'GET /reviews/:id/decision-letter': { expect: SECRETARIAT, url: (f) => `/reviews/${f.review}/decision-letter` },
  'POST /reviews/:id/decision-letter': { expect: SECRETARIAT, url: (f) => `/reviews/${f.review}/decision-letter` },
  'POST /admin/qa-criteria': { expect: SECRETARIAT, url: () => '/admin/qa-criteria', body: () => ({ rows: '0' }) },
  'GET /national/qa-criteria': { expect: NATIONAL, url: () => '/national/qa-criteria' },
  'GET /recommendations/:id/level': {
    expect: CSP_WORK,
    url: (f) => `/recommendations/${f.recommendation}/level`,
  },
  'POST /recommendations/:id/level': {
    expect: CSP_WORK,
    url: (f) => `/recommendations/${f.recommendation}/level`,
    body: () => ({ level: 'local' }),
  },
  'GET /recommendations/triage': { expect: SECRETARIAT, url: () => '/recommendations/triage' },
  'GET /recommendations/:id/assign': {
    expect: SECRETARIAT,
    url: (f) => `/recommendations/${f.recommendation}/assign`,
  },
  'POST /recommendations/:id/assign': {
    expect: SECRETARIAT,
    url: (f) => `/recommendations/${f.recommendation}/assign`,
    body: (f) => ({ organisationIds: String(f.organisation) }),
  },
  'POST /recommendation-agencies/:id/acknowledge': {
    expect: AGENCY_WORK,
    url: (f) => `/recommendation-agencies/${f.link}/acknowledge`,
  },
  'GET /recommendation-agencies/:id/extend': {
    expect: CSP_WORK,
    url: (f) => `/recommendation-agencies/${f.link}/extend`,
  },
  'POST /recommendation-agencies/:id/extend': {
    expect: CSP_WORK,
    url: (f) => `/recommendation-agencies/${f.link}/extend`,
    body: () => ({ 'dueOn-day': '31', 'dueOn-month': '12', 'dueOn-year': '2026', reason: 'Waiting for the inquest' }),
  },
  'GET /reviews/:id/chair': { expect: CSP_WORK, url: (f) => `/reviews/${f.recommended}/chair` },
  'POST /reviews/:id/chair': {
    expect: CSP_WORK,
    url: (f) => `/reviews/${f.recommended}/chair`,
    body: () => ({ name: 'Sam Chair', email: 'chair@test.example' }),
  },
  'GET /recommendations': { expect: '403 403 403 403 403 403 ok ok out 403', url: () => '/recommendations' },
  'GET /recommendations/report': {
    expect: 'ok 403 403 403 403 403 ok 404 out 403',
    url: (f) => `/recommendations/report?organisationId=${f.organisation}`,
  },
  'GET /recommendations/report.pdf': {
    expect: 'ok 403 403 403 403 403 ok 404 out 403',
    url: (f) => `/recommendations/report.pdf?organisationId=${f.organisation}`,
  },
  // An agency's page for its part in one recommendation, and the page of each of its tasks.
  'GET /recommendation-agencies/:id': { expect: AGENCY_WORK, url: (f) => `/recommendation-agencies/${f.link}` },
  'GET /recommendation-agencies/:id/response': {
    expect: AGENCY_WORK,
    url: (f) => `/recommendation-agencies/${f.link}/response`,
  },
  'GET /recommendation-agencies/:id/actions': {
    expect: AGENCY_WORK,
    url: (f) => `/recommendation-agencies/${f.link}/actions`,
  },
  'GET /recommendation-agencies/:id/implemented': {
    expect: AGENCY_WORK,
    url: (f) => `/recommendation-agencies/${f.link}/implemented`,
  },
  'GET /actions/:id/status': { expect: AGENCY_WORK, url: (f) => `/actions/${f.action}/status` },
  'GET /actions/:id/updates': { expect: AGENCY_WORK, url: (f) => `/actions/${f.action}/updates` },
  'POST /recommendation-agencies/:id/response': {
    expect: AGENCY_WORK,
    url: (f) => `/recommendation-agencies/${f.link}/response`,
    body: () => ({ response: 'accepted' }),
  },
  'POST /recommendation-agencies/:id/actions': {
    expect: AGENCY_WORK,
    url: (f) => `/recommendation-agencies/${f.link}/actions`,
    body: () => ({ description: 'Audit the briefings', owner: 'Training lead', targetDate: '2026-10-31' }),
  },
  'POST /recommendation-agencies/:id/implemented': {
    expect: AGENCY_WORK,
    url: (f) => `/recommendation-agencies/${f.link}/implemented`,
    body: () => ({ evidence: 'Training records' }),
  },
  'POST /actions/:id/status': {
    expect: AGENCY_WORK,
    url: (f) => `/actions/${f.action}/status`,
    body: () => ({ status: 'in_progress' }),
  },
  'POST /actions/:id/updates': {
    expect: AGENCY_WORK,
    url: (f) => `/actions/${f.action}/updates`,
    body: () => ({ on: '2026-03-11', text: 'More briefings held' }),
    multipart: true,
  },
  'GET /action-updates/:id/evidence': { expect: READ_AGENCY_PART, url: (f) => `/action-updates/${f.update}/evidence` },
};

// ---- the world the calls are made in

const USERS: Record<Exclude<Column, 'signedOut'>, string> = {
  secretariat: 'secretariat@test.example',
  panel: 'panel@test.example',
  cspOwn: 'kent@test.example',
  cspOther: 'hackney@test.example',
  pccOwn: 'pcc@test.example',
  pccOther: 'mopac@test.example',
  agencyOwn: 'kent.police@test.example',
  agencyOther: 'kent.council@test.example',
  commissioner: 'commissioner@test.example',
};

let t: TestApp;
let f: Fixture;
const tokens = {} as Record<Column, string>;
const agents = {} as Record<Column, { agent: ReturnType<typeof request.agent>; csrf: string }>;

/** Fails the fixture loudly: a matrix over a world that was not built tests nothing. */
function check(res: request.Response, status: number, what: string) {
  if (res.status !== status) throw new Error(`fixture: ${what} answered ${res.status} ${JSON.stringify(res.body)}`);
  return res;
}

async function apiToken(email: string): Promise<string> {
  const res = await request(t.app).post('/api/v1/session').send({ email, password: PASSWORD });
  return check(res, 200, `signing in ${email}`).body.token;
}

/** A browser signed in through the form (or, for `signedOut`, one that has only read the sign-in page). */
async function browser(email?: string) {
  const agent = request.agent(t.app);
  const page = await agent.get('/sign-in');
  if (!email) return { agent, csrf: csrfOf(page.text) };
  const res = await agent
    .post('/sign-in')
    .type('form')
    .send({ _csrf: csrfOf(page.text), email, password: PASSWORD });
  check(res, 302, `signing in ${email} to the pages`);
  // Every page carries the token in its sign-out form: take it from the user's start page.
  return { agent, csrf: csrfOf((await agent.get('/').redirects(1)).text) };
}

async function buildWorld(): Promise<Fixture> {
  const api = t.api;
  const upload = async (who: Who, id: number, kind: string) =>
    check(await api(who).upload(id, kind, pdf(kind)), 201, `uploading ${kind}`).body.id as number;
  const event = async (who: Who, id: number, body: object) =>
    check(await api(who).event(id, body), 200, `${JSON.stringify(body)}`).body;

  const meeting = check(await api('secretariat').post('/panel-meetings', { date: '2026-03-02' }), 201, 'meeting').body
    .id as number;
  async function kentReview(pseudonym: string, meetingId = meeting) {
    const id = check(await api('kent').post('/reviews', { pseudonym }), 201, 'notifying').body.id as number;
    let document = 0;
    for (const kind of ['overview_report', 'executive_summary', 'action_plan'])
      document = await upload('kent', id, kind);
    await event('kent', id, { type: 'SUBMIT' });
    await event('secretariat', id, { type: 'SCHEDULE', meetingId });
    await event('panel', id, {
      type: 'RECORD_OUTCOME',
      outcome: 'publish_after_changes',
      commendations: 'A careful report.',
      areas: [{ text: 'Remove the date of death.' }, { heading: 'Structure', text: 'Add an equality section.' }],
    });
    return { id, document };
  }

  const sent = await kentReview('Mary');
  const afterLetter = await event('secretariat', sent.id, { type: 'SEND_LETTER' });
  const draft = await kentReview('Beth');
  const draftView = check(await api('secretariat').get(`/reviews/${draft.id}`), 200, 'draft review').body;
  const sendingMeeting = check(await api('secretariat').post('/panel-meetings', { date: '2026-03-02' }), 201, 'meeting')
    .body.id as number;
  await kentReview('Cora', sendingMeeting);

  // Recommendations for Kent Police (the agency in scope) and Kent County Council (the other one).
  const csv =
    'number,recommendation,addressed to\n' +
    '1,Train call handlers in risk assessment,Kent Police | Kent County Council\n' +
    '2,Share information about repeat callers,Kent Police\n';
  // Recommendations are imported once the panel is content for the report to be published.
  const recommended = await reviewAt(t, t.ids.kentCsp, 'approved', 'Rose');
  check(
    await api('kent').post(`/reviews/${recommended}/recommendations/import`, {
      format: 'csv',
      content: csv,
      dryRun: false,
    }),
    200,
    'importing recommendations',
  );
  const orgs = await t.db('organisations').select('id', 'name');
  const orgId = (name: string) => orgs.find((o) => o.name === name)!.id as number;
  for (const [email, name] of [
    [USERS.agencyOwn, KENT_POLICE],
    [USERS.agencyOther, 'Kent County Council'],
  ] as const) {
    await t.services.accounts.createUser({
      email,
      name,
      role: 'agency',
      organisationId: orgId(name),
      password: PASSWORD,
    });
  }
  const police = await apiToken(USERS.agencyOwn);
  const asPolice = (method: 'post' | 'put', url: string) =>
    request(t.app)[method](`/api/v1${url}`).set('Authorization', `Bearer ${police}`);
  const recs = check(await api('kent').get(`/reviews/${recommended}/recommendations`), 200, 'recommendations').body;
  const linkOf = (rec: { agencies: { id: number; organisationId: number }[] }) =>
    rec.agencies.find((a) => a.organisationId === orgId(KENT_POLICE))!.id;
  const [first, second] = recs;
  const link = linkOf(first);
  const implementedLink = linkOf(second);
  const action = async (linkId: number) => {
    check(
      await asPolice('post', `/recommendation-agencies/${linkId}/response`).send({ response: 'accepted' }),
      204,
      'respond',
    );
    const body = { description: 'Brief every shift', owner: 'Training lead', targetDate: '2026-09-30' };
    return check(await asPolice('post', `/recommendation-agencies/${linkId}/actions`).send(body), 201, 'action').body
      .id as number;
  };
  const openAction = await action(link);
  check(
    await asPolice('post', `/actions/${openAction}/updates`)
      .field('on', '2026-03-05')
      .field('text', 'Briefing notes written')
      .attach('file', pdf('evidence'), 'evidence.pdf'),
    201,
    'progress update',
  );
  const done = await action(implementedLink);
  check(await asPolice('put', `/actions/${done}/status`).send({ status: 'completed' }), 204, 'completing');
  check(
    await asPolice('post', `/recommendation-agencies/${implementedLink}/implemented`).send({ evidence: 'Audit' }),
    204,
    'implemented',
  );
  const update = await t.db('action_updates').where({ action_id: openAction }).first('id');
  const mail = await t.db('outbox').orderBy('id').first('id');
  const round = afterLetter.rounds.at(-1);

  return {
    kentCsp: t.ids.kentCsp,
    kentArea: t.ids.kentArea,
    review: sent.id,
    recommended,
    spareUser: (
      await t.services.accounts.createUser({
        email: 'spare@test.example',
        name: 'Spare panel member',
        role: 'panel',
        password: PASSWORD,
      })
    ).id,
    item: round.items[0].id,
    document: sent.document,
    sentLetter: afterLetter.letters.find((l: { status: string }) => l.status === 'sent').id,
    draftReview: draft.id,
    draftLetter: draftView.letters.find((l: { status: string }) => l.status === 'draft').id,
    meeting,
    sendingMeeting,
    mail: mail.id,
    organisation: orgId(KENT_POLICE),
    recommendation: first.id,
    link,
    action: openAction,
    update: update.id,
    implementedLink,
  };
}

beforeAll(async () => {
  t = await createTestApp();
  f = await buildWorld();
  for (const column of COLUMNS) {
    if (column === 'signedOut') {
      agents[column] = await browser();
      continue;
    }
    tokens[column] = await apiToken(USERS[column]);
    agents[column] = await browser(USERS[column]);
  }
}, 120_000);
afterAll(() => t.close());

// ---- making the calls

/** Tables left out of the comparison around a refused call: sessions and sign-in records change on every request. */
const VOLATILE = ['web_sessions', 'api_tokens', 'sign_in_failures'];
const snapshot = () => fingerprint(t.db, { except: VOLATILE });

/** Who may not see Kent CSP's contacts and address: other CSPs and PCCs, and agencies, even Kent's own police. */
const NOT_KENT: ReadonlySet<Column> = new Set(['cspOther', 'pccOther', 'agencyOwn', 'agencyOther']);
const KENT_PRIVATE = ['sam@kent.example', 'Invicta House'];

/** Ids that name nothing: a refusal must read the same for them as for what is out of scope. */
const NOWHERE = new Proxy({} as Fixture, { get: () => 999_999 });
const OTHER_SCOPE: ReadonlySet<Column> = new Set(['cspOther', 'pccOther', 'agencyOther']);

async function call(key: string, entry: Entry, column: Column, ids: Fixture = f): Promise<request.Response> {
  const [method, pattern] = key.split(' ') as [string, string];
  const url = entry.url(ids);
  const isApi = pattern.startsWith('/api/');
  const verb = method.toLowerCase() as 'get' | 'post' | 'put' | 'patch' | 'delete';
  const body = entry.body?.(ids) ?? {};

  if (isApi) {
    let token = tokens[column];
    if (entry.ends && column !== 'signedOut') token = await apiToken(USERS[column]);
    let req = request(t.app)[verb](url);
    if (column !== 'signedOut') req = req.set('Authorization', `Bearer ${token}`);
    if (entry.multipart) {
      for (const [name, value] of Object.entries(body)) req = req.field(name, String(value));
      return req;
    }
    return verb === 'get' || verb === 'delete' ? req : req.send(body);
  }

  // A page: a browser with its cookies, and on a form the CSRF token of the page it came from.
  let { agent, csrf } = agents[column];
  if (entry.ends) ({ agent, csrf } = await browser(column === 'signedOut' ? undefined : USERS[column]));
  if (verb === 'get') return agent.get(url);
  if (entry.multipart) {
    let req = agent.post(url).field('_csrf', csrf);
    for (const [name, value] of Object.entries(body)) req = req.field(name, String(value));
    return req;
  }
  return agent[verb](url)
    .type('form')
    .send({ _csrf: csrf, ...body });
}

/** What kind of answer a response is, in the matrix's words. */
function outcomeOf(res: request.Response): string {
  const location = String(res.headers.location ?? '');
  if (res.status === 401) return 'out';
  if (res.status === 302 && (location === '/sign-in' || location.startsWith('/sign-in?next='))) return 'out';
  if (res.status === 403 || res.status === 404) return String(res.status);
  if (res.status < 400 || [400, 409, 410, 422].includes(res.status)) return 'ok';
  return `an unexpected ${res.status}`;
}

const parse = (expect: string): Record<Column, Outcome> => {
  const cells = expect.split(/\s+/) as Outcome[];
  return Object.fromEntries(COLUMNS.map((c, i) => [c, cells[i]])) as Record<Column, Outcome>;
};

// Refusals first, so that a route's allowed call (which may change things) comes after them.
const ORDER: Record<Outcome, number> = { out: 0, '404': 1, '403': 1, ok: 2 };
const KEYS = Object.keys(MATRIX);

describe('the route table', () => {
  it('has exactly one entry for every route the app answers', () => {
    const routes = enumerateRoutes(t.app);
    const missing = routes.filter((r) => !(r in MATRIX));
    const stale = Object.keys(MATRIX).filter((k) => !routes.includes(k));
    expect({ missing, stale }).toEqual({ missing: [], stale: [] });
  });

  it('states an outcome for each role and scope, and calls each route on a URL that route answers', () => {
    for (const [key, entry] of Object.entries(MATRIX)) {
      expect({ key, cells: entry.expect.split(/\s+/).length }).toEqual({ key, cells: COLUMNS.length });
      expect(entry.expect.split(/\s+/).every((c) => ['ok', '403', '404', 'out'].includes(c))).toBe(true);
      expect({ key, matches: matchesRoute(key.split(' ')[1]!, entry.url(f)) }).toEqual({ key, matches: true });
    }
  });
});

describe.each(KEYS)('%s', (key) => {
  const entry = MATRIX[key]!;
  const expected = parse(entry.expect);
  const columns = [...COLUMNS].sort((a, b) => ORDER[expected[a]] - ORDER[expected[b]]);
  const mutating = !key.startsWith('GET ');

  it.each(columns)(`as %s`, async (column) => {
    const before = mutating && expected[column] !== 'ok' ? await snapshot() : null;
    const res = await call(key, entry, column);
    expect({ column, outcome: outcomeOf(res) }).toEqual({ column, outcome: expected[column] });
    // Nothing may tell what exists outside one's scope: the same call on ids that name nothing answers alike.
    const leakable = expected[column] === '404' || (expected[column] === '403' && OTHER_SCOPE.has(column));
    if (leakable && entry.url(NOWHERE) !== entry.url(f)) {
      const nowhere = await call(key, entry, column, NOWHERE);
      expect({ column, nowhere: outcomeOf(nowhere) }).toEqual({ column, nowhere: expected[column] });
      if (key.includes(' /api/')) expect(nowhere.body).toEqual(res.body);
    }
    if (before !== null) expect(await snapshot()).toEqual(before);
    // Whatever a role outside Kent CSP may read, it never shows Kent's contacts or address.
    if (!mutating && NOT_KENT.has(column) && expected[column] === 'ok') {
      for (const secret of KENT_PRIVATE)
        expect({ key, column, shows: (res.text ?? '').includes(secret) }).toEqual({ key, column, shows: false });
    }
  });
});

describe('a page form sent as multipart', () => {
  const pagePosts = KEYS.filter((key) => key.startsWith('POST /') && !key.startsWith('POST /api/'));

  it.each(pagePosts)('%s: without its token, is refused and changes nothing, whoever sends it', async (key) => {
    const entry = MATRIX[key]!;
    for (const column of ['secretariat', 'cspOwn'] as const) {
      const before = await snapshot();
      let req = agents[column].agent.post(entry.url(f)).field('x', 'y');
      for (const [name, value] of Object.entries(entry.body?.(f) ?? {})) req = req.field(name, String(value));
      const res = await req;
      // An upload's route reads the form and finds no token (403); any other page refuses the body (415).
      expect({ key, column, status: res.status }).toEqual({ key, column, status: entry.multipart ? 403 : 415 });
      expect(await snapshot()).toEqual(before);
    }
  });
});
