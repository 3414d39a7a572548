import fs from 'node:fs';
import { getShortestPaths, getSimplePaths } from 'xstate/graph';
import { reviewMachine, type ReviewSnapshot } from '../../src/workflow/machine';
import {
  allowedEvents,
  apply,
  canAttachDocuments,
  explainRejection,
  snapshotOf,
  stateLabel,
  type ApplyResult,
} from '../../src/workflow/lifecycle';
import {
  ACTIVE_STATES,
  CLIENT_EVENT_TYPES,
  INITIAL_CONTEXT,
  STATES,
  type ActiveState,
  type Decision,
  type DocumentKind,
  type EventType,
  type Facts,
  type ItemStatus,
  type Outcome,
  type PanelView,
  type ReviewContext,
  type ReviewEvent,
  type ReviewState,
  type Role,
} from '../../src/workflow/types';

// ---------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------

const SUBMITTED_AT = '2024-01-10T09:00:00.000Z';
const BEFORE_LETTER = '2024-02-15T09:00:00.000Z';
const LETTER_AT = '2024-03-01T09:00:00.000Z';
const AFTER_LETTER = '2024-04-01T09:00:00.000Z';
const NOW = '2024-05-01T09:00:00.000Z';

const ALL_EVENT_TYPES: readonly EventType[] = [...CLIENT_EVENT_TYPES, 'ATTACH_DOCUMENT'];

let lastDocumentId = 100;
const doc = (kind: DocumentKind, uploadedAt = SUBMITTED_AT, id = ++lastDocumentId) => ({ id, kind, uploadedAt });
/** The document the representative REMOVE_DOCUMENT and replacing ATTACH_DOCUMENT name: uploaded after the letter. */
const LATE_DOCUMENT = 1;
const item = (id: number, status: ItemStatus) => ({ id, status });

const SUBMISSION_DOCS = [doc('overview_report'), doc('executive_summary'), doc('action_plan')];
/** No documents and no items; the meeting has taken place (the guard that reads it has its own tests). */
const NO_FACTS: Facts = { documents: [], items: [], meetingHeld: true, undeliverable: null, undistributed: null };
/** Facts of a published review whose final report is not yet recorded as reaching everyone. */
const UNDISTRIBUTED: Facts = {
  ...NO_FACTS,
  undistributed: 'the final report has not yet been recorded as reaching the family',
};

function facts(items: Facts['items'] = [], documents: Facts['documents'] = SUBMISSION_DOCS): Facts {
  return { documents, items, meetingHeld: true, undeliverable: null, undistributed: null };
}

/** An event of the given type with a representative payload and the given facts. */
function eventOf(type: EventType, f: Facts = NO_FACTS, at = NOW): ReviewEvent {
  const base = { at, facts: f };
  switch (type) {
    case 'SUBMIT':
    case 'SEND_LETTER':
    case 'SUBMIT_REVISIONS':
    case 'CONFIRM_REVISIONS':
    case 'RESUME':
    case 'CLOSE':
      return { ...base, type };
    case 'SCHEDULE':
      return { ...base, type, meetingId: 7 };
    case 'RECORD_DECISION':
      return { ...base, type, decision: 'no_review', reason: 'The death was not domestic abuse related.' };
    case 'RECORD_PANEL_VIEW':
      return { ...base, type, view: 'agree', comments: 'The reasons are sound.' };
    case 'RECORD_OUTCOME':
    case 'AMEND_OUTCOME':
      return {
        ...base,
        type,
        outcome: 'publish_after_changes',
        commendations: 'Thorough chronology.',
        areas: [{ heading: 'Voice of the victim', text: 'Say more about her family.' }],
      };
    case 'RESPOND_TO_ITEM':
      return { ...base, type, itemId: 1, response: 'Added section 4.2', reportReference: 'p. 12' };
    case 'ACCEPT_ITEM':
      return { ...base, type, itemId: 1 };
    case 'RETURN_ITEM':
      return { ...base, type, itemId: 1, reason: 'Still silent on the family.' };
    case 'RECORD_PUBLICATION':
      return { ...base, type, url: 'https://example.org/dhr.pdf', publishedOn: '2024-06-01' };
    case 'PAUSE':
      return { ...base, type, reason: 'Criminal trial pending' };
    case 'WITHDRAW':
      return { ...base, type, reason: 'Duplicate notification' };
    case 'REINSTATE':
      return { ...base, type, reason: 'Withdrawn in error' };
    case 'REMOVE_DOCUMENT':
      return { ...base, type, documentId: LATE_DOCUMENT };
    case 'EDIT_DETAILS':
      return { ...base, type, pseudonym: 'Adult A', yearOfDeath: 2023, notifiedOn: '2024-01-02' };
    case 'ATTACH_DOCUMENT':
      return { ...base, type, kind: 'chronology', filename: 'chronology.pdf', size: 1024 };
  }
}

const schedule = (meetingId: number, f: Facts = NO_FACTS): ReviewEvent => ({
  type: 'SCHEDULE',
  meetingId,
  at: NOW,
  facts: f,
});

const outcomeEvent = (
  type: 'RECORD_OUTCOME' | 'AMEND_OUTCOME',
  outcome: Outcome,
  f: Facts = NO_FACTS,
): ReviewEvent => ({
  type,
  outcome,
  commendations: `Commendations for ${outcome}`,
  areas: [{ heading: 'Area', text: `Text for ${outcome}` }, { text: 'Second area' }],
  at: NOW,
  facts: f,
});

const respond = (itemId: number, f: Facts): ReviewEvent => ({
  type: 'RESPOND_TO_ITEM',
  itemId,
  response: 'Done',
  at: NOW,
  facts: f,
});
const acceptItem = (itemId: number, f: Facts): ReviewEvent => ({ type: 'ACCEPT_ITEM', itemId, at: NOW, facts: f });
const returnItem = (itemId: number, f: Facts): ReviewEvent => ({
  type: 'RETURN_ITEM',
  itemId,
  reason: 'Not enough',
  at: NOW,
  facts: f,
});

const ctx = (overrides: Partial<ReviewContext> = {}): ReviewContext => ({ ...INITIAL_CONTEXT, ...overrides });

/** A plausible context for a review sitting in each state. */
const CONTEXTS: Record<ReviewState, ReviewContext> = {
  notified: ctx(),
  decision_submitted: ctx(),
  decision_scheduled: ctx({ meetingId: 3 }),
  decision_letter_pending: ctx({ meetingId: 3, panelView: 'agree' }),
  submitted: ctx(),
  scheduled: ctx({ meetingId: 3 }),
  letter_pending: ctx({ meetingId: 3, round: 1, outcome: 'publish_after_changes' }),
  revising: ctx({ meetingId: 3, round: 1, outcome: 'publish_after_changes', letterSentAt: LETTER_AT }),
  revisions_submitted: ctx({ meetingId: 3, round: 1, outcome: 'publish_after_changes', letterSentAt: LETTER_AT }),
  resubmitted: ctx({ meetingId: 3, round: 1, outcome: 'resubmit', letterSentAt: LETTER_AT }),
  approved: ctx({ meetingId: 3, round: 1, outcome: 'publish', letterSentAt: LETTER_AT }),
  published: ctx({
    meetingId: 3,
    round: 1,
    outcome: 'publish',
    letterSentAt: LETTER_AT,
    publication: { url: 'https://example.org/dhr.pdf', publishedOn: '2024-06-01' },
  }),
  closed: ctx({
    meetingId: 3,
    round: 1,
    outcome: 'publish',
    letterSentAt: LETTER_AT,
    publication: { url: 'https://example.org/dhr.pdf', publishedOn: '2024-06-01' },
  }),
  not_reviewed: ctx({ meetingId: 3, panelView: 'agree' }),
  withdrawn: ctx({ meetingId: 3, withdrawnFrom: 'scheduled' }),
  on_hold: ctx({ meetingId: 3, pausedFrom: 'scheduled' }),
};

/** Facts that satisfy the guard of each event type (for the "allowed" case of the table). */
function goodFacts(type: EventType): Facts {
  const documents = [...SUBMISSION_DOCS, doc('revised_report', AFTER_LETTER, LATE_DOCUMENT)];
  switch (type) {
    case 'RESPOND_TO_ITEM':
      return {
        documents,
        items: [item(1, 'open'), item(2, 'addressed')],
        meetingHeld: true,
        undeliverable: null,
        undistributed: null,
      };
    case 'SUBMIT_REVISIONS':
      return {
        documents,
        items: [item(1, 'addressed'), item(2, 'accepted')],
        meetingHeld: true,
        undeliverable: null,
        undistributed: null,
      };
    case 'ACCEPT_ITEM':
    case 'RETURN_ITEM':
      return {
        documents,
        items: [item(1, 'addressed'), item(2, 'addressed')],
        meetingHeld: true,
        undeliverable: null,
        undistributed: null,
      };
    case 'CONFIRM_REVISIONS':
      return {
        documents,
        items: [item(1, 'accepted'), item(2, 'accepted')],
        meetingHeld: true,
        undeliverable: null,
        undistributed: null,
      };
    default:
      return { documents, items: [], meetingHeld: true, undeliverable: null, undistributed: null };
  }
}

