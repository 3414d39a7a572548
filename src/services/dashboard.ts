import type { Db } from '../db/connect';
import type { ReviewState } from '../workflow/types';
import type { User } from '../core/user';
import { toIso, toIsoDate, type Clock } from '../core/clock';
import { ForbiddenError } from '../core/errors';
import { whereOverdue } from './overdue';
import type { Pipeline } from './pipeline';
import type { StageTargetsService } from '../clocks/service';
import type { StageFiguresService } from '../clocks/figures';
import { countDays, dayOf, type DayUnit } from '../clocks/days';
import { STAGE_NAMES, targetOn, type Stage } from '../clocks/stages';

export interface DashboardReview {
  id: number;
  reference: string;
  pseudonym: string;
  csp: string;
  state: ReviewState;
  updatedAt: string;
}

export interface OverdueReview extends DashboardReview {
  /** The stage whose clock has passed its target, and the last day within it. */
  stage: Stage;
  stageName: string;
  dueOn: string;
  /** Days over the target, in the unit of the stage's current target. */
  over: number;
  unit: DayUnit;
}

/** Each list on the dashboard shows this many reviews, longest waiting first, and links to the rest. */
const DASHBOARD_LIST_LENGTH = 10;

interface DashboardList<T> {
  /** The first DASHBOARD_LIST_LENGTH, longest waiting first. */
  reviews: T[];
  total: number;
}

/**
 * What the panel secretariat should do next, read in one go for the dashboard:
 * the next panel meeting, reviews waiting for a meeting, letters waiting to go, revisions waiting to be
 * checked, what is overdue, failed emails, and the pipeline's figures.
 * Everything is the Home Office's view, so nothing here is scoped to a CSP.
 *
 * At national volume the overdue rule and the median days per stage read every
 * review and its whole history (a third of a second at 20,000 reviews), while the
 * page is opened far more often than reviews change. So the figures are kept and
 * served again for as long as nothing has happened: every change to a review
 * appends to review_events, so the newest event's id (one index lookup) says
 * whether anything has. The key also holds the hour, because open visits and
 * overdue days grow with time, and the version of the stage targets. A change that writes no
 * event (a CSP renamed, say) shows within REUSE_MS. Failed mail is always read afresh.
 */
