import type { EventType, Role } from './types';

interface EventEntry {
  /** The roles that may ever send it. Whose review it is (scope) and whether now (the machine) are judged apart. */
  roles: readonly Role[];
  /** What sending it does, to finish "Your role cannot …". */
  action: string;
  /** Its title in a review's history. */
  history: string;
  /** The banner once it was done from a page; an upload's banner names the file instead. */
  done?: string;
}

const HOME_OFFICE = ['secretariat'] as const;
const BOTH = ['secretariat', 'csp'] as const;

/**
 * Every lifecycle event, in one place: who may send it and the words the pages use for it.
 * Its payload's rules are in services/eventPayloads.ts, keyed by the same type (this layer
 * knows only the machine). Adding an event to the machine without an entry here fails to compile.
 */
const EVENTS = {
  RECORD_DECISION: {
    roles: BOTH,
    action: 'record the decision whether to hold a review',
    history: 'Decision whether to hold a review recorded',
    done: 'Decision recorded',
  },
  RECORD_PANEL_VIEW: {
    roles: ['secretariat', 'panel'],
    action: "record the panel's view of a decision not to hold a review",
    history: "Panel's view of the decision not to hold a review recorded",
    done: "The panel's view is recorded: the panel secretariat sends its letter",
  },
  SUBMIT: {
    roles: BOTH,
    action: 'submit a review',
    history: 'Submitted to the Home Office',
    done: 'Review submitted to the Home Office',
  },
  SCHEDULE: {
    roles: HOME_OFFICE,
    action: 'schedule a review for a panel meeting',
    history: 'Scheduled for a panel meeting',
    done: 'Review scheduled for the panel meeting',
  },
  RECORD_OUTCOME: {
    roles: ['secretariat', 'panel'],
    action: "record the panel's outcome",
    history: 'Outcome recorded',
    done: 'Outcome recorded and feedback letter drafted',
  },
  AMEND_OUTCOME: {
    roles: ['secretariat', 'panel'],
    action: "correct the panel's outcome",
    history: 'Outcome corrected',
    done: 'Outcome corrected and feedback letter drafted again',
  },
  SEND_LETTER: {
    roles: HOME_OFFICE,
    action: 'send a feedback letter',
    history: 'Feedback letter sent',
    done: 'Feedback letter sent to the CSP, with a copy to the PCC',
  },
  RESPOND_TO_ITEM: {
    roles: BOTH,
    action: 'answer a revision item',
    history: 'Revision item answered',
    done: 'Response saved',
  },
  SUBMIT_REVISIONS: {
    roles: BOTH,
    action: 'submit revisions',
    history: 'Revisions submitted',
    done: 'Revisions submitted to the Home Office',
  },
  ACCEPT_ITEM: {
    roles: HOME_OFFICE,
    action: 'accept a revision item',
    history: 'Revision item accepted',
    done: 'Item accepted',
  },
  RETURN_ITEM: {
    roles: HOME_OFFICE,
    action: 'return a revision item',
    history: 'Revision item returned',
    done: 'Item returned to the CSP',
  },
  CONFIRM_REVISIONS: {
    roles: HOME_OFFICE,
    action: 'confirm that revisions were checked',
    history: 'Revisions checked',
    done: 'Revisions checked',
  },
  RECORD_PUBLICATION: {
    roles: BOTH,
    action: 'record a publication',
    history: 'Publication recorded',
    done: 'Publication recorded',
  },
  CLOSE: {
    roles: HOME_OFFICE,
    action: 'close a review',
    history: 'Closed: the final report reached everyone on the distribution list',
    done: 'Review closed',
  },
  PAUSE: { roles: HOME_OFFICE, action: 'put a review on hold', history: 'Put on hold', done: 'Review put on hold' },
  RESUME: { roles: HOME_OFFICE, action: 'resume a review', history: 'Resumed', done: 'Review resumed' },
  WITHDRAW: { roles: HOME_OFFICE, action: 'withdraw a review', history: 'Withdrawn', done: 'Review withdrawn' },
  REINSTATE: { roles: HOME_OFFICE, action: 'reinstate a review', history: 'Reinstated', done: 'Review reinstated' },
  REMOVE_DOCUMENT: {
    roles: BOTH,
    action: 'remove a document',
    history: 'Document removed',
    done: 'Document removed',
  },
  EDIT_DETAILS: {
    roles: BOTH,
    action: "change a review's details",
    history: 'Details corrected',
    done: 'Review details changed',
  },
  ATTACH_DOCUMENT: { roles: BOTH, action: 'attach documents', history: 'Document uploaded' },
} as const satisfies Record<EventType, EventEntry>;

/** Entries in a review's history that are not lifecycle events: its notification, and what the reminder worker sent. */
const RECORDED: Record<string, string> = {
  NOTIFY: 'Review notified',
  DRAFT_LETTER_ALERT_SENT: 'Alert sent: letter still in draft',
  REVISION_REMINDER_SENT: 'Reminder sent: revision items outstanding',
  PUBLICATION_REMINDER_SENT: 'Reminder sent: publication not yet recorded',
  DISTRIBUTION_RECORDED: 'Final report distribution recorded',
  QA_CHECKLIST_MARKED: 'Marked against the QA criteria by the panel',
  SCOPING_RECORDED: 'Scoping and direction recorded',
  QA_SELF_CHECK_RECORDED: 'Self-check against the QA criteria recorded',
};

/** A history entry's title; the letter sent on a decision not to hold a review is not a feedback letter. */
export function historyTitle(type: string, from?: string | null): string | undefined {
  if (type === 'SEND_LETTER' && from === 'decision_letter_pending') return "The panel's letter on the decision sent";
  return isEventType(type) ? EVENTS[type].history : Object.hasOwn(RECORDED, type) ? RECORDED[type] : undefined;
}

export function roleMaySend(role: Role, type: EventType): boolean {
  return (EVENTS[type].roles as readonly Role[]).includes(role);
}

/**
 * The one answer to "may this role send this event?", in words, or null when it may.
 * The PCC's office reads reviews and changes none; the others hear what they tried.
 */
export function refusal(role: Role, type: EventType): string | null {
  if (roleMaySend(role, type)) return null;
  if (role === 'pcc') return "A PCC's office can read reviews but not change them";
  return `Your role (${role}) cannot ${EVENTS[type].action} (${type})`;
}

/** The banner for a page's `?done=` value, when it names an event done from a page. */
export function doneBanner(type: unknown): string | undefined {
  if (typeof type !== 'string' || !isEventType(type)) return undefined;
  return (EVENTS[type] as EventEntry).done;
}

export function isEventType(type: string): type is EventType {
  return Object.hasOwn(EVENTS, type);
}
