import { and, assign, setup, type SnapshotFrom } from 'xstate';
import {
  ACTIVE_STATES,
  documentNamed,
  SUBMISSION_KINDS,
  type ActiveState,
  type Area,
  type Decision,
  type PanelView,
  type ItemStatus,
  type Outcome,
  type ReviewContext,
  type ReviewEvent,
  type ReviewState,
} from './types';

type GuardArgs = { context: ReviewContext; event: ReviewEvent };

const itemsOf = (event: ReviewEvent) => event.facts.items;

/**
 * Item guards answer two questions: for an event naming an item, "may this item
 * change now?"; for a probe without one (used to list the allowed events),
 * "is there any item that may?".
 */
function someItem(event: ReviewEvent, statuses: readonly ItemStatus[]): boolean {
  const wanted = 'itemId' in event && event.itemId !== undefined ? event.itemId : undefined;
  return itemsOf(event).some((item) => (wanted === undefined || item.id === wanted) && statuses.includes(item.status));
}

/** Pure predicates over the context and the event's facts. Exported so rejections can be explained. */
export const guards = {
  hasSubmissionDocuments: ({ event }: GuardArgs) =>
    SUBMISSION_KINDS.every((kind) => event.facts.documents.some((d) => d.kind === kind)),
  // An answer stays open to change until the revisions are submitted; accepted items are settled.
  itemCanBeAnswered: ({ event }: GuardArgs) => someItem(event, ['open', 'returned', 'addressed']),
  itemCanBeChecked: ({ event }: GuardArgs) => someItem(event, ['addressed', 'accepted', 'returned']),
  allItemsAnswered: ({ event }: GuardArgs) =>
    itemsOf(event).length > 0 && itemsOf(event).every((i) => i.status === 'addressed' || i.status === 'accepted'),
  revisedReportSinceLetter: ({ context, event }: GuardArgs) =>
    context.letterSentAt !== null &&
    event.facts.documents.some(
      (d) => d.kind === 'revised_report' && Date.parse(d.uploadedAt) > Date.parse(context.letterSentAt!),
    ),
  allItemsChecked: ({ event }: GuardArgs) =>
    itemsOf(event).length > 0 && itemsOf(event).every((i) => i.status === 'accepted' || i.status === 'returned'),
  anyItemReturned: ({ event }: GuardArgs) => itemsOf(event).some((i) => i.status === 'returned'),
  // The panel decides at its meeting: an outcome recorded before the day would be a typing slip.
  meetingHeld: ({ event }: GuardArgs) => event.facts.meetingHeld,
  // A letter goes to the CSP's first contact with the PCC in copy: both must have an address.
  letterDeliverable: ({ event }: GuardArgs) => event.facts.undeliverable === null,
  // A review is closed once its final report has reached everyone who must have it.
  distributed: ({ event }: GuardArgs) => event.facts.undistributed === null,
  outcomeIs: ({ context }: GuardArgs, params: { outcome: Outcome }) => context.outcome === params.outcome,
  // Picks the branch the CSP's decision takes; a probe without one asks "could either be recorded?".
  decisionIs: ({ event }: GuardArgs, params: { decision: Decision }) =>
    event.type !== 'RECORD_DECISION' || event.decision === undefined || event.decision === params.decision,
  // Once the panel disagreed with a decision not to hold a review, the review is held.
  notOverruled: ({ context }: GuardArgs) => (context.panelView ?? null) !== 'disagree',
  panelViewIs: ({ context }: GuardArgs, params: { view: PanelView }) => context.panelView === params.view,
  pausedFrom: ({ context }: GuardArgs, params: { state: ActiveState }) => context.pausedFrom === params.state,
  withdrawnFrom: ({ context }: GuardArgs, params: { state: ActiveState | 'on_hold' }) =>
    context.withdrawnFrom === params.state,
  /**
   * A document is the CSP's to remove or replace until it is handed over: any document
   * before the review is submitted, and while revising, those uploaded since the letter.
   * An upload that replaces nothing always passes; a probe asks "is any document removable?".
   */
  documentRemovable: ({ context, event }: GuardArgs, params: { state: ReviewState }) => {
    const named = documentNamed(event);
    if (event.type === 'ATTACH_DOCUMENT' && named === undefined) return true;
    const removable = (uploadedAt: string) =>
      params.state === 'notified' ||
      (params.state === 'revising' &&
        context.letterSentAt !== null &&
        Date.parse(uploadedAt) > Date.parse(context.letterSentAt));
    return event.facts.documents.some((d) => (named === undefined || d.id === named) && removable(d.uploadedAt));
  },
};