function accepted(result: ApplyResult): Extract<ApplyResult, { ok: true }> {
  if (!result.ok) throw new Error(`expected the event to be accepted, but: ${result.reason}`);
  return result;
}

function rejected(result: ApplyResult): string {
  if (result.ok) throw new Error(`expected the event to be refused, but it led to ${result.state}`);
  return result.reason;
}

// ---------------------------------------------------------------------------
// 1. The full state × event table
// ---------------------------------------------------------------------------

/** What every active state accepts besides its own events. */
const commonTo = (state: ReviewState): Partial<Record<EventType, ReviewState>> => ({
  PAUSE: 'on_hold',
  WITHDRAW: 'withdrawn',
  EDIT_DETAILS: state,
  ATTACH_DOCUMENT: state,
});

/** The rules, written out by hand: accepted event type → target state. Anything absent is forbidden. */
const TABLE: Record<ReviewState, Partial<Record<EventType, ReviewState>>> = {
  // A document can be removed before submission, and while revising one uploaded since the letter.
  // The representative RECORD_DECISION declines the review, so it goes to the panel.
  notified: {
    RECORD_DECISION: 'decision_submitted',
    SUBMIT: 'submitted',
    REMOVE_DOCUMENT: 'notified',
    ...commonTo('notified'),
  },
  decision_submitted: {
    SCHEDULE: 'decision_scheduled',
    RECORD_DECISION: 'decision_submitted',
    ...commonTo('decision_submitted'),
  },
  decision_scheduled: {
    SCHEDULE: 'decision_scheduled',
    RECORD_PANEL_VIEW: 'decision_letter_pending',
    RECORD_DECISION: 'decision_scheduled',
    ...commonTo('decision_scheduled'),
  },
  // CONTEXTS.decision_letter_pending has the panel agreeing, so the letter ends the review.
  decision_letter_pending: {
    RECORD_PANEL_VIEW: 'decision_letter_pending',
    SEND_LETTER: 'not_reviewed',
    ...commonTo('decision_letter_pending'),
  },
  submitted: { SCHEDULE: 'scheduled', ...commonTo('submitted') },
  scheduled: { SCHEDULE: 'scheduled', RECORD_OUTCOME: 'letter_pending', ...commonTo('scheduled') },
  // CONTEXTS.letter_pending has outcome publish_after_changes, so the letter leads to revising.
  letter_pending: { AMEND_OUTCOME: 'letter_pending', SEND_LETTER: 'revising', ...commonTo('letter_pending') },
  revising: {
    RESPOND_TO_ITEM: 'revising',
    SUBMIT_REVISIONS: 'revisions_submitted',
    REMOVE_DOCUMENT: 'revising',
    ...commonTo('revising'),
  },
  revisions_submitted: {
    ACCEPT_ITEM: 'revisions_submitted',
    RETURN_ITEM: 'revisions_submitted',
    CONFIRM_REVISIONS: 'approved',
    ...commonTo('revisions_submitted'),
  },
  resubmitted: { SCHEDULE: 'scheduled', ...commonTo('resubmitted') },
  approved: { RECORD_PUBLICATION: 'published', ...commonTo('approved') },
  // CONTEXTS.on_hold was paused from scheduled.
  on_hold: { RESUME: 'scheduled', WITHDRAW: 'withdrawn', EDIT_DETAILS: 'on_hold', ATTACH_DOCUMENT: 'on_hold' },
  // Once every copy of the final report is recorded, and then nothing more.
  published: { CLOSE: 'closed' },
  closed: {},
  not_reviewed: {},
  // CONTEXTS.withdrawn was withdrawn from scheduled.
  withdrawn: { REINSTATE: 'scheduled' },
};

const CELLS = STATES.flatMap((state) =>
  ALL_EVENT_TYPES.map((type) => ({ state, type, target: TABLE[state][type] ?? null })),
);

describe('state × event table', () => {
  test('covers 16 states and 21 event types', () => {
    expect(STATES).toHaveLength(16);
    expect(ALL_EVENT_TYPES).toHaveLength(21);
    expect(new Set(ALL_EVENT_TYPES).size).toBe(21);
    expect(CELLS).toHaveLength(336);
  });

  test.each(CELLS.filter((c) => c.target !== null))('$state accepts $type → $target', ({ state, type, target }) => {
    const result = accepted(apply(state, CONTEXTS[state], eventOf(type, goodFacts(type))));
    expect(result.state).toBe(target);
  });

  test.each(CELLS.filter((c) => c.target === null))('$state refuses $type', ({ state, type }) => {
    // Even with facts that would satisfy any guard, there is no transition.
    const reason = rejected(apply(state, CONTEXTS[state], eventOf(type, goodFacts(type))));
    expect(reason).toBe(`${type} is not possible while the review is ${stateLabel(state)}`);
  });
});

// ---------------------------------------------------------------------------
// 2. Guards, context updates and effects
// ---------------------------------------------------------------------------

describe('SUBMIT', () => {
  test('is accepted with the overview report, executive summary and action plan', () => {
    const result = accepted(apply('notified', ctx(), eventOf('SUBMIT', facts())));
    expect(result.state).toBe('submitted');
    expect(result.context).toEqual(INITIAL_CONTEXT);
    // The CSP gets its acknowledgement; the secretariat's team mailbox is told there is a report to schedule.
    expect(result.effects).toEqual([
      { type: 'acknowledgeSubmission', params: {} },
      { type: 'notify', params: { email: 'review_submitted' } },
    ]);
  });

  test('is accepted when other documents are attached too', () => {
    const f = facts([], [...SUBMISSION_DOCS, doc('chronology'), doc('other')]);
    expect(accepted(apply('notified', ctx(), eventOf('SUBMIT', f))).state).toBe('submitted');
  });

  test.each(['overview_report', 'executive_summary', 'action_plan'] as const)(
    'is refused without the %s and says what is missing',
    (missing) => {
      const f = facts(
        [],
        SUBMISSION_DOCS.filter((d) => d.kind !== missing),
      );
      const reason = rejected(apply('notified', ctx(), eventOf('SUBMIT', f)));
      expect(reason).toContain('SUBMIT is not possible now');
      expect(reason).toContain('an overview report, an executive summary and an action plan must be attached');
    },
  );

  test('is refused with no documents at all', () => {
    const reason = rejected(apply('notified', ctx(), eventOf('SUBMIT', NO_FACTS)));
    expect(reason).toMatch(/overview report/);
    expect(reason).toMatch(/executive summary/);
    expect(reason).toMatch(/action plan/);
  });

  test('is refused when only other kinds of document are attached', () => {
    const f = facts([], [doc('chronology'), doc('revised_report'), doc('other')]);
    expect(rejected(apply('notified', ctx(), eventOf('SUBMIT', f)))).toMatch(/must be attached first/);
  });
});

describe('SCHEDULE', () => {
  test('from submitted remembers the meeting', () => {
    const result = accepted(apply('submitted', ctx(), schedule(11)));
    expect(result.state).toBe('scheduled');
    expect(result.context).toEqual({ ...INITIAL_CONTEXT, meetingId: 11 });
    expect(result.effects).toEqual([]);
  });

  test('in scheduled moves the review to another meeting', () => {
    const result = accepted(apply('scheduled', ctx({ meetingId: 11 }), schedule(12)));
    expect(result.state).toBe('scheduled');
    expect(result.context.meetingId).toBe(12);
  });

  test('from resubmitted schedules the next round and keeps the round data', () => {
    const result = accepted(apply('resubmitted', CONTEXTS.resubmitted, schedule(20)));
    expect(result.state).toBe('scheduled');
    expect(result.context).toEqual({ ...CONTEXTS.resubmitted, meetingId: 20 });
  });
});

