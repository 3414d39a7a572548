import { addDays, countDays, dayOf, type DayUnit } from './days';

/**
 * The stages a review's time is measured in, each from one moment to the next. A review may
 * pass through a stage more than once (a report resubmitted goes to the panel again), and each
 * pass has its own clock. Time on hold or withdrawn does not count.
 */
export const STAGES = [
  'notification_to_submission',
  'submission_to_panel',
  'panel_to_letter',
  'letter_to_revisions',
  'approval_to_publication',
] as const;
export type Stage = (typeof STAGES)[number];

export const STAGE_NAMES: Record<Stage, { name: string; from: string; to: string }> = {
  notification_to_submission: {
    name: 'Notification to submission',
    from: 'the CSP notified the Home Office',
    to: 'the report was submitted',
  },
  submission_to_panel: {
    name: 'Submission to panel',
    from: 'the report was submitted or resubmitted',
    to: 'the panel meeting that assessed it',
  },
  panel_to_letter: { name: 'Panel to letter', from: 'the panel meeting', to: 'the feedback letter was sent' },
  letter_to_revisions: {
    name: 'Letter to revisions',
    from: 'the feedback letter was sent, or items were returned to the CSP',
    to: 'the CSP submitted its revisions',
  },
  approval_to_publication: {
    name: 'Approval to publication',
    from: 'the review was approved',
    to: 'the report was published, as the CSP recorded it',
  },
};

/** Why a review was put on hold: the list the secretariat chooses from, and the words shown. */
export const PAUSE_CATEGORIES = {
  criminal_trial: 'Criminal trial',
  inquest: 'Inquest',
  iopc_investigation: 'IOPC investigation',
  parallel_review: 'Parallel review (such as a Safeguarding Adults Review)',
  family_request: 'At the family’s request',
  other: 'Other',
} as const;
export type PauseCategory = keyof typeof PAUSE_CATEGORIES;
export const PAUSE_CATEGORY_KEYS = Object.keys(PAUSE_CATEGORIES) as [PauseCategory, ...PauseCategory[]];

export interface Target {
  days: number;
  unit: DayUnit;
}

/** One version of the targets, as the secretariat saved it. */
export interface TargetVersion {
  version: number;
  /** The day it was saved: it applies to stages that begin on or after it. */
  from: string;
  targets: Record<Stage, Target>;
  /** A running clock is "due soon" when this many days of its unit, or fewer, are left. */
  dueSoonDays: number;
}

export type ClockStatus = 'on_track' | 'due_soon' | 'overdue' | 'paused' | 'stopped' | 'met' | 'missed';

export interface StageClock {
  stage: Stage;
  /** The round of the panel's assessment the pass belongs to; null before the first. */
  round: number | null;
  startedOn: string;
  endedOn: string | null;
  /** Days of the target's unit counted so far (or in all, once ended), time on hold left out. */
  elapsed: number;
  /** Days of the unit spent on hold (or withdrawn) while the stage ran. */
  pausedDays: number;
  target: Target;
  /** The version of the targets that applies: the one in force on the day the stage began. */
  targetVersion: number;
  /** For a running clock, neither on hold nor stopped: the last day within target (past, once overdue). */
  dueOn: string | null;
  /** With dueOn: the next day counted after it, the first on which the clock is overdue. */
  overdueFrom: string | null;
  status: ClockStatus;
  /** For a paused clock, why the review is on hold. */
  pausedFor: PauseCategory | null;
}

/** What the clocks are read from: the review as its read model holds it. */
export interface ClockSource {
  notifiedOn: string | null;
  /** The day the CSP says the report was published (it records it afterwards). */
  publishedOn: string | null;
  createdAt: string;
  history: { from: string | null; to: string; at: string; category?: PauseCategory | null }[];
  rounds: { number: number; outcome: string; meetingDate: string | null; letterSentAt: string | null }[];
}

interface Span {
  stage: Stage;
  round: number | null;
  from: string;
  to: string | null;
}