/** Why a guard said no, in words a user can act on; some words depend on the facts. */
export const guardMessages: Record<keyof typeof guards, string | ((args: GuardArgs) => string)> = {
  hasSubmissionDocuments: 'an overview report, an executive summary and an action plan must be attached first',
  itemCanBeAnswered: 'the item must be an item of the current round that has not been accepted',
  itemCanBeChecked: 'the item must be an item of the current round that the CSP has answered',
  allItemsAnswered: 'every revision item of the round must be addressed first',
  revisedReportSinceLetter: 'a revised report must be attached after the feedback letter was sent',
  allItemsChecked: 'every revision item must be accepted or returned first',
  anyItemReturned: 'no item was returned',
  letterDeliverable: ({ event }) => event.facts.undeliverable ?? '',
  distributed: ({ event }) => event.facts.undistributed ?? '',
  meetingHeld: 'the panel meeting has not taken place yet: its outcome can be recorded from the day of the meeting',
  outcomeIs: 'the outcome of the round does not allow it',
  decisionIs: 'the decision does not allow it',
  notOverruled:
    'the QA panel disagreed with the decision not to hold this review, so the review must be held and submitted',
  panelViewIs: "the panel's view does not allow it",
  pausedFrom: 'the review was not paused from that state',
  withdrawnFrom: 'the state the review was withdrawn from is not known',
  documentRemovable:
    'only a current document can be removed or replaced, before the review is submitted or, while it is revised, one uploaded since the feedback letter',
};

/**
 * Effects are actions without behaviour: `transition()` returns them with their
 * params and the review service carries them out in the same database transaction.
 */
type RoundEffect = { round: number; meetingId: number | null; outcome: Outcome; commendations: string; areas: Area[] };
/** Who is told of a hand-off, by which email: the CSP's contacts, or the secretariat's team mailbox. */
export const HAND_OFFS = {
  review_submitted: 'secretariat',
  revisions_submitted: 'secretariat',
  publication_recorded: 'secretariat',
  decision_submitted: 'secretariat',
  items_returned: 'csp',
  review_approved: 'csp',
} as const;
export type HandOff = keyof typeof HAND_OFFS;

const notify = (email: HandOff) => ({ type: 'notify' as const, params: { email } });

const effect =
  <P>() =>
  (_: unknown, _params: P) =>
    undefined;

/**
 * The effects, each with its params: what `transition()` hands the review service to carry out.
 * Their types make `Effect`, which the service switches over exhaustively.
 */
const EFFECTS = {
  startRound: effect<RoundEffect>(),
  amendRound: effect<RoundEffect>(),
  sendLetter: effect<{ round: number; outcome: Outcome }>(),
  updateItem: effect<{
    itemId: number;
    status: ItemStatus;
    response?: string;
    reportReference?: string | null;
    note?: string;
  }>(),
  storeDocument: effect<{ kind: string; replaces: number | null }>(),
  removeDocument: effect<{ documentId: number }>(),
  updateDetails: effect<{ pseudonym: string; yearOfDeath: number | null; notifiedOn: string }>(),
  acknowledgeSubmission: effect<undefined>(),
  recordDecision: effect<{ decision: Decision; reason: string }>(),
  recordPanelView: effect<{ view: PanelView; comments: string; meetingId: number | null }>(),
  sendDecisionLetter: effect<{ view: PanelView }>(),
  confirmPublication: effect<undefined>(),
  notify: effect<{ email: HandOff }>(),
};
export type EffectType = keyof typeof EFFECTS;
type ParamsOf<K extends EffectType> = Parameters<(typeof EFFECTS)[K]>[1];
/** An effect and its params; one without params carries an empty object. */
export type Effect = {
  [K in EffectType]: { type: K; params: ParamsOf<K> extends undefined ? Record<string, never> : ParamsOf<K> };
}[EffectType];
export const isEffect = (action: { type: string }): action is Effect => Object.hasOwn(EFFECTS, action.type);