describe('RECORD_OUTCOME and AMEND_OUTCOME', () => {
  test.each(['publish', 'publish_after_changes', 'resubmit'] as const)(
    'RECORD_OUTCOME %s starts round 1 with a startRound effect',
    (outcome) => {
      const event = outcomeEvent('RECORD_OUTCOME', outcome);
      const result = accepted(apply('scheduled', ctx({ meetingId: 5 }), event));
      expect(result.state).toBe('letter_pending');
      expect(result.context).toEqual({ ...INITIAL_CONTEXT, meetingId: 5, round: 1, outcome, letterSentAt: null });
      expect(result.effects).toEqual([
        {
          type: 'startRound',
          params: {
            round: 1,
            meetingId: 5,
            outcome,
            commendations: `Commendations for ${outcome}`,
            areas: [{ heading: 'Area', text: `Text for ${outcome}` }, { text: 'Second area' }],
          },
        },
      ]);
    },
  );

  test('RECORD_OUTCOME before the day of the meeting is refused, saying when it can be recorded', () => {
    const early = outcomeEvent('RECORD_OUTCOME', 'publish', { ...NO_FACTS, meetingHeld: false });
    expect(apply('scheduled', ctx({ meetingId: 5 }), early)).toEqual({
      ok: false,
      reason:
        'RECORD_OUTCOME is not possible now: the panel meeting has not taken place yet: its outcome can be recorded from the day of the meeting',
    });
    expect(allowedEvents('scheduled', ctx({ meetingId: 5 }), 'panel', { ...NO_FACTS, meetingHeld: false })).toEqual([]);
  });

  test('SEND_LETTER is refused, saying why, while the letter could not reach its readers', () => {
    const why = 'the Kent police force area has no PCC email address to copy the letter to';
    const facts = { ...NO_FACTS, undeliverable: why };
    for (const outcome of ['publish', 'resubmit'] as const) {
      const context = ctx({ meetingId: 5, round: 1, outcome });
      expect(apply('letter_pending', context, eventOf('SEND_LETTER', facts))).toEqual({
        ok: false,
        reason: `SEND_LETTER is not possible now: ${why}`,
      });
      expect(allowedEvents('letter_pending', context, 'secretariat', facts)).not.toContain('SEND_LETTER');
      expect(allowedEvents('letter_pending', context, 'secretariat', NO_FACTS)).toContain('SEND_LETTER');
    }
  });

  test('RECORD_OUTCOME after a resubmission starts the next round and forgets the old letter', () => {
    const context = ctx({ meetingId: 9, round: 2, outcome: 'resubmit', letterSentAt: LETTER_AT });
    const result = accepted(apply('scheduled', context, outcomeEvent('RECORD_OUTCOME', 'publish')));
    expect(result.context).toEqual({ ...context, round: 3, outcome: 'publish', letterSentAt: null });
    expect(result.effects).toHaveLength(1);
    expect(result.effects[0].type).toBe('startRound');
    expect(result.effects[0].params).toMatchObject({ round: 3, meetingId: 9, outcome: 'publish' });
  });

  test('AMEND_OUTCOME keeps the round number and emits amendRound', () => {
    const context = ctx({ meetingId: 5, round: 2, outcome: 'publish' });
    const result = accepted(apply('letter_pending', context, outcomeEvent('AMEND_OUTCOME', 'resubmit')));
    expect(result.state).toBe('letter_pending');
    expect(result.context).toEqual({ ...context, round: 2, outcome: 'resubmit' });
    expect(result.effects).toEqual([
      {
        type: 'amendRound',
        params: {
          round: 2,
          meetingId: 5,
          outcome: 'resubmit',
          commendations: 'Commendations for resubmit',
          areas: [{ heading: 'Area', text: 'Text for resubmit' }, { text: 'Second area' }],
        },
      },
    ]);
  });

  test('AMEND_OUTCOME is refused once the letter has gone', () => {
    const reason = rejected(apply('revising', CONTEXTS.revising, outcomeEvent('AMEND_OUTCOME', 'publish')));
    expect(reason).toBe('AMEND_OUTCOME is not possible while the review is being revised');
  });
});

describe('SEND_LETTER', () => {
  test.each([
    ['publish', 'approved'],
    ['publish_after_changes', 'revising'],
    ['resubmit', 'revising'],
  ] as const)('with outcome %s leads to %s, remembers when and emits sendLetter', (outcome, target) => {
    const context = ctx({ meetingId: 5, round: 2, outcome });
    const result = accepted(apply('letter_pending', context, eventOf('SEND_LETTER', NO_FACTS, LETTER_AT)));
    expect(result.state).toBe(target);
    expect(result.context).toEqual({ ...context, letterSentAt: LETTER_AT });
    expect(result.effects).toEqual([{ type: 'sendLetter', params: { round: 2, outcome } }]);
  });
});

describe('RESPOND_TO_ITEM', () => {
  const context = CONTEXTS.revising;
  const items = [item(1, 'open'), item(2, 'returned'), item(3, 'addressed'), item(4, 'accepted')];

  test.each([1, 2])('is accepted for item %i (open or returned) and emits updateItem', (itemId) => {
    const event: ReviewEvent = {
      type: 'RESPOND_TO_ITEM',
      itemId,
      response: 'See paragraph 3',
      reportReference: 'para 3',
      at: NOW,
      facts: facts(items),
    };
    const result = accepted(apply('revising', context, event));
    expect(result.state).toBe('revising');
    expect(result.context).toEqual(context);
    expect(result.effects).toEqual([
      {
        type: 'updateItem',
        params: { itemId, status: 'addressed', response: 'See paragraph 3', reportReference: 'para 3' },
      },
    ]);
  });

  test('passes a missing report reference on as null', () => {
    const result = accepted(apply('revising', context, respond(1, facts(items))));
    expect(result.effects[0].params).toMatchObject({ itemId: 1, reportReference: null });
  });

  test('changes an answer already given, until the revisions are submitted', () => {
    const result = accepted(apply('revising', context, respond(3, facts(items))));
    expect(result.effects).toEqual([
      { type: 'updateItem', params: expect.objectContaining({ itemId: 3, status: 'addressed' }) },
    ]);
  });

  test.each([
    [4, 'accepted'],
    [99, 'unknown'],
  ])('is refused for item %i (%s)', (itemId) => {
    const reason = rejected(apply('revising', context, respond(itemId, facts(items))));
    expect(reason).toBe(
      'RESPOND_TO_ITEM is not possible now: the item must be an item of the current round that has not been accepted',
    );
  });

  test('is refused when the round has no items', () => {
    expect(rejected(apply('revising', context, respond(1, facts([]))))).toMatch(/has not been accepted/);
  });
});

describe('SUBMIT_REVISIONS', () => {
  const pac = CONTEXTS.revising;
  const resubmit = ctx({ meetingId: 3, round: 1, outcome: 'resubmit', letterSentAt: LETTER_AT });
  const answered = [item(1, 'addressed'), item(2, 'accepted'), item(3, 'addressed')];

  test('leads to revisions_submitted when the outcome is publish_after_changes and all items are answered', () => {
    const result = accepted(apply('revising', pac, eventOf('SUBMIT_REVISIONS', facts(answered))));
    expect(result.state).toBe('revisions_submitted');
    expect(result.context).toEqual(pac);
    expect(result.effects).toEqual([{ type: 'notify', params: { email: 'revisions_submitted' } }]);
  });

  test('publish_after_changes does not need a revised report', () => {
    const f = facts(answered, []);
    expect(accepted(apply('revising', pac, eventOf('SUBMIT_REVISIONS', f))).state).toBe('revisions_submitted');
  });

  test('leads to resubmitted when the outcome is resubmit, all items are answered and a revised report came after the letter', () => {
    const f = facts(answered, [...SUBMISSION_DOCS, doc('revised_report', AFTER_LETTER)]);
    const result = accepted(apply('revising', resubmit, eventOf('SUBMIT_REVISIONS', f)));
    expect(result.state).toBe('resubmitted');
    expect(result.context).toEqual(resubmit);
    expect(result.effects).toEqual([{ type: 'notify', params: { email: 'revisions_submitted' } }]);
  });

  test('with outcome resubmit is refused when the revised report predates the letter', () => {
    const f = facts(answered, [...SUBMISSION_DOCS, doc('revised_report', BEFORE_LETTER)]);
    const reason = rejected(apply('revising', resubmit, eventOf('SUBMIT_REVISIONS', f)));
    expect(reason).toContain('revised report');
    expect(reason).toBe(
      'SUBMIT_REVISIONS is not possible now: a revised report must be attached after the feedback letter was sent',
    );
  });

  test('with outcome resubmit is refused without any revised report', () => {
    const reason = rejected(apply('revising', resubmit, eventOf('SUBMIT_REVISIONS', facts(answered))));
    expect(reason).toContain('revised report');
  });

  test('with outcome resubmit, an overview report uploaded after the letter does not count as revised', () => {
    const f = facts(answered, [...SUBMISSION_DOCS, doc('overview_report', AFTER_LETTER)]);
    expect(rejected(apply('revising', resubmit, eventOf('SUBMIT_REVISIONS', f)))).toContain('revised report');
  });

  test.each([
    ['publish_after_changes', 'open'],
    ['publish_after_changes', 'returned'],
    ['resubmit', 'open'],
    ['resubmit', 'returned'],
  ] as const)('with outcome %s is refused while an item is %s', (outcome, status) => {
    const context = outcome === 'resubmit' ? resubmit : pac;
    const f = facts([...answered, item(4, status)], [...SUBMISSION_DOCS, doc('revised_report', AFTER_LETTER)]);
    const reason = rejected(apply('revising', context, eventOf('SUBMIT_REVISIONS', f)));
    expect(reason).toContain('every revision item of the round must be addressed first');
    expect(reason).not.toContain('revised report');
  });

  test('with outcome resubmit and both problems, names both', () => {
    const reason = rejected(apply('revising', resubmit, eventOf('SUBMIT_REVISIONS', facts([item(1, 'open')]))));
    expect(reason).toContain('every revision item of the round must be addressed first');
    expect(reason).toContain('a revised report must be attached after the feedback letter was sent');
  });
});