/** Where each stage began and ended, read from the review's changes of state and its rounds. */
function spansOf(source: ClockSource): Span[] {
  const spans: Span[] = [];
  const entered = (state: string, after = '') =>
    source.history.find((h) => h.to === state && h.from !== state && h.at > after);
  // The CSP's clock runs from notification to its submission, or to a decision not to hold a
  // review. A decision taken back before the panel considered it never stopped the clock; a
  // decision the panel disagreed with starts it again from the panel's letter.
  const csp: Span[] = [];
  let running: Span | null = {
    stage: 'notification_to_submission',
    round: null,
    from: source.notifiedOn ?? dayOf(source.createdAt),
    to: null,
  };
  csp.push(running);
  for (const h of source.history) {
    if (h.from === 'notified' && (h.to === 'submitted' || h.to === 'decision_submitted') && running) {
      running.to = dayOf(h.at);
      running = null;
    } else if (h.to === 'notified' && (h.from === 'decision_submitted' || h.from === 'decision_scheduled')) {
      running = csp.at(-1)!;
      running.to = null;
    } else if (h.to === 'notified' && h.from === 'decision_letter_pending') {
      running = { stage: 'notification_to_submission', round: null, from: dayOf(h.at), to: null };
      csp.push(running);
    }
  }
  spans.push(...csp);
  // Each submission (the first, and each resubmission) runs to the meeting that assessed it.
  const submissions = source.history.filter(
    (h) => (h.to === 'submitted' && h.from === 'notified') || (h.to === 'resubmitted' && h.from === 'revising'),
  );
  submissions.forEach((submission, i) => {
    const round = source.rounds[i];
    spans.push({
      stage: 'submission_to_panel',
      round: round?.number ?? null,
      from: dayOf(submission.at),
      to: round?.meetingDate ?? null,
    });
  });
  for (const round of source.rounds) {
    if (round.meetingDate) {
      spans.push({
        stage: 'panel_to_letter',
        round: round.number,
        from: round.meetingDate,
        to: round.letterSentAt ? dayOf(round.letterSentAt) : null,
      });
    }
    if (round.letterSentAt && round.outcome !== 'publish') {
      // The letter starts the CSP's clock; items returned to it after its revisions start another.
      const nextLetter = source.rounds.find((r) => r.number > round.number)?.letterSentAt ?? null;
      const returned = source.history.filter(
        (h) =>
          h.from === 'revisions_submitted' &&
          h.to === 'revising' &&
          h.at > round.letterSentAt! &&
          (nextLetter === null || h.at < nextLetter),
      );
      for (const start of [round.letterSentAt, ...returned.map((h) => h.at)]) {
        const answered = source.history.find(
          (h) => h.from === 'revising' && ['revisions_submitted', 'resubmitted'].includes(h.to) && h.at > start,
        );
        spans.push({
          stage: 'letter_to_revisions',
          round: round.number,
          from: dayOf(start),
          to: answered ? dayOf(answered.at) : null,
        });
      }
    }
  }
  const approved = entered('approved');
  if (approved) {
    const published = entered('published');
    spans.push({
      stage: 'approval_to_publication',
      round: source.rounds.at(-1)?.number ?? null,
      from: dayOf(approved.at),
      to: published ? (source.publishedOn ?? dayOf(published.at)) : null,
    });
  }
  return spans;
}

interface Pause {
  from: string;
  to: string | null;
  category: PauseCategory | null;
  withdrawn: boolean;
}

/** The spans the review spent on hold or withdrawn (on hold, then withdrawn, is one span). */
function pausesOf(source: ClockSource): Pause[] {
  const pauses: Pause[] = [];
  let open: Pause | null = null;
  for (const h of source.history) {
    const paused = h.to === 'on_hold' || h.to === 'withdrawn';
    if (paused && !open) {
      open = { from: dayOf(h.at), to: null, category: h.category ?? null, withdrawn: h.to === 'withdrawn' };
      pauses.push(open);
    } else if (paused && open) open.withdrawn = h.to === 'withdrawn';
    else if (!paused && open) {
      open.to = dayOf(h.at);
      open = null;
    }
  }
  return pauses;
}

/** The target a stage begun on `day` runs against. */
export const targetOn = (versions: readonly TargetVersion[], stage: Stage, day: string): Target =>
  versionOn(versions, day).targets[stage];

/** The targets in force on a day: the newest version saved on or before it, or the first for days before any. */
function versionOn(versions: readonly TargetVersion[], day: string): TargetVersion {
  const sorted = [...versions].sort((a, b) => a.version - b.version);
  return sorted.filter((v) => v.from <= day).at(-1) ?? sorted[0]!;
}

/**
 * Each stage's clock for one review, as of `today`: days counted (time on hold left out), the
 * target that applies and where the review stands against it.
 */
export function stageClocks(
  source: ClockSource,
  versions: readonly TargetVersion[],
  holidays: ReadonlySet<string>,
  today: string,
): StageClock[] {
  const pauses = pausesOf(source);
  return spansOf(source).map((span) => {
    const applying = versionOn(versions, span.from);
    const target = applying.targets[span.stage];
    /** Days on hold from the stage's start to `end`. */
    const pausedTo = (end: string) => {
      let days = 0;
      for (const p of pauses) {
        const from = p.from > span.from ? p.from : span.from;
        const to = p.to === null || p.to > end ? end : p.to;
        days += countDays(from, to, target.unit, holidays);
      }
      return days;
    };
    /** Days counted from the stage's start to `end`, those on hold left out. */
    const elapsedTo = (end: string) => countDays(span.from, end, target.unit, holidays) - pausedTo(end);
    const end = span.to ?? today;
    const pausedDays = pausedTo(end);
    const elapsed = countDays(span.from, end, target.unit, holidays) - pausedDays;
    const current = span.to === null ? pauses.find((p) => p.to === null) : undefined;
    let status: ClockStatus;
    let dueOn: string | null = null;
    if (span.to !== null) status = elapsed <= target.days ? 'met' : 'missed';
    else if (current?.withdrawn) status = 'stopped';
    else if (current) status = 'paused';
    else {
      const left = target.days - elapsed;
      status = left < 0 ? 'overdue' : left <= applying.dueSoonDays ? 'due_soon' : 'on_track';
      // The day the count reaches the target: each step adds what is still short, stepping over
      // the time on hold (all of it over, since none is open), so it ends on the exact day.
      dueOn = addDays(span.from, target.days, target.unit, holidays);
      for (let short = target.days - elapsedTo(dueOn); short > 0; short = target.days - elapsedTo(dueOn))
        dueOn = addDays(dueOn, short, target.unit, holidays);
    }
    return {
      stage: span.stage,
      round: span.round,
      startedOn: span.from,
      endedOn: span.to,
      elapsed,
      pausedDays,
      target,
      targetVersion: applying.version,
      dueOn,
      overdueFrom: dueOn === null ? null : addDays(dueOn, 1, target.unit, holidays),
      status,
      pausedFor: current && !current.withdrawn ? current.category : null,
    };
  });
}
