/**
 * Where an organisation stands on one recommendation, on the Domestic Abuse Commissioner's scale
 * (as in "Learning from loss", 2025): its response has not come (missing); it was declined, or
 * nothing of it is done yet (not met); what it asks was already happening before the review; some
 * of it is done (partly); its outcome is achieved (fully implemented). Actions done and the outcome
 * achieved are recorded apart: completing every action does not make a recommendation fully
 * implemented until the organisation records, with evidence, that its outcome is achieved.
 */
export const SCALE = ['missing', 'not_met', 'already_happening', 'partly', 'fully_implemented'] as const;
export type ScaleStatus = (typeof SCALE)[number];

export const SCALE_LABELS: Record<ScaleStatus, string> = {
  missing: 'Missing',
  not_met: 'Not met',
  already_happening: 'Already happening',
  partly: 'Partly implemented',
  fully_implemented: 'Fully implemented',
};

export const SCALE_TAGS: Record<ScaleStatus, string> = {
  missing: 'grey',
  not_met: 'red',
  already_happening: 'turquoise',
  partly: 'blue',
  fully_implemented: 'green',
};

export interface PartFacts {
  response: string | null;
  outcomeAchieved: boolean;
  /** Actions of the part that are completed. */
  actionsDone: number;
}

/** The status the facts of an organisation's part give. */
export function scaleStatus({ response, outcomeAchieved, actionsDone }: PartFacts): ScaleStatus {
  if (!response) return 'missing';
  if (response === 'not_accepted') return 'not_met';
  if (response === 'already_in_place') return 'already_happening';
  // An outcome achieved on a recommendation accepted only in part is that part implemented.
  if (outcomeAchieved) return response === 'accepted' ? 'fully_implemented' : 'partly';
  return actionsDone > 0 ? 'partly' : 'not_met';
}

/**
 * What the organisation may do next with its part: answer it, work on its actions, or nothing
 * more (its outcome recorded as achieved, until the CSP reopens it).
 */
export type AgencyStage = 'awaiting_response' | 'not_accepted' | 'already_in_place' | 'in_progress' | 'implemented';

export function agencyStage(response: string | null, outcomeAchieved: boolean): AgencyStage {
  if (!response) return 'awaiting_response';
  if (response === 'not_accepted' || response === 'already_in_place') return response;
  return outcomeAchieved ? 'implemented' : 'in_progress';
}

/**
 * SQL: the part `ra` of recommendation `rec` is its organisation's now, to see, answer and be
 * chased for: assigned, and not a national recommendation waiting for the secretariat's triage.
 */
export const LIVE_PART = "(ra.assigned_on is not null and not (rec.level = 'national' and rec.triaged_at is null))";