describe('ACCEPT_ITEM and RETURN_ITEM', () => {
  const context = CONTEXTS.revisions_submitted;
  const items = [item(1, 'addressed'), item(2, 'accepted'), item(3, 'returned'), item(4, 'open')];

  test.each([1, 2, 3])('ACCEPT_ITEM is accepted for item %i and marks it accepted', (itemId) => {
    const result = accepted(apply('revisions_submitted', context, acceptItem(itemId, facts(items))));
    expect(result.state).toBe('revisions_submitted');
    expect(result.context).toEqual(context);
    expect(result.effects).toEqual([{ type: 'updateItem', params: { itemId, status: 'accepted' } }]);
  });

  test.each([1, 2, 3])('RETURN_ITEM is accepted for item %i and marks it returned with the reason', (itemId) => {
    const result = accepted(apply('revisions_submitted', context, returnItem(itemId, facts(items))));
    expect(result.state).toBe('revisions_submitted');
    expect(result.effects).toEqual([
      { type: 'updateItem', params: { itemId, status: 'returned', note: 'Not enough' } },
    ]);
  });

  test.each([
    [4, 'open'],
    [99, 'unknown'],
  ])('both are refused for item %i (%s)', (itemId) => {
    const message = 'the item must be an item of the current round that the CSP has answered';
    expect(rejected(apply('revisions_submitted', context, acceptItem(itemId, facts(items))))).toBe(
      `ACCEPT_ITEM is not possible now: ${message}`,
    );
    expect(rejected(apply('revisions_submitted', context, returnItem(itemId, facts(items))))).toBe(
      `RETURN_ITEM is not possible now: ${message}`,
    );
  });
});

describe('CONFIRM_REVISIONS', () => {
  const context = CONTEXTS.revisions_submitted;

  test('leads to approved when every item is accepted', () => {
    const f = facts([item(1, 'accepted'), item(2, 'accepted')]);
    const result = accepted(apply('revisions_submitted', context, eventOf('CONFIRM_REVISIONS', f)));
    expect(result.state).toBe('approved');
    expect(result.context).toEqual(context);
    expect(result.effects).toEqual([{ type: 'notify', params: { email: 'review_approved' } }]);
  });

  test('leads back to revising when any item is returned', () => {
    const f = facts([item(1, 'accepted'), item(2, 'returned')]);
    const result = accepted(apply('revisions_submitted', context, eventOf('CONFIRM_REVISIONS', f)));
    expect(result.state).toBe('revising');
    expect(result.context).toEqual(context);
    expect(result.effects).toEqual([{ type: 'notify', params: { email: 'items_returned' } }]);
  });

  test('leads back to revising when every item is returned', () => {
    const f = facts([item(1, 'returned'), item(2, 'returned')]);
    expect(accepted(apply('revisions_submitted', context, eventOf('CONFIRM_REVISIONS', f))).state).toBe('revising');
  });

  test.each([
    [[item(1, 'addressed')]],
    [[item(1, 'accepted'), item(2, 'addressed')]],
    [[item(1, 'returned'), item(2, 'addressed')]],
    [[item(1, 'accepted'), item(2, 'open')]],
  ])('is refused while an item is not yet checked: %j', (items) => {
    const reason = rejected(apply('revisions_submitted', context, eventOf('CONFIRM_REVISIONS', facts(items))));
    expect(reason).toBe(
      'CONFIRM_REVISIONS is not possible now: every revision item must be accepted or returned first',
    );
  });

  test('a returned item then makes RESPOND_TO_ITEM possible again', () => {
    const f = facts([item(1, 'accepted'), item(2, 'returned')]);
    const back = accepted(apply('revisions_submitted', context, eventOf('CONFIRM_REVISIONS', f)));
    const answered = accepted(apply(back.state, back.context, respond(2, f)));
    expect(answered.effects[0].params).toMatchObject({ itemId: 2, status: 'addressed' });
  });
});

describe('RECORD_PUBLICATION', () => {
  test('publishes an approved review and remembers where', () => {
    const result = accepted(apply('approved', CONTEXTS.approved, eventOf('RECORD_PUBLICATION')));
    expect(result.state).toBe('published');
    expect(result.context).toEqual({
      ...CONTEXTS.approved,
      publication: { url: 'https://example.org/dhr.pdf', publishedOn: '2024-06-01' },
    });
    expect(result.effects).toEqual([
      { type: 'confirmPublication', params: {} },
      { type: 'notify', params: { email: 'publication_recorded' } },
    ]);
  });
});

describe('CLOSE', () => {
  test('closes a published review once its final report is recorded as reaching everyone, and says who is missing before', () => {
    const reason = rejected(apply('published', CONTEXTS.published, eventOf('CLOSE', UNDISTRIBUTED)));
    expect(reason).toBe('CLOSE is not possible now: the final report has not yet been recorded as reaching the family');
    expect(allowedEvents('published', CONTEXTS.published, 'secretariat', UNDISTRIBUTED)).toEqual([]);
    const closed = accepted(apply('published', CONTEXTS.published, eventOf('CLOSE')));
    expect(closed.state).toBe('closed');
    expect(closed.context).toEqual(CONTEXTS.published);
  });

  test('is the secretariat’s alone', () => {
    for (const role of ['panel', 'csp', 'pcc', 'agency', 'commissioner'] as const)
      expect(allowedEvents('published', CONTEXTS.published, role, NO_FACTS)).toEqual([]);
    expect(allowedEvents('published', CONTEXTS.published, 'secretariat', NO_FACTS)).toEqual(['CLOSE']);
  });
});

describe('ATTACH_DOCUMENT', () => {
  test.each([...ACTIVE_STATES, 'on_hold' as const])('in %s stays put and emits storeDocument', (state) => {
    const event: ReviewEvent = {
      type: 'ATTACH_DOCUMENT',
      kind: 'revised_report',
      filename: 'v2.pdf',
      size: 10,
      at: NOW,
      facts: NO_FACTS,
    };
    const result = accepted(apply(state, CONTEXTS[state], event));
    expect(result.state).toBe(state);
    expect(result.context).toEqual(CONTEXTS[state]);
    expect(result.effects).toEqual([{ type: 'storeDocument', params: { kind: 'revised_report', replaces: null } }]);
  });
});

describe('replacing and removing a document', () => {
  const overview = doc('overview_report', SUBMITTED_AT, 7);
  const revised = doc('revised_report', AFTER_LETTER, 8);
  const attach = (replaces: number, f: Facts): ReviewEvent => ({
    type: 'ATTACH_DOCUMENT',
    kind: 'overview_report',
    filename: 'overview v2.pdf',
    size: 10,
    replaces,
    at: NOW,
    facts: f,
  });
  const remove = (documentId: number, f: Facts): ReviewEvent => ({
    type: 'REMOVE_DOCUMENT',
    documentId,
    at: NOW,
    facts: f,
  });

  test('before submission, any current document can be replaced or removed', () => {
    const f = facts([], [overview]);
    expect(accepted(apply('notified', CONTEXTS.notified, attach(7, f))).effects).toEqual([
      { type: 'storeDocument', params: { kind: 'overview_report', replaces: 7 } },
    ]);
    expect(accepted(apply('notified', CONTEXTS.notified, remove(7, f))).effects).toEqual([
      { type: 'removeDocument', params: { documentId: 7 } },
    ]);
  });

  test('while revising, only a document uploaded since the letter', () => {
    const f = facts([], [overview, revised]);
    expect(accepted(apply('revising', CONTEXTS.revising, remove(8, f))).state).toBe('revising');
    expect(rejected(apply('revising', CONTEXTS.revising, remove(7, f)))).toMatch(/only a current document/);
    expect(rejected(apply('revising', CONTEXTS.revising, attach(7, f)))).toMatch(/only a current document/);
    expect(accepted(apply('revising', CONTEXTS.revising, attach(8, f))).state).toBe('revising');
  });

  test('once handed over, nothing is replaced or removed', () => {
    const f = facts([], [overview]);
    expect(rejected(apply('submitted', CONTEXTS.submitted, attach(7, f)))).toMatch(/only a current document/);
    expect(rejected(apply('on_hold', CONTEXTS.on_hold, attach(7, f)))).toMatch(/only a current document/);
    expect(rejected(apply('submitted', CONTEXTS.submitted, remove(7, f)))).toBe(
      'REMOVE_DOCUMENT is not possible while the review is submitted',
    );
  });

  test('a document that is not current (removed already, or another review’s) cannot be named', () => {
    const f = facts([], [overview]);
    expect(rejected(apply('notified', CONTEXTS.notified, remove(99, f)))).toMatch(/only a current document/);
    expect(rejected(apply('notified', CONTEXTS.notified, attach(99, f)))).toMatch(/only a current document/);
  });
});

