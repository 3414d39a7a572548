import { transition } from 'xstate';
import { roleMaySend } from './events';
import { guardMessages, guards, isEffect, reviewMachine, type Effect, type ReviewSnapshot } from './machine';
import {
  CLIENT_EVENT_TYPES,
  type ClientEventType,
  type Facts,
  type ReviewContext,
  type ReviewEvent,
  type ReviewState,
  type Role,
} from './types';

export function snapshotOf(state: ReviewState, context: ReviewContext): ReviewSnapshot {
  return reviewMachine.resolveState({ value: state, context });
}

export type ApplyResult =
  { ok: true; state: ReviewState; context: ReviewContext; effects: Effect[] } | { ok: false; reason: string };

/** Runs one event through the machine. Pure: no I/O, the caller persists the result. */
export function apply(state: ReviewState, context: ReviewContext, event: ReviewEvent): ApplyResult {
  const snapshot = snapshotOf(state, context);
  if (!snapshot.can(event)) return { ok: false, reason: explainRejection(snapshot, event) };
  const [next, actions] = transition(reviewMachine, snapshot, event);
  return {
    ok: true,
    state: next.value as ReviewState,
    context: next.context,
    // Assignments are done by the transition; what is left are the effects, for the service to carry out.
    effects: actions.map((a) => {
      const effect = { type: a.type, params: a.params ?? {} };
      if (!isEffect(effect)) throw new Error(`The machine asked for an action that is not an effect: ${a.type}`);
      return effect;
    }),
  };
}

/** The client events this role could send now, as far as the state and the facts allow. */
export function allowedEvents(state: ReviewState, context: ReviewContext, role: Role, facts: Facts): ClientEventType[] {
  const snapshot = snapshotOf(state, context);
  return CLIENT_EVENT_TYPES.filter((type) => roleMaySend(role, type) && snapshot.can(probe(type, facts)));
}

export function canAttachDocuments(state: ReviewState, context: ReviewContext, role: Role, facts: Facts): boolean {
  return roleMaySend(role, 'ATTACH_DOCUMENT') && snapshotOf(state, context).can(probe('ATTACH_DOCUMENT', facts));
}

/** The documents this role could remove (or replace) now, by id. */
export function removableDocuments(state: ReviewState, context: ReviewContext, role: Role, facts: Facts): number[] {
  if (!roleMaySend(role, 'REMOVE_DOCUMENT')) return [];
  const snapshot = snapshotOf(state, context);
  const at = new Date(0).toISOString();
  return facts.documents
    .filter((d) => snapshot.can({ type: 'REMOVE_DOCUMENT', documentId: d.id, at, facts }))
    .map((d) => d.id);
}

/**
 * An event without its payload. Guards read only the context and the facts (or,
 * for item events, "any item" when no item is named), so this answers "could
 * this kind of event be taken now?".
 */
function probe(type: ReviewEvent['type'], facts: Facts): ReviewEvent {
  return { type, at: new Date(0).toISOString(), facts } as ReviewEvent;
}

const LABELS: Record<ReviewState, string> = {
  notified: 'notified',
  decision_submitted: 'declined by the CSP, waiting for the panel',
  decision_scheduled: 'declined by the CSP, scheduled for a panel meeting',
  decision_letter_pending: "declined by the CSP, waiting for the panel's letter",
  submitted: 'submitted',
  scheduled: 'scheduled for a panel meeting',
  letter_pending: 'waiting for its feedback letter',
  revising: 'being revised',
  revisions_submitted: 'waiting for its revisions to be checked',
  resubmitted: 'resubmitted',
  approved: 'approved for publication',
  published: 'published',
  closed: 'closed',
  not_reviewed: 'not held: the panel agreed with the decision',
  withdrawn: 'withdrawn',
  on_hold: 'on hold',
};

export function stateLabel(state: ReviewState): string {
  return LABELS[state];
}

type GuardName = keyof typeof guards;
type GuardRef = string | { type: string; params?: unknown } | { guards: GuardRef[] };

/** Guards that pick which branch applies rather than blocking it. */
const SELECTORS: readonly GuardName[] = ['outcomeIs', 'pausedFrom', 'anyItemReturned', 'decisionIs', 'panelViewIs'];

function leaves(guard: GuardRef | undefined): { name: GuardName; params: unknown }[] {
  if (guard === undefined) return [];
  if (typeof guard === 'string') return [{ name: guard as GuardName, params: undefined }];
  if ('guards' in guard) return guard.guards.flatMap(leaves);
  return [{ name: guard.type as GuardName, params: guard.params }];
}

/** Says in words why the machine refused an event in this snapshot. */
export function explainRejection(snapshot: ReviewSnapshot, event: ReviewEvent): string {
  const state = snapshot.value as ReviewState;
  const node = reviewMachine.root.states[state];
  const transitions = node?.transitions.get(event.type) ?? [];
  if (transitions.length === 0) return `${event.type} is not possible while the review is ${stateLabel(state)}`;
  const args = { context: snapshot.context, event };
  const holds = ({ name, params }: { name: GuardName; params: unknown }) =>
    (guards[name] as (a: typeof args, p: unknown) => boolean)(args, params);
  const reasons = new Set<string>();
  for (const t of transitions) {
    const checks = leaves(t.guard as GuardRef | undefined);
    if (!checks.filter((c) => SELECTORS.includes(c.name)).every(holds)) continue;
    for (const c of checks) {
      const message = guardMessages[c.name];
      if (!holds(c)) reasons.add(typeof message === 'function' ? message(args) : message);
    }
  }
  if (reasons.size === 0) return `${event.type} is not possible now`;
  return `${event.type} is not possible now: ${[...reasons].join('; ')}`;
}