function assertType<T extends ReviewEvent['type']>(event: ReviewEvent, type: T): Extract<ReviewEvent, { type: T }> {
  if (event.type !== type) throw new Error(`expected ${type}, got ${event.type}`);
  return event as Extract<ReviewEvent, { type: T }>;
}

function outcomeEvent(event: ReviewEvent) {
  if (event.type !== 'RECORD_OUTCOME' && event.type !== 'AMEND_OUTCOME') throw new Error('not an outcome event');
  return event;
}

export const reviewMachine = setup({
  types: {
    context: {} as ReviewContext,
    events: {} as ReviewEvent,
    input: {} as ReviewContext,
  },
  guards,
  actions: {
    ...EFFECTS,
    rememberMeeting: assign({ meetingId: ({ event }) => assertType(event, 'SCHEDULE').meetingId }),
    beginRound: assign({
      round: ({ context }) => context.round + 1,
      outcome: ({ event }) => outcomeEvent(event).outcome,
      letterSentAt: null,
    }),
    correctOutcome: assign({ outcome: ({ event }) => outcomeEvent(event).outcome }),
    rememberLetterSent: assign({ letterSentAt: ({ event }) => event.at }),
    rememberPublication: assign({
      publication: ({ event }) => {
        const { url, publishedOn } = assertType(event, 'RECORD_PUBLICATION');
        return { url, publishedOn };
      },
    }),
    rememberPausedFrom: assign({ pausedFrom: (_, params: { state: ActiveState }) => params.state }),
    forgetPausedFrom: assign({ pausedFrom: null }),
    rememberWithdrawnFrom: assign({
      withdrawnFrom: (_, params: { state: ActiveState | 'on_hold' }) => params.state,
    }),
    forgetWithdrawnFrom: assign({ withdrawnFrom: null }),
    // A decision taken back, or disagreed with, leaves the meeting's agenda: the review is the CSP's again.
    forgetMeeting: assign({ meetingId: null }),
    rememberPanelView: assign({ panelView: ({ event }) => assertType(event, 'RECORD_PANEL_VIEW').view }),
  },
}).createMachine({
  id: 'review',
  initial: 'notified',
  context: ({ input }) => input,
  states: {
    notified: {
      on: {
        RECORD_DECISION: [
          {
            target: 'decision_submitted',
            guard: and([{ type: 'decisionIs', params: { decision: 'no_review' as const } }, 'notOverruled']),
            actions: [recordDecision(), notify('decision_submitted')],
          },
          {
            target: 'notified',
            guard: { type: 'decisionIs', params: { decision: 'review' as const } },
            actions: recordDecision(),
          },
        ],
        SUBMIT: {
          target: 'submitted',
          guard: 'hasSubmissionDocuments',
          actions: ['acknowledgeSubmission', notify('review_submitted')],
        },
        ...removeDocument('notified'),
        ...common('notified'),
      },
    },
    // A decision not to hold a review goes to the panel like a report: scheduled, considered at a
    // meeting, answered by letter. Until the panel's view is recorded the CSP can change its mind.
    decision_submitted: {
      on: {
        SCHEDULE: { target: 'decision_scheduled', actions: 'rememberMeeting' },
        RECORD_DECISION: changeOfDecision('decision_submitted'),
        ...common('decision_submitted'),
      },
    },
    decision_scheduled: {
      on: {
        SCHEDULE: { target: 'decision_scheduled', actions: 'rememberMeeting' },
        RECORD_PANEL_VIEW: { target: 'decision_letter_pending', guard: 'meetingHeld', actions: panelView() },
        RECORD_DECISION: changeOfDecision('decision_scheduled'),
        ...common('decision_scheduled'),
      },
    },
    decision_letter_pending: {
      on: {
        // A view recorded wrongly is corrected until the letter goes.
        RECORD_PANEL_VIEW: { target: 'decision_letter_pending', actions: panelView() },
        // Agreed, the review ends here; disagreed, it goes back to the CSP to be held.
        SEND_LETTER: [
          {
            target: 'not_reviewed',
            guard: and([{ type: 'panelViewIs', params: { view: 'agree' as const } }, 'letterDeliverable']),
            actions: decisionLetter(),
          },
          {
            target: 'notified',
            guard: and([{ type: 'panelViewIs', params: { view: 'disagree' as const } }, 'letterDeliverable']),
            actions: [decisionLetter(), 'forgetMeeting' as const],
          },
        ],
        ...common('decision_letter_pending'),
      },
    },
    submitted: {
      on: { SCHEDULE: { target: 'scheduled', actions: 'rememberMeeting' }, ...common('submitted') },
    },
    scheduled: {
      on: {
        SCHEDULE: { target: 'scheduled', actions: 'rememberMeeting' },
        RECORD_OUTCOME: {
          target: 'letter_pending',
          guard: 'meetingHeld',
          actions: [
            'beginRound',
            {
              type: 'startRound',
              params: ({ context, event }) => roundEffect(context, event),
            },
          ],
        },
        ...common('scheduled'),
      },
    },
    letter_pending: {
      on: {
        AMEND_OUTCOME: {
          target: 'letter_pending',
          actions: [
            'correctOutcome',
            { type: 'amendRound', params: ({ context, event }) => roundEffect(context, event) },
          ],
        },
        SEND_LETTER: [
          {
            target: 'approved',
            guard: and([{ type: 'outcomeIs', params: { outcome: 'publish' as const } }, 'letterDeliverable']),
            actions: sendLetter(),
          },
          { target: 'revising', guard: 'letterDeliverable', actions: sendLetter() },
        ],
        ...common('letter_pending'),
      },
    },
    revising: {
      on: {
        RESPOND_TO_ITEM: {
          guard: 'itemCanBeAnswered',
          actions: {
            type: 'updateItem',
            params: ({ event }) => {
              const { itemId, response, reportReference } = assertType(event, 'RESPOND_TO_ITEM');
              return { itemId, status: 'addressed' as const, response, reportReference: reportReference ?? null };
            },
          },
        },
        SUBMIT_REVISIONS: [
          {
            target: 'revisions_submitted',
            guard: and([
              { type: 'outcomeIs', params: { outcome: 'publish_after_changes' as const } },
              'allItemsAnswered',
            ]),
            actions: notify('revisions_submitted'),
          },
          {
            target: 'resubmitted',
            guard: and([
              { type: 'outcomeIs', params: { outcome: 'resubmit' as const } },
              'allItemsAnswered',
              'revisedReportSinceLetter',
            ]),
            actions: notify('revisions_submitted'),
          },
        ],
        ...removeDocument('revising'),
        ...common('revising'),
      },
    },
    revisions_submitted: {
      on: {
        ACCEPT_ITEM: {
          guard: 'itemCanBeChecked',
          actions: {
            type: 'updateItem',
            params: ({ event }) => ({ itemId: assertType(event, 'ACCEPT_ITEM').itemId, status: 'accepted' as const }),
          },
        },
        RETURN_ITEM: {
          guard: 'itemCanBeChecked',
          actions: {
            type: 'updateItem',
            params: ({ event }) => {
              const { itemId, reason } = assertType(event, 'RETURN_ITEM');
              return { itemId, status: 'returned' as const, note: reason };
            },
          },
        },
        CONFIRM_REVISIONS: [
          {
            target: 'revising',
            guard: and(['allItemsChecked', 'anyItemReturned']),
            actions: notify('items_returned'),
          },
          { target: 'approved', guard: 'allItemsChecked', actions: notify('review_approved') },
        ],
        ...common('revisions_submitted'),
      },
    },
    resubmitted: {
      on: { SCHEDULE: { target: 'scheduled', actions: 'rememberMeeting' }, ...common('resubmitted') },
    },
    approved: {
      on: {
        RECORD_PUBLICATION: {
          target: 'published',
          actions: ['rememberPublication', 'confirmPublication', notify('publication_recorded')],
        },
        ...common('approved'),
      },
    },
    on_hold: {
      on: {
        RESUME: ACTIVE_STATES.map((state) => ({
          target: state,
          guard: { type: 'pausedFrom' as const, params: { state } },
          actions: 'forgetPausedFrom' as const,
        })),
        EDIT_DETAILS: editDetails(),
        // pausedFrom is kept, so a review reinstated to on hold can still be resumed where it was.
        WITHDRAW: { target: 'withdrawn', actions: { type: 'rememberWithdrawnFrom', params: { state: 'on_hold' } } },
        ATTACH_DOCUMENT: {
          guard: { type: 'documentRemovable', params: { state: 'on_hold' } },
          actions: { type: 'storeDocument', params: ({ event }) => documentParams(event) },
        },
      },
    },
    published: { on: { CLOSE: { target: 'closed', guard: 'distributed' } } },
    closed: { type: 'final' },
    not_reviewed: { type: 'final' },
    // Not final: a review withdrawn by mistake can be reinstated, to the state it was withdrawn from.
    withdrawn: {
      on: {
        REINSTATE: [...ACTIVE_STATES, 'on_hold' as const].map((state) => ({
          target: state,
          guard: { type: 'withdrawnFrom' as const, params: { state } },
          actions: 'forgetWithdrawnFrom' as const,
        })),
      },
    },
  },
});