// ---------------------------------------------------------------------------
// 3. Pause, resume, withdraw, final states
// ---------------------------------------------------------------------------

describe('PAUSE and RESUME', () => {
  test.each(ACTIVE_STATES)('PAUSE from %s then RESUME returns to exactly that state', (state: ActiveState) => {
    const before = CONTEXTS[state];
    const paused = accepted(apply(state, before, eventOf('PAUSE')));
    expect(paused.state).toBe('on_hold');
    expect(paused.context).toEqual({ ...before, pausedFrom: state });
    expect(paused.effects).toEqual([]);

    // A document can still arrive while on hold without losing where the review was.
    const attached = accepted(apply('on_hold', paused.context, eventOf('ATTACH_DOCUMENT')));
    expect(attached.context.pausedFrom).toBe(state);

    const resumed = accepted(apply('on_hold', attached.context, eventOf('RESUME')));
    expect(resumed.state).toBe(state);
    expect(resumed.context.pausedFrom).toBeNull();
    expect(resumed.context).toEqual(before);
  });

  test('PAUSE is refused while on hold', () => {
    const reason = rejected(apply('on_hold', CONTEXTS.on_hold, eventOf('PAUSE')));
    expect(reason).toBe('PAUSE is not possible while the review is on hold');
  });

  test('RESUME is refused outside on_hold', () => {
    for (const state of ACTIVE_STATES) {
      expect(rejected(apply(state, CONTEXTS[state], eventOf('RESUME')))).toBe(
        `RESUME is not possible while the review is ${stateLabel(state)}`,
      );
    }
  });

  test('RESUME is refused when the state to return to is unknown', () => {
    const reason = rejected(apply('on_hold', ctx({ pausedFrom: null }), eventOf('RESUME')));
    expect(reason).toMatch(/^RESUME is not possible now/);
  });

  test('only RESUME, WITHDRAW, EDIT_DETAILS and ATTACH_DOCUMENT are accepted on hold', () => {
    const acceptedTypes = ALL_EVENT_TYPES.filter(
      (type) => apply('on_hold', CONTEXTS.on_hold, eventOf(type, goodFacts(type))).ok,
    );
    expect(acceptedTypes.sort()).toEqual(['ATTACH_DOCUMENT', 'EDIT_DETAILS', 'RESUME', 'WITHDRAW']);
  });
});

describe('EDIT_DETAILS', () => {
  test.each([...ACTIVE_STATES, 'on_hold' as const])(
    'in %s changes nothing of the lifecycle, only the details',
    (state) => {
      const result = accepted(apply(state, CONTEXTS[state], eventOf('EDIT_DETAILS')));
      expect(result.state).toBe(state);
      expect(result.context).toEqual(CONTEXTS[state]);
      expect(result.effects).toEqual([
        { type: 'updateDetails', params: { pseudonym: 'Adult A', yearOfDeath: 2023, notifiedOn: '2024-01-02' } },
      ]);
    },
  );
});

describe('WITHDRAW', () => {
  test.each([...ACTIVE_STATES, 'on_hold' as const])('is accepted from %s, which it remembers', (state) => {
    const result = accepted(apply(state, CONTEXTS[state], eventOf('WITHDRAW')));
    expect(result.state).toBe('withdrawn');
    expect(result.context.withdrawnFrom).toBe(state);
    // A review withdrawn while on hold keeps where it was paused from, to be resumed there if reinstated.
    expect(result.context.pausedFrom).toBe(state === 'on_hold' ? 'scheduled' : null);
    expect(result.effects).toEqual([]);
  });
});

describe('REINSTATE', () => {
  test.each([...ACTIVE_STATES, 'on_hold' as const])('returns a review withdrawn from %s to %s, as it was', (state) => {
    const withdrawn = accepted(apply(state, CONTEXTS[state], eventOf('WITHDRAW')));
    const back = accepted(apply('withdrawn', withdrawn.context, eventOf('REINSTATE')));
    expect(back.state).toBe(state);
    expect(back.context).toEqual({ ...CONTEXTS[state], withdrawnFrom: null });
    expect(back.effects).toEqual([]);
  });

  test('is refused when the state the review was withdrawn from is not known', () => {
    expect(rejected(apply('withdrawn', ctx(), eventOf('REINSTATE')))).toBe(
      'REINSTATE is not possible now: the state the review was withdrawn from is not known',
    );
  });

  test('is the secretariat’s alone', () => {
    expect(allowedEvents('withdrawn', CONTEXTS.withdrawn, 'secretariat', facts())).toEqual(['REINSTATE']);
    for (const role of ['panel', 'csp', 'pcc'] as const) {
      expect(allowedEvents('withdrawn', CONTEXTS.withdrawn, role, facts())).toEqual([]);
    }
  });
});

describe('guards over an empty round', () => {
  test('SUBMIT_REVISIONS and CONFIRM_REVISIONS need at least one item', () => {
    const revising = ctx({ meetingId: 3, round: 1, outcome: 'publish_after_changes', letterSentAt: LETTER_AT });
    expect(rejected(apply('revising', revising, eventOf('SUBMIT_REVISIONS', facts([]))))).toContain(
      'every revision item of the round must be addressed first',
    );
    expect(rejected(apply('revisions_submitted', revising, eventOf('CONFIRM_REVISIONS', facts([]))))).toContain(
      'every revision item must be accepted or returned first',
    );
  });

  test('compares upload and letter times as instants, not as text', () => {
    const revising = ctx({ meetingId: 3, round: 1, outcome: 'resubmit', letterSentAt: '2024-03-01T09:00:00.500Z' });
    const items = [item(1, 'addressed')];
    const justAfter = facts(items, [...SUBMISSION_DOCS, doc('revised_report', '2024-03-01T09:00:01Z')]);
    expect(accepted(apply('revising', revising, eventOf('SUBMIT_REVISIONS', justAfter))).state).toBe('resubmitted');
    const justBefore = facts(items, [...SUBMISSION_DOCS, doc('revised_report', '2024-03-01T09:00:00Z')]);
    expect(rejected(apply('revising', revising, eventOf('SUBMIT_REVISIONS', justBefore)))).toContain('revised report');
  });
});

describe('final states', () => {
  test.each(['closed', 'not_reviewed', 'withdrawn'] as const)(
    'nothing but reinstatement is accepted once %s',
    (state) => {
      for (const type of ALL_EVENT_TYPES.filter((t) => t !== 'REINSTATE')) {
        for (const f of [NO_FACTS, goodFacts(type)]) {
          const reason = rejected(apply(state, CONTEXTS[state], eventOf(type, f)));
          expect(reason).toBe(`${type} is not possible while the review is ${stateLabel(state)}`);
        }
      }
    },
  );

  test.each(['closed', 'not_reviewed', 'withdrawn'] as const)(
    'no role may send anything once %s, but reinstate',
    (state) => {
      for (const role of ['secretariat', 'panel', 'csp', 'pcc'] as const) {
        const reinstate = state === 'withdrawn' && role === 'secretariat' ? ['REINSTATE'] : [];
        expect(allowedEvents(state, CONTEXTS[state], role, facts())).toEqual(reinstate);
        expect(canAttachDocuments(state, CONTEXTS[state], role, facts())).toBe(false);
      }
    },
  );
});

