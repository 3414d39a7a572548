/** Vocabulary of a review's lifecycle, shared by the machine, the services and the API. */

export const STATES = [
  'notified',
  'decision_submitted',
  'decision_scheduled',
  'decision_letter_pending',
  'submitted',
  'scheduled',
  'letter_pending',
  'revising',
  'revisions_submitted',
  'resubmitted',
  'approved',
  'published',
  'closed',
  'not_reviewed',
  'withdrawn',
  'on_hold',
] as const;
export type ReviewState = (typeof STATES)[number];

type Resting = 'published' | 'closed' | 'not_reviewed' | 'withdrawn' | 'on_hold';
/** States a paused review can return to: every state that is neither final nor on hold. */
export const ACTIVE_STATES = STATES.filter(
  (s): s is Exclude<ReviewState, Resting> =>
    s !== 'published' && s !== 'closed' && s !== 'not_reviewed' && s !== 'withdrawn' && s !== 'on_hold',
);
export type ActiveState = (typeof ACTIVE_STATES)[number];

/**
 * Where reviews end: published (and, once the report reached everyone it must, closed); not
 * reviewed, when the panel agreed with the CSP's decision not to hold one; or withdrawn.
 */
export const FINAL_STATES: readonly ReviewState[] = ['published', 'closed', 'not_reviewed', 'withdrawn'];

/** The states of a CSP's decision not to hold a review, on its way to the panel and its letter. */
export const DECISION_STATES: readonly ReviewState[] = [
  'decision_submitted',
  'decision_scheduled',
  'decision_letter_pending',
];

/** The CSP's decision whether to hold a review, and the panel's view of a decision not to. */
export const DECISIONS = ['review', 'no_review'] as const;
export type Decision = (typeof DECISIONS)[number];
export const PANEL_VIEWS = ['agree', 'disagree'] as const;
export type PanelView = (typeof PANEL_VIEWS)[number];