export function createDashboard(
  db: Db,
  clock: Clock,
  pipeline: Pipeline,
  stageTargets: StageTargetsService,
  stageFigures: StageFiguresService,
) {
  const REUSE_MS = 30_000;
  let kept: { key: string; at: number; work: Promise<Work> } | null = null;

  const reviews = () =>
    db('reviews as r')
      .join('csps as c', 'c.id', 'r.csp_id')
      .select('r.id', 'r.reference', 'r.pseudonym', 'r.state', 'r.updated_at', 'c.name as csp_name');

  const summary = (r: Record<string, unknown>): DashboardReview => ({
    id: r.id as number,
    reference: r.reference as string,
    pseudonym: r.pseudonym as string,
    csp: r.csp_name as string,
    state: r.state as ReviewState,
    updatedAt: toIso(r.updated_at as Date)!,
  });

  /** Oldest first: whoever has waited longest is next. */
  const inStates = async (states: ReviewState[]) =>
    (
      await reviews().whereIn('r.state', states).orderBy('r.updated_at').orderBy('r.id').limit(DASHBOARD_LIST_LENGTH)
    ).map(summary);

  async function overdueReviews(today: string): Promise<DashboardList<OverdueReview>> {
    // The longest overdue is the one whose target passed first.
    const rows = (await whereOverdue(reviews(), today)
      .select('r.clock_stage', 'r.clock_started_on', 'r.clock_due_on', db.raw('count(*) over () as total'))
      .orderBy('r.clock_overdue_from')
      .orderBy('r.id')
      .limit(DASHBOARD_LIST_LENGTH)) as Record<string, unknown>[];
    const { versions } = await stageTargets.get();
    const holidays = await stageTargets.holidays();
    return {
      total: Number(rows[0]?.total ?? 0),
      reviews: rows.map((r) => {
        const stage = r.clock_stage as Stage;
        const dueOn = r.clock_due_on as string;
        // Counted as the stage's own target counts, the one in force when it began.
        const { unit } = targetOn(versions, stage, r.clock_started_on as string);
        return {
          ...summary(r),
          stage,
          stageName: STAGE_NAMES[stage].name,
          dueOn,
          over: countDays(dueOn, today, unit, holidays),
          unit,
        };
      }),
    };
  }

  /** The first panel meeting from today on, with the reviews on its agenda so far; null when none is set. */
  async function nextMeeting(now: Date): Promise<{ id: number; date: string; scheduled: number } | null> {
    const row = await db('panel_meetings as m')
      .where('m.date', '>=', toIsoDate(now))
      .orderBy('m.date')
      .orderBy('m.id')
      .first(
        'm.id',
        'm.date',
        db.raw(
          `(select count(*) from reviews r where r.meeting_id = m.id
              and r.state in ('scheduled', 'decision_scheduled'))::int as scheduled`,
        ),
      );
    return row ? { id: row.id, date: row.date as string, scheduled: row.scheduled } : null;
  }

  async function work(now: Date) {
    const [stats, toSchedule, letterRows, toCheck, overdue, meeting] = await Promise.all([
      pipeline.stats(now),
      // Reports, and decisions not to hold a review, wait alike for a meeting.
      inStates(['submitted', 'resubmitted', 'decision_submitted']),
      reviews()
        .whereIn('r.state', ['letter_pending', 'decision_letter_pending'])
        // A review waiting for its letter has exactly one draft: its current round's. The panel's
        // letter on a decision not to hold a review is written as it is sent, so it has none.
        .select(
          db.raw(`(select max(l.id) from letters l where l.review_id = r.id and l.status = 'draft') as letter_id`),
        )
        .select(
          db.raw(`case when r.state = 'decision_letter_pending'
                    then (select m.date from panel_meetings m where m.id = r.meeting_id)
                    else (select m.date from rounds ro join panel_meetings m on m.id = ro.panel_meeting_id
                           where ro.review_id = r.id and ro.number = (r.context->>'round')::int) end as meeting_date`),
        )
        .orderBy('r.updated_at')
        .orderBy('r.id')
        .limit(DASHBOARD_LIST_LENGTH),
      inStates(['revisions_submitted']),
      overdueReviews(dayOf(now)),
      nextMeeting(now),
    ]);
    const count = (...states: ReviewState[]) =>
      stats.counts.filter((c) => states.includes(c.state)).reduce((n, c) => n + c.count, 0);
    return {
      toSchedule: { reviews: toSchedule, total: count('submitted', 'resubmitted', 'decision_submitted') },
      lettersToSend: {
        reviews: letterRows.map((r) => ({
          ...summary(r),
          letterId: (r.letter_id as number | null) ?? null,
          meetingDate: (r.meeting_date as string | null) ?? null,
        })),
        total: count('letter_pending', 'decision_letter_pending'),
      },
      toCheck: { reviews: toCheck, total: count('revisions_submitted') },
      overdue,
      nextMeeting: meeting,
      stats,
    };
  }
  type Work = Awaited<ReturnType<typeof work>>;

  return {
    async get(user: User) {
      if (user.role !== 'secretariat' && user.role !== 'panel') {
        throw new ForbiddenError('Only the panel and its secretariat can see the dashboard');
      }
      const now = clock.now();
      // The newest event (has anything changed?) and the failed mail, in one round trip.
      const [{ rows }, { current }, headline] = await Promise.all([
        db.raw(`select (select max(id) from review_events) as latest,
                       (select count(*) from outbox where status = 'failed')::int as failed`),
        stageTargets.get(),
        stageFigures.figures(user, { stage: 'panel_to_letter' }),
      ]);
      const { latest, failed } = rows[0] as { latest: number | null; failed: number };
      const failedMail = user.role === 'secretariat' ? failed : null;
      const key = JSON.stringify([latest ?? 0, now.toISOString().slice(0, 13), current.version]);
      if (!kept || kept.key !== key || performance.now() - kept.at > REUSE_MS) {
        // Requests that arrive while the figures are being read share that one reading.
        const entry = { key, at: performance.now(), work: work(now) };
        kept = entry;
        entry.work.catch(() => {
          if (kept === entry) kept = null;
        });
      }
      const letters = headline.stages.find((s) => s.stage === 'panel_to_letter')!;
      return {
        ...(await kept.work),
        /** Null for a panel member: the mail is the secretariat's business. */
        failedMail,
        /** The headline: how long letters took after their panel meeting, over the last twelve months. */
        headline: { ...letters, unit: headline.units.panel_to_letter, since: headline.since },
      };
    },
  };
}

export type Dashboard = ReturnType<typeof createDashboard>;