describe('the decision whether to hold a review', () => {
  const decision = (d: Decision, f: Facts = NO_FACTS): ReviewEvent => ({
    type: 'RECORD_DECISION',
    decision: d,
    reason: 'Agreed by the partnership',
    at: NOW,
    facts: f,
  });
  const view = (v: PanelView, f: Facts = NO_FACTS): ReviewEvent => ({
    type: 'RECORD_PANEL_VIEW',
    view: v,
    comments: 'Comments',
    at: NOW,
    facts: f,
  });

  test('a decision to hold a review is recorded and the review stays with the CSP', () => {
    const result = accepted(apply('notified', ctx(), decision('review')));
    expect(result.state).toBe('notified');
    expect(result.context).toEqual(INITIAL_CONTEXT);
    expect(result.effects).toEqual([
      { type: 'recordDecision', params: { decision: 'review', reason: 'Agreed by the partnership' } },
    ]);
  });

  test('a decision not to hold one goes to the panel, and the secretariat is told', () => {
    const result = accepted(apply('notified', ctx(), decision('no_review')));
    expect(result.state).toBe('decision_submitted');
    expect(result.effects).toEqual([
      { type: 'recordDecision', params: { decision: 'no_review', reason: 'Agreed by the partnership' } },
      { type: 'notify', params: { email: 'decision_submitted' } },
    ]);
  });

  test('a review stored before decisions were recorded (no panelView in its context) can be declined', () => {
    const { panelView: _absent, ...old } = INITIAL_CONTEXT;
    expect(accepted(apply('notified', old, decision('no_review'))).state).toBe('decision_submitted');
  });

  test.each(['decision_submitted', 'decision_scheduled'] as const)(
    'until the panel has a view, the CSP can change its mind in %s: the review goes back to it to be held',
    (state) => {
      const result = accepted(apply(state, ctx({ meetingId: 3 }), decision('review')));
      expect(result.state).toBe('notified');
      expect(result.effects.map((e) => e.type)).toEqual(['recordDecision']);
      // Off the meeting's agenda: the review is the CSP's again.
      expect(result.context.meetingId).toBeNull();
      // Restating the reason keeps it where it is, and tells nobody again.
      const restated = accepted(apply(state, CONTEXTS[state], decision('no_review')));
      expect(restated.state).toBe(state);
      expect(restated.effects.map((e) => e.type)).toEqual(['recordDecision']);
    },
  );

  test('the decision is no longer the CSP’s to change once the panel has recorded its view', () => {
    expect(rejected(apply('decision_letter_pending', CONTEXTS.decision_letter_pending, decision('review')))).toBe(
      "RECORD_DECISION is not possible while the review is declined by the CSP, waiting for the panel's letter",
    );
  });

  test('the panel’s view is recorded from the day of the meeting, with the meeting it was reached at', () => {
    const early = view('agree', { ...NO_FACTS, meetingHeld: false });
    expect(rejected(apply('decision_scheduled', ctx({ meetingId: 4 }), early))).toBe(
      'RECORD_PANEL_VIEW is not possible now: the panel meeting has not taken place yet: its outcome can be recorded from the day of the meeting',
    );
    const result = accepted(apply('decision_scheduled', ctx({ meetingId: 4 }), view('disagree')));
    expect(result.state).toBe('decision_letter_pending');
    expect(result.context).toEqual({ ...INITIAL_CONTEXT, meetingId: 4, panelView: 'disagree' });
    expect(result.effects).toEqual([
      { type: 'recordPanelView', params: { view: 'disagree', comments: 'Comments', meetingId: 4 } },
    ]);
    // Corrected before the letter goes.
    const corrected = accepted(apply('decision_letter_pending', result.context, view('agree')));
    expect(corrected.context.panelView).toBe('agree');
  });

  test.each([
    ['agree', 'not_reviewed'],
    ['disagree', 'notified'],
  ] as const)('the letter of a panel that %ss leads to %s', (v, target) => {
    const context = ctx({ meetingId: 4, panelView: v });
    const result = accepted(apply('decision_letter_pending', context, eventOf('SEND_LETTER')));
    expect(result.state).toBe(target);
    // Agreed, the review stays with the meeting that ended it; disagreed, it leaves the agenda for the CSP.
    expect(result.context).toEqual(v === 'agree' ? context : { ...context, meetingId: null });
    expect(result.effects).toEqual([{ type: 'sendDecisionLetter', params: { view: v } }]);
  });

  test('the letter waits, saying why, while it could not reach its readers', () => {
    const why = 'Kent Community Safety Partnership has no contact to address letters to; add one to the CSP first';
    const context = ctx({ meetingId: 4, panelView: 'disagree' });
    expect(
      apply('decision_letter_pending', context, eventOf('SEND_LETTER', { ...NO_FACTS, undeliverable: why })),
    ).toEqual({
      ok: false,
      reason: `SEND_LETTER is not possible now: ${why}`,
    });
  });

  test('once the panel disagreed, the review cannot be declined again, but is held and submitted', () => {
    const overruled = ctx({ meetingId: 4, panelView: 'disagree' });
    expect(rejected(apply('notified', overruled, decision('no_review')))).toBe(
      'RECORD_DECISION is not possible now: the QA panel disagreed with the decision not to hold this review, so the review must be held and submitted',
    );
    expect(accepted(apply('notified', overruled, decision('review'))).state).toBe('notified');
    expect(allowedEvents('notified', overruled, 'csp', NO_FACTS)).toContain('RECORD_DECISION');
    expect(accepted(apply('notified', overruled, eventOf('SUBMIT', facts()))).state).toBe('submitted');
  });

  test('a decision waiting for the panel can be put on hold and resumed where it was', () => {
    const held = accepted(apply('decision_scheduled', CONTEXTS.decision_scheduled, eventOf('PAUSE')));
    expect(held.context.pausedFrom).toBe('decision_scheduled');
    expect(accepted(apply('on_hold', held.context, eventOf('RESUME'))).state).toBe('decision_scheduled');
  });
});

// ---------------------------------------------------------------------------
// 4. allowedEvents per role
// ---------------------------------------------------------------------------

describe('allowedEvents', () => {
  const cases: {
    state: ReviewState;
    context?: ReviewContext;
    items?: Facts['items'];
    documents?: Facts['documents'];
    expected: Record<Role, readonly string[]>;
  }[] = [
    {
      state: 'notified',
      documents: [],
      expected: {
        secretariat: ['RECORD_DECISION', 'PAUSE', 'WITHDRAW', 'EDIT_DETAILS'],
        panel: [],
        csp: ['RECORD_DECISION', 'EDIT_DETAILS'],
        pcc: [],
        agency: [],
        commissioner: [],
      },
    },
    {
      state: 'notified',
      expected: {
        secretariat: ['RECORD_DECISION', 'SUBMIT', 'PAUSE', 'WITHDRAW', 'REMOVE_DOCUMENT', 'EDIT_DETAILS'],
        panel: [],
        csp: ['RECORD_DECISION', 'SUBMIT', 'REMOVE_DOCUMENT', 'EDIT_DETAILS'],
        pcc: [],
        agency: [],
        commissioner: [],
      },
    },
    {
      state: 'submitted',
      expected: {
        secretariat: ['SCHEDULE', 'PAUSE', 'WITHDRAW', 'EDIT_DETAILS'],
        panel: [],
        csp: ['EDIT_DETAILS'],
        pcc: [],
        agency: [],
        commissioner: [],
      },
    },
    {
      state: 'scheduled',
      expected: {
        secretariat: ['SCHEDULE', 'RECORD_OUTCOME', 'PAUSE', 'WITHDRAW', 'EDIT_DETAILS'],
        panel: ['RECORD_OUTCOME'],
        csp: ['EDIT_DETAILS'],
        pcc: [],
        agency: [],
        commissioner: [],
      },
    },
    {
      state: 'letter_pending',
      expected: {
        secretariat: ['AMEND_OUTCOME', 'SEND_LETTER', 'PAUSE', 'WITHDRAW', 'EDIT_DETAILS'],
        panel: ['AMEND_OUTCOME'],
        csp: ['EDIT_DETAILS'],
        pcc: [],
        agency: [],
        commissioner: [],
      },
    },
    {
      state: 'revising',
      items: [item(1, 'open'), item(2, 'addressed')],
      expected: {
        secretariat: ['RESPOND_TO_ITEM', 'PAUSE', 'WITHDRAW', 'EDIT_DETAILS'],
        panel: [],
        csp: ['RESPOND_TO_ITEM', 'EDIT_DETAILS'],
        pcc: [],
        agency: [],
        commissioner: [],
      },
    },
    {
      state: 'revising',
      items: [item(1, 'addressed'), item(2, 'accepted')],
      expected: {
        secretariat: ['RESPOND_TO_ITEM', 'SUBMIT_REVISIONS', 'PAUSE', 'WITHDRAW', 'EDIT_DETAILS'],
        panel: [],
        csp: ['RESPOND_TO_ITEM', 'SUBMIT_REVISIONS', 'EDIT_DETAILS'],
        pcc: [],
        agency: [],
        commissioner: [],
      },
    },
    {
      state: 'revising',
      context: ctx({ round: 1, outcome: 'resubmit', letterSentAt: LETTER_AT }),
      items: [item(1, 'addressed')],
      documents: [...SUBMISSION_DOCS, doc('revised_report', BEFORE_LETTER)],
      expected: {
        secretariat: ['RESPOND_TO_ITEM', 'PAUSE', 'WITHDRAW', 'EDIT_DETAILS'],
        panel: [],
        csp: ['RESPOND_TO_ITEM', 'EDIT_DETAILS'],
        pcc: [],
        agency: [],
        commissioner: [],
      },
    },
    {
      state: 'revisions_submitted',
      items: [item(1, 'addressed'), item(2, 'accepted')],
      expected: {
        secretariat: ['ACCEPT_ITEM', 'RETURN_ITEM', 'PAUSE', 'WITHDRAW', 'EDIT_DETAILS'],
        panel: [],
        csp: ['EDIT_DETAILS'],
        pcc: [],
        agency: [],
        commissioner: [],
      },
    },
    {
      state: 'revisions_submitted',
      items: [item(1, 'returned'), item(2, 'accepted')],
      expected: {
        secretariat: ['ACCEPT_ITEM', 'RETURN_ITEM', 'CONFIRM_REVISIONS', 'PAUSE', 'WITHDRAW', 'EDIT_DETAILS'],
        panel: [],
        csp: ['EDIT_DETAILS'],
        pcc: [],
        agency: [],
        commissioner: [],
      },
    },
    {
      state: 'resubmitted',
      expected: {
        secretariat: ['SCHEDULE', 'PAUSE', 'WITHDRAW', 'EDIT_DETAILS'],
        panel: [],
        csp: ['EDIT_DETAILS'],
        pcc: [],
        agency: [],
        commissioner: [],
      },
    },
    {
      state: 'approved',
      expected: {
        secretariat: ['RECORD_PUBLICATION', 'PAUSE', 'WITHDRAW', 'EDIT_DETAILS'],
        panel: [],
        csp: ['RECORD_PUBLICATION', 'EDIT_DETAILS'],
        pcc: [],
        agency: [],
        commissioner: [],
      },
    },
    {
      state: 'on_hold',
      expected: {
        secretariat: ['RESUME', 'WITHDRAW', 'EDIT_DETAILS'],
        panel: [],
        csp: ['EDIT_DETAILS'],
        pcc: [],
        agency: [],
        commissioner: [],
      },
    },
  ];

  test.each(cases)('in $state with items $items', ({ state, context, items = [], documents, expected }) => {
    const f = facts(items, documents ?? SUBMISSION_DOCS);
    for (const role of ['secretariat', 'panel', 'csp', 'pcc'] as const) {
      expect({ role, events: allowedEvents(state, context ?? CONTEXTS[state], role, f) }).toEqual({
        role,
        events: expected[role],
      });
    }
  });

  test('only the secretariat and the CSP may attach documents, in any non-final state', () => {
    for (const state of [...ACTIVE_STATES, 'on_hold' as const]) {
      expect(canAttachDocuments(state, CONTEXTS[state], 'secretariat', NO_FACTS)).toBe(true);
      expect(canAttachDocuments(state, CONTEXTS[state], 'csp', NO_FACTS)).toBe(true);
      expect(canAttachDocuments(state, CONTEXTS[state], 'panel', NO_FACTS)).toBe(false);
      expect(canAttachDocuments(state, CONTEXTS[state], 'pcc', NO_FACTS)).toBe(false);
    }
  });

  test('never lists ATTACH_DOCUMENT, which only comes from an upload', () => {
    for (const state of STATES) {
      expect(allowedEvents(state, CONTEXTS[state], 'secretariat', facts())).not.toContain('ATTACH_DOCUMENT');
    }
  });
});