/** Events every active state accepts: pause, withdraw, attach a document (or replace one, where removing is allowed). */
function common(state: ActiveState) {
  const removable = { type: 'documentRemovable' as const, params: { state } };
  return {
    PAUSE: { target: 'on_hold' as const, actions: { type: 'rememberPausedFrom' as const, params: { state } } },
    WITHDRAW: {
      target: 'withdrawn' as const,
      actions: { type: 'rememberWithdrawnFrom' as const, params: { state } },
    },
    EDIT_DETAILS: editDetails(),
    ATTACH_DOCUMENT: {
      guard: removable,
      actions: { type: 'storeDocument' as const, params: ({ event }: { event: ReviewEvent }) => documentParams(event) },
    },
  };
}

/** Correcting the review's details (pseudonym, year of death, date notified): in any state but the final ones. */
function editDetails() {
  return {
    actions: {
      type: 'updateDetails' as const,
      params: ({ event }: { event: ReviewEvent }) => {
        const { pseudonym, yearOfDeath, notifiedOn } = assertType(event, 'EDIT_DETAILS');
        return { pseudonym, yearOfDeath, notifiedOn };
      },
    },
  };
}

/** Removing a document: only while the CSP still holds it (before submission, or while revising). */
function removeDocument(state: 'notified' | 'revising') {
  return {
    REMOVE_DOCUMENT: {
      guard: { type: 'documentRemovable' as const, params: { state } },
      actions: {
        type: 'removeDocument' as const,
        params: ({ event }: { event: ReviewEvent }) => ({
          documentId: assertType(event, 'REMOVE_DOCUMENT').documentId,
        }),
      },
    },
  };
}

