import type { Db } from '../db/connect';
import type { Outbox } from '../mail/outbox';
import type { ReviewState } from '../workflow/types';
import type { User } from './accounts';
import { toIso, toIsoDate, type Clock } from './clock';
import { ForbiddenError } from './errors';
import { daysSince, OVERDUE_SINCE, whereOverdue } from './overdue';
import type { Pipeline } from './pipeline';
import type { SettingsService } from './settings';

export interface DashboardReview {
  id: number;
  reference: string;
  pseudonym: string;
  csp: string;
  state: ReviewState;
  updatedAt: string;
}

export interface OverdueReview extends DashboardReview {
  /** The date the clock started from: the letter, the panel meeting or the approval. */
  since: string;
  days: number;
  /** What is late, in words. */
  reason: string;
}

/**
 * What the panel secretariat should do next, read in one go for the dashboard:
 * reviews waiting for a meeting, letters waiting to go, revisions waiting to be
 * checked, what is overdue, failed emails, and the pipeline's figures.
 * Everything is the Home Office's view, so nothing here is scoped to a CSP.
 */
export function createDashboard(db: Db, clock: Clock, settings: SettingsService, outbox: Outbox, pipeline: Pipeline) {
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
    (await reviews().whereIn('r.state', states).orderBy('r.updated_at').orderBy('r.id')).map(summary);

  return {
    async get(user: User) {
      if (user.role !== 'secretariat' && user.role !== 'panel') {
        throw new ForbiddenError('Only the panel and its secretariat can see the dashboard');
      }
      const now = clock.now();
      const s = await settings.get();

      const [toSchedule, letterRows, toCheck, overdueRows, stats, failedMail] = await Promise.all([
        inStates(['submitted', 'resubmitted']),
        reviews()
          .where('r.state', 'letter_pending')
          // A review waiting for its letter has exactly one draft: its current round's.
          .select(
            db.raw(`(select max(l.id) from letters l where l.review_id = r.id and l.status = 'draft') as letter_id`),
          )
          .select(db.raw(`${OVERDUE_SINCE.letterPending} as meeting_date`))
          .orderBy('r.updated_at')
          .orderBy('r.id'),
        inStates(['revisions_submitted']),
        whereOverdue(reviews(), now, s)
          .select(
            db.raw(`${OVERDUE_SINCE.revising} as letter_sent_at`),
            db.raw(`${OVERDUE_SINCE.letterPending} as meeting_date`),
            db.raw(`${OVERDUE_SINCE.approved} as approved_at`),
          )
          .orderBy('r.id'),
        pipeline.stats(now),
        user.role === 'secretariat' ? outbox.failedCount() : Promise.resolve(null),
      ]);

      const overdue: OverdueReview[] = (overdueRows as Record<string, Date | string>[]).map((r) => {
        const since: Date | string =
          r.state === 'revising' ? r.letter_sent_at : r.state === 'letter_pending' ? r.meeting_date : r.approved_at;
        const days = daysSince(since, now);
        const reason =
          r.state === 'revising'
            ? `Revision items still open ${days} days after the letter`
            : r.state === 'letter_pending'
              ? `Letter still in draft ${days} days after the panel meeting`
              : `Publication not recorded ${days} days after approval`;
        return { ...summary(r), since: toIsoDate(since), days, reason };
      });
      overdue.sort((a, b) => b.days - a.days || a.id - b.id);

      return {
        toSchedule,
        lettersToSend: letterRows.map((r) => ({
          ...summary(r),
          letterId: (r.letter_id as number | null) ?? null,
          meetingDate: r.meeting_date ? toIsoDate(r.meeting_date) : null,
        })),
        toCheck,
        overdue,
        /** Null for a panel member: the mail is the secretariat's business. */
        failedMail,
        stats,
        settings: {
          revisionReminderDays: s.revisionReminderDays,
          draftLetterAlertDays: s.draftLetterAlertDays,
          publicationReminderDays: s.publicationReminderDays,
        },
      };
    },
  };
}

export type Dashboard = ReturnType<typeof createDashboard>;