// ---------------------------------------------------------------------------
// 5. explainRejection
// ---------------------------------------------------------------------------

describe('explainRejection', () => {
  // It reads each state's transitions and their guards from the machine's StateNodes, which
  // XState 5 exposes but does not promise to keep: this pins the shapes it relies on.
  test('reads transitions and guards in the shape XState 5 gives them', () => {
    const installed = JSON.parse(fs.readFileSync(require.resolve('xstate/package.json'), 'utf8')).version;
    expect(installed).toMatch(/^5\./);
    const [outcome] = reviewMachine.root.states.scheduled!.transitions.get('RECORD_OUTCOME')!;
    expect(outcome!.guard).toBe('meetingHeld');
    const [approved] = reviewMachine.root.states.letter_pending!.transitions.get('SEND_LETTER')!;
    expect((approved!.guard as unknown as { guards: unknown[] }).guards).toEqual([
      { type: 'outcomeIs', params: { outcome: 'publish' } },
      'letterDeliverable',
    ]);
  });

  test.each([
    ['notified', 'SCHEDULE', 'SCHEDULE is not possible while the review is notified'],
    ['scheduled', 'SEND_LETTER', 'SEND_LETTER is not possible while the review is scheduled for a panel meeting'],
    ['letter_pending', 'SUBMIT', 'SUBMIT is not possible while the review is waiting for its feedback letter'],
    ['revising', 'CONFIRM_REVISIONS', 'CONFIRM_REVISIONS is not possible while the review is being revised'],
    [
      'revisions_submitted',
      'RESPOND_TO_ITEM',
      'RESPOND_TO_ITEM is not possible while the review is waiting for its revisions to be checked',
    ],
    ['resubmitted', 'RECORD_OUTCOME', 'RECORD_OUTCOME is not possible while the review is resubmitted'],
    ['approved', 'SCHEDULE', 'SCHEDULE is not possible while the review is approved for publication'],
    ['on_hold', 'PAUSE', 'PAUSE is not possible while the review is on hold'],
    ['published', 'WITHDRAW', 'WITHDRAW is not possible while the review is published'],
    ['withdrawn', 'RESUME', 'RESUME is not possible while the review is withdrawn'],
  ] as const)('%s / %s', (state, type, message) => {
    const snapshot = snapshotOf(state, CONTEXTS[state]);
    expect(explainRejection(snapshot, eventOf(type))).toBe(message);
    expect(rejected(apply(state, CONTEXTS[state], eventOf(type)))).toBe(message);
  });

  test('a guarded refusal names the failing guard', () => {
    const snapshot = snapshotOf('notified', ctx());
    expect(explainRejection(snapshot, eventOf('SUBMIT'))).toBe(
      'SUBMIT is not possible now: an overview report, an executive summary and an action plan must be attached first',
    );
  });

  test('stateLabel gives every state a label', () => {
    for (const state of STATES) expect(stateLabel(state)).toMatch(/\S/);
  });
});

// ---------------------------------------------------------------------------
// 6. Model-based paths with xstate/graph
// ---------------------------------------------------------------------------

/**
 * Representative events for the traversal: one per guard branch. The facts stand for
 * what the database would hold, so that every guarded branch can be taken.
 */
const decide = (decision: Decision): ReviewEvent => ({
  type: 'RECORD_DECISION',
  decision,
  reason: `Reason for ${decision}`,
  at: NOW,
  facts: NO_FACTS,
});
const panelView = (view: PanelView, f: Facts = NO_FACTS): ReviewEvent => ({
  type: 'RECORD_PANEL_VIEW',
  view,
  comments: `The panel's comments: ${view}`,
  at: NOW,
  facts: f,
});

const MODEL_EVENTS: ReviewEvent[] = [
  decide('review'),
  decide('no_review'),
  panelView('agree'),
  panelView('disagree'),
  eventOf('SUBMIT', facts()),
  eventOf('SUBMIT', NO_FACTS),
  schedule(1),
  outcomeEvent('RECORD_OUTCOME', 'publish'),
  outcomeEvent('RECORD_OUTCOME', 'publish_after_changes'),
  outcomeEvent('RECORD_OUTCOME', 'resubmit'),
  outcomeEvent('AMEND_OUTCOME', 'publish'),
  outcomeEvent('AMEND_OUTCOME', 'publish_after_changes'),
  outcomeEvent('AMEND_OUTCOME', 'resubmit'),
  eventOf('SEND_LETTER', NO_FACTS, LETTER_AT),
  respond(1, facts([item(1, 'open')])),
  eventOf('SUBMIT_REVISIONS', facts([item(1, 'addressed')], [...SUBMISSION_DOCS, doc('revised_report', AFTER_LETTER)])),
  eventOf('SUBMIT_REVISIONS', facts([item(1, 'open')])),
  acceptItem(1, facts([item(1, 'addressed')])),
  returnItem(1, facts([item(1, 'addressed')])),
  eventOf('CONFIRM_REVISIONS', facts([item(1, 'accepted')])),
  eventOf('CONFIRM_REVISIONS', facts([item(1, 'returned')])),
  eventOf('RECORD_PUBLICATION'),
  eventOf('CLOSE', UNDISTRIBUTED),
  eventOf('CLOSE'),
  eventOf('PAUSE'),
  eventOf('RESUME'),
  eventOf('WITHDRAW'),
  eventOf('ATTACH_DOCUMENT'),
];

/** Bounds the traversal: rounds can repeat forever (resubmit → schedule → outcome), so stop at round 2. */
const MAX_ROUND = 2;
const boundRounds = (snapshot: ReviewSnapshot, event: ReviewEvent) =>
  !(event.type === 'RECORD_OUTCOME' && snapshot.context.round >= MAX_ROUND);