function recordDecision() {
  return {
    type: 'recordDecision' as const,
    params: ({ event }: { event: ReviewEvent }) => {
      const { decision, reason } = assertType(event, 'RECORD_DECISION');
      return { decision, reason };
    },
  };
}

/** While the decision waits for the panel: the CSP decides to hold the review after all, or restates why not. */
function changeOfDecision(state: 'decision_submitted' | 'decision_scheduled') {
  return [
    {
      target: 'notified' as const,
      guard: { type: 'decisionIs' as const, params: { decision: 'review' as const } },
      actions: [recordDecision(), 'forgetMeeting' as const],
    },
    {
      target: state,
      guard: { type: 'decisionIs' as const, params: { decision: 'no_review' as const } },
      actions: recordDecision(),
    },
  ];
}

function panelView() {
  return [
    'rememberPanelView' as const,
    {
      type: 'recordPanelView' as const,
      params: ({ context, event }: { context: ReviewContext; event: ReviewEvent }) => {
        const { view, comments } = assertType(event, 'RECORD_PANEL_VIEW');
        return { view, comments, meetingId: context.meetingId };
      },
    },
  ];
}

function decisionLetter() {
  return {
    type: 'sendDecisionLetter' as const,
    params: ({ context }: { context: ReviewContext }) => ({ view: context.panelView as PanelView }),
  };
}

function documentParams(event: ReviewEvent) {
  const { kind, replaces } = assertType(event, 'ATTACH_DOCUMENT');
  return { kind, replaces: replaces ?? null };
}

function sendLetter() {
  return [
    'rememberLetterSent' as const,
    {
      type: 'sendLetter' as const,
      params: ({ context }: { context: ReviewContext }) => ({
        round: context.round,
        outcome: context.outcome as Outcome,
      }),
    },
  ];
}

function roundEffect(context: ReviewContext, event: ReviewEvent): RoundEffect {
  const { outcome, commendations, areas } = outcomeEvent(event);
  return { round: context.round, meetingId: context.meetingId, outcome, commendations, areas };
}

export type ReviewSnapshot = SnapshotFrom<typeof reviewMachine>;