export const OUTCOMES = ['publish', 'publish_after_changes', 'resubmit'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export const DOCUMENT_KINDS = [
  'overview_report',
  'executive_summary',
  'action_plan',
  'chronology',
  'revised_report',
  'other',
] as const;
export type DocumentKind = (typeof DOCUMENT_KINDS)[number];

/** The documents a first submission must include. */
export const SUBMISSION_KINDS: readonly DocumentKind[] = ['overview_report', 'executive_summary', 'action_plan'];

export const ITEM_STATUSES = ['open', 'addressed', 'accepted', 'returned'] as const;
export type ItemStatus = (typeof ITEM_STATUSES)[number];

export const ROLES = ['secretariat', 'panel', 'csp', 'pcc', 'agency', 'commissioner'] as const;
export type Role = (typeof ROLES)[number];

/** One of the panel's areas: one revision item for the CSP. A lead-in with points ("The panel felt:" then bullets) is one area. */
export interface Area {
  heading?: string | null;
  text: string;
  points?: string[];
}

export interface ReviewContext {
  /** The panel meeting the review is (or was last) scheduled for. */
  meetingId: number | null;
  /** Number of the current round; 0 before the first outcome. */
  round: number;
  /** Outcome of the current round. */
  outcome: Outcome | null;
  /** When the current round's letter was sent (ISO timestamp). */
  letterSentAt: string | null;
  /** The state a review on hold returns to on RESUME. */
  pausedFrom: ActiveState | null;
  /** The state a withdrawn review returns to if it is reinstated: an active state, or on hold (with pausedFrom kept). */
  withdrawnFrom?: ActiveState | 'on_hold' | null;
  publication: { url: string; publishedOn: string } | null;
  /**
   * The panel's view of the CSP's decision not to hold a review, once recorded. A review the
   * panel disagreed on goes back to the CSP to be held, and cannot be declined again.
   * Absent from reviews stored before decisions were recorded, which is read as null.
   */
  panelView?: PanelView | null;
}

export const INITIAL_CONTEXT: ReviewContext = {
  meetingId: null,
  round: 0,
  outcome: null,
  letterSentAt: null,
  pausedFrom: null,
  withdrawnFrom: null,
  publication: null,
  panelView: null,
};

/**
 * What the guards need to know beyond the context, read by the service from the
 * database in the same transaction as the event: the documents attached and the
 * revision items of the current round.
 */
export interface Facts {
  /** The review's current documents: not those removed or replaced. */
  documents: { id: number; kind: DocumentKind; uploadedAt: string }[];
  items: { id: number; status: ItemStatus }[];
  /** Whether the meeting the review is scheduled for has taken place: its date is today or earlier. */
  meetingHeld: boolean;
  /** Why a letter could not reach its readers now (the CSP has no contact, its area no PCC email), or null. */
  undeliverable: string | null;
  /** Who has not yet been recorded as receiving the final report (see the distribution list), or null when all have. */
  undistributed: string | null;
}

interface Base {
  /** When the event happens (ISO timestamp), supplied by the service's clock so the machine stays pure. */
  at: string;
  facts: Facts;
}

export type ReviewEvent = Base &
  (
    | { type: 'RECORD_DECISION'; decision: Decision; reason: string }
    | { type: 'RECORD_PANEL_VIEW'; view: PanelView; comments: string }
    | { type: 'SUBMIT' }
    | { type: 'SCHEDULE'; meetingId: number }
    | {
        type: 'RECORD_OUTCOME' | 'AMEND_OUTCOME';
        outcome: Outcome;
        commendations: string;
        areas: Area[];
      }
    | { type: 'SEND_LETTER' }
    | { type: 'RESPOND_TO_ITEM'; itemId: number; response: string; reportReference?: string | null }
    | { type: 'SUBMIT_REVISIONS' }
    | { type: 'ACCEPT_ITEM'; itemId: number }
    | { type: 'RETURN_ITEM'; itemId: number; reason: string }
    | { type: 'CONFIRM_REVISIONS' }
    | { type: 'RECORD_PUBLICATION'; url: string; publishedOn: string }
    | { type: 'CLOSE' }
    | { type: 'PAUSE'; reason: string }
    | { type: 'RESUME' }
    | { type: 'WITHDRAW'; reason: string }
    | { type: 'REINSTATE'; reason: string }
    | { type: 'REMOVE_DOCUMENT'; documentId: number }
    | { type: 'EDIT_DETAILS'; pseudonym: string; yearOfDeath: number | null; notifiedOn: string }
    | { type: 'ATTACH_DOCUMENT'; kind: DocumentKind; filename: string; size: number; replaces?: number }
  );

export type EventType = ReviewEvent['type'];

/** The document an event names: the one it removes, or the one an upload replaces. */
export const documentNamed = (event: { type: string; documentId?: number; replaces?: number }) =>
  event.type === 'REMOVE_DOCUMENT' ? event.documentId : event.type === 'ATTACH_DOCUMENT' ? event.replaces : undefined;

/** Events a client sends to POST /reviews/:id/events. ATTACH_DOCUMENT comes only from an upload. */
export const CLIENT_EVENT_TYPES = [
  'RECORD_DECISION',
  'RECORD_PANEL_VIEW',
  'SUBMIT',
  'SCHEDULE',
  'RECORD_OUTCOME',
  'AMEND_OUTCOME',
  'SEND_LETTER',
  'RESPOND_TO_ITEM',
  'SUBMIT_REVISIONS',
  'ACCEPT_ITEM',
  'RETURN_ITEM',
  'CONFIRM_REVISIONS',
  'RECORD_PUBLICATION',
  'CLOSE',
  'PAUSE',
  'RESUME',
  'WITHDRAW',
  'REINSTATE',
  'REMOVE_DOCUMENT',
  'EDIT_DETAILS',
] as const satisfies readonly EventType[];
export type ClientEventType = (typeof CLIENT_EVENT_TYPES)[number];