const eventsOf = (path: { steps: { event: ReviewEvent | { type: string } }[] }) =>
  path.steps.slice(1).map((step) => step.event as ReviewEvent);

/** Replays a path's events through apply(), as the service would. */
function replay(events: ReviewEvent[]): { state: ReviewState; context: ReviewContext } {
  let state: ReviewState = 'notified';
  let context = INITIAL_CONTEXT;
  for (const event of events) {
    const result = accepted(apply(state, context, event));
    state = result.state;
    context = result.context;
  }
  return { state, context };
}

describe('model-based paths (xstate/graph)', () => {
  const paths = getShortestPaths(reviewMachine, {
    input: INITIAL_CONTEXT,
    events: MODEL_EVENTS,
    filterEvents: boundRounds,
    limit: 100_000,
  });

  test('the initial snapshot is notified with the input as context', () => {
    const initial = paths.find((p) => p.weight === 0);
    expect(initial?.state.value).toBe('notified');
    expect(initial?.state.context).toEqual(INITIAL_CONTEXT);
  });

  test('shortest paths reach every one of the 16 states', () => {
    const reached = new Set(paths.map((p) => p.state.value as ReviewState));
    expect([...reached].sort()).toEqual([...STATES].sort());
  });

  test('the traversal stays bounded', () => {
    expect(paths.length).toBeGreaterThan(STATES.length);
    expect(paths.length).toBeLessThan(5000);
    expect(Math.max(...paths.map((p) => p.state.context.round))).toBeLessThanOrEqual(MAX_ROUND);
  });

  test.each([
    ['notified', []],
    ['submitted', ['SUBMIT']],
    ['scheduled', ['SUBMIT', 'SCHEDULE']],
    ['letter_pending', ['SUBMIT', 'SCHEDULE', 'RECORD_OUTCOME']],
    ['approved', ['SUBMIT', 'SCHEDULE', 'RECORD_OUTCOME', 'SEND_LETTER']],
    ['revising', ['SUBMIT', 'SCHEDULE', 'RECORD_OUTCOME', 'SEND_LETTER']],
    ['revisions_submitted', ['SUBMIT', 'SCHEDULE', 'RECORD_OUTCOME', 'SEND_LETTER', 'SUBMIT_REVISIONS']],
    ['resubmitted', ['SUBMIT', 'SCHEDULE', 'RECORD_OUTCOME', 'SEND_LETTER', 'SUBMIT_REVISIONS']],
    ['published', ['SUBMIT', 'SCHEDULE', 'RECORD_OUTCOME', 'SEND_LETTER', 'RECORD_PUBLICATION']],
    ['closed', ['SUBMIT', 'SCHEDULE', 'RECORD_OUTCOME', 'SEND_LETTER', 'RECORD_PUBLICATION', 'CLOSE']],
    ['on_hold', ['PAUSE']],
    ['withdrawn', ['WITHDRAW']],
    ['decision_submitted', ['RECORD_DECISION']],
    ['decision_scheduled', ['RECORD_DECISION', 'SCHEDULE']],
    ['decision_letter_pending', ['RECORD_DECISION', 'SCHEDULE', 'RECORD_PANEL_VIEW']],
    ['not_reviewed', ['RECORD_DECISION', 'SCHEDULE', 'RECORD_PANEL_VIEW', 'SEND_LETTER']],
  ] as const)('the shortest path to %s is %j and replays through apply()', (target, expectedTypes) => {
    const toTarget = getShortestPaths(reviewMachine, {
      input: INITIAL_CONTEXT,
      events: MODEL_EVENTS,
      filterEvents: boundRounds,
      toState: (snapshot) => snapshot.value === target,
    });
    expect(toTarget.length).toBeGreaterThan(0);
    const shortest = Math.min(...toTarget.map((p) => p.weight));
    expect(shortest).toBe(expectedTypes.length);
    const best = toTarget.find((p) => p.weight === shortest);
    if (!best) throw new Error('no path');
    expect(eventsOf(best).map((e) => e.type)).toEqual(expectedTypes);

    const replayed = replay(eventsOf(best));
    expect(replayed.state).toBe(target);
    expect(replayed.context).toEqual(best.state.context);
  });

  test('every shortest path replays through apply() to the same state and context', () => {
    for (const path of paths) {
      const replayed = replay(eventsOf(path));
      expect(replayed).toEqual({ state: path.state.value, context: path.state.context });
    }
  });

  test("the outcome (or the panel's view of a decision) decides where the letter leads", () => {
    for (const path of paths) {
      const events = eventsOf(path);
      const last = events[events.length - 1];
      if (last?.type !== 'SEND_LETTER') continue;
      const before = path.steps[path.steps.length - 2].state;
      if (before.value === 'decision_letter_pending') {
        expect(path.state.value).toBe(before.context.panelView === 'agree' ? 'not_reviewed' : 'notified');
        continue;
      }
      expect(path.state.value).toBe(before.context.outcome === 'publish' ? 'approved' : 'revising');
      expect(path.state.context.letterSentAt).toBe(LETTER_AT);
    }
  });

  test('a review on hold remembers an active state, an active one remembers none, a published one has a publication', () => {
    for (const path of paths) {
      const value = path.state.value as ReviewState;
      if (value === 'on_hold') expect(ACTIVE_STATES).toContain(path.state.context.pausedFrom);
      if ((ACTIVE_STATES as readonly ReviewState[]).includes(value)) expect(path.state.context.pausedFrom).toBeNull();
      if (value === 'published') expect(path.state.context.publication).not.toBeNull();
    }
  });

  test('a decision the panel disagreed with leads, through the letter, to a review held and published', () => {
    const events = [
      decide('no_review'),
      schedule(1),
      panelView('disagree'),
      eventOf('SEND_LETTER', NO_FACTS, LETTER_AT),
      decide('review'),
      eventOf('SUBMIT', facts()),
      schedule(2),
      outcomeEvent('RECORD_OUTCOME', 'publish'),
      eventOf('SEND_LETTER', NO_FACTS, LETTER_AT),
      eventOf('RECORD_PUBLICATION'),
    ];
    const replayed = replay(events);
    expect(replayed.state).toBe('published');
    expect(replayed.context.panelView).toBe('disagree');
    const toNotReviewed = getShortestPaths(reviewMachine, {
      input: INITIAL_CONTEXT,
      events: MODEL_EVENTS,
      filterEvents: boundRounds,
      toState: (snapshot) => snapshot.value === 'not_reviewed',
    });
    // Not reviewed only ever follows a letter from a panel that agreed.
    for (const path of toNotReviewed) {
      const types = eventsOf(path).map((e) => e.type);
      expect(types.slice(-2)).toEqual(['RECORD_PANEL_VIEW', 'SEND_LETTER']);
      expect(path.state.context.panelView).toBe('agree');
    }
  });

  test('simple paths to published go through approved and end with RECORD_PUBLICATION', () => {
    // Only the main line of events, and states told apart by value and outcome, to keep this small.
    const mainLine = new Set<EventType>([
      'SUBMIT',
      'SCHEDULE',
      'RECORD_OUTCOME',
      'SEND_LETTER',
      'SUBMIT_REVISIONS',
      'CONFIRM_REVISIONS',
      'RECORD_PUBLICATION',
    ]);
    const simple = getSimplePaths(reviewMachine, {
      input: INITIAL_CONTEXT,
      events: MODEL_EVENTS.filter((e) => mainLine.has(e.type)),
      filterEvents: boundRounds,
      serializeState: (snapshot) =>
        JSON.stringify({ value: snapshot.value, outcome: snapshot.context.outcome, round: snapshot.context.round }),
      toState: (snapshot) => snapshot.value === 'published',
    });
    expect(simple.length).toBeGreaterThan(1);
    const routes = new Set<string>();
    for (const path of simple) {
      const events = eventsOf(path);
      expect(events[0].type).toBe('SUBMIT');
      expect(events[events.length - 1].type).toBe('RECORD_PUBLICATION');
      expect(path.steps[path.steps.length - 1].state.value).toBe('published');
      expect(path.steps[path.steps.length - 2].state.value).toBe('approved');
      expect(replay(events).state).toBe('published');
      routes.add(
        path.steps
          .map((s) => s.state.value)
          .filter((v, i, all) => v !== all[i - 1])
          .join('>'),
      );
    }
    // Straight to approval, via checked revisions, and via a resubmission and a second meeting.
    expect(routes).toContain('notified>submitted>scheduled>letter_pending>approved>published');
    expect(routes).toContain(
      'notified>submitted>scheduled>letter_pending>revising>revisions_submitted>approved>published',
    );
    expect(routes).toContain(
      'notified>submitted>scheduled>letter_pending>revising>resubmitted>scheduled>letter_pending>approved>published',
    );
  });
});
