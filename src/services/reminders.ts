import type { Conn, Db } from '../db/connect';
import { longDate } from '../core/dates';
import type { Outbox } from '../mail/outbox';
import { toIsoDate, type Clock } from '../core/clock';
import { isDatabaseUnavailable } from '../core/errors';
import { errorKind, log } from '../core/log';
import type { HouseTemplates } from './houseTemplates';
import type { Letters } from './letters';
import { daysSince, whereOverdue } from './overdue';
import { teamMailboxOf, type SettingsService } from './settings';
import { LIVE_PART } from '../recommendations/status';
import { organisationEmails } from '../recommendations/statusChanges';
import type { StageTargetsService } from '../clocks/service';
import { countDays, dayOf } from '../clocks/days';
import { targetOn, type Stage } from '../clocks/stages';

/**
 * Finds what is overdue and sends the reminders. What is overdue is the rule of
 * src/services/overdue.ts (`whereOverdue`): the review's stage clock has passed its target,
 * as its page and the dashboard show. A reminder to the CSP goes the day after the target,
 * and again each time as long again has passed. Each reminder is recorded under a key
 * (review, kind, period) that the database keeps unique: however many instances run this,
 * and however often, each reminder goes once.
 */
export function createReminders(
  db: Db,
  clock: Clock,
  settings: SettingsService,
  stageTargets: StageTargetsService,
  letters: Letters,
  outbox: Outbox,
  templates: HouseTemplates,
  options: { publicUrl: string },
) {
  /**
   * Records the reminder and runs `send` in one transaction, unless it was sent
   * already: the unique (review, kind, period) row is what makes it go once.
   */
  async function once(
    reviewId: number,
    kind: string,
    period: string,
    send: (trx: Conn, now: Date) => Promise<void>,
  ): Promise<boolean> {
    try {
      return await db.transaction(async (trx) => {
        const now = clock.now();
        const inserted = await trx('reminders')
          .insert({ review_id: reviewId, kind, period, sent_at: now })
          .onConflict(['review_id', 'kind', 'period'])
          .ignore()
          .returning('id');
        if (inserted.length === 0) return false;
        await send(trx, now);
        return true;
      });
    } catch (err) {
      // One reminder that cannot be written must not stop the others: it is left unrecorded,
      // so the next run tries it again, and the log says which (never what it holds).
      if (isDatabaseUnavailable(err)) throw err;
      log.error({ kind, reviewId, err: errorKind(err) }, 'reminder not sent');
      return false;
    }
  }

  /** A reminder about a review, which its history shows. */
  function onceForReview(
    review: { id: number; state: string },
    kind: string,
    period: string,
    send: (trx: Conn, now: Date) => Promise<void>,
  ): Promise<boolean> {
    return once(review.id, kind, period, async (trx, now) => {
      await send(trx, now);
      await trx('review_events').insert({
        review_id: review.id,
        type: `${kind.toUpperCase()}_SENT`,
        payload: JSON.stringify({ period }),
        from_state: review.state,
        to_state: review.state,
        actor_id: null,
        at: now,
      });
    });
  }

  /**
   * The period a repeating reminder is in: whole targets' lengths since the last day within
   * target (0 from the day after it), counted as the stage's target counts days.
   */
  async function periodOf(row: { clock_stage: Stage; clock_started_on: string; clock_due_on: string }, today: string) {
    const { versions } = await stageTargets.get();
    const { days, unit } = targetOn(versions, row.clock_stage, row.clock_started_on);
    return Math.floor((countDays(row.clock_due_on, today, unit, await stageTargets.holidays()) - 1) / days);
  }

  async function draftLetterAlerts(now: Date, today: string): Promise<number> {
    const draftLetters = db('letters as l')
      .join('rounds as ro', 'ro.id', 'l.round_id')
      .join('panel_meetings as m', 'm.id', 'ro.panel_meeting_id')
      .join('reviews as r', 'r.id', 'l.review_id')
      .join('csps as c', 'c.id', 'r.csp_id')
      .where('l.status', 'draft');
    const due = await whereOverdue(draftLetters, today, ['panel_to_letter']).select(
      'r.id',
      'r.state',
      'r.reference',
      'r.pseudonym',
      'c.name as csp_name',
      'ro.number',
      'm.date',
    );
    let sent = 0;
    for (const row of due) {
      const meetingDate = row.date as string;
      const ok = await onceForReview(row, 'draft_letter_alert', `round-${row.number}`, async (trx) => {
        const { dhrMailbox, dateStyle } = await settings.get(trx);
        const model = {
          reference: row.reference,
          pseudonym: row.pseudonym,
          cspName: row.csp_name,
          meetingDate: longDate(meetingDate, dateStyle),
          days: daysSince(meetingDate, now),
          reviewUrl: `${options.publicUrl}/reviews/${row.id}`,
        };
        await outbox.enqueue(trx, {
          kind: 'draft_letter_alert',
          reviewId: row.id,
          letterId: null,
          template: 'draft_letter_alert',
          to: [dhrMailbox],
          cc: [],
          replyTo: dhrMailbox,
          ...(await templates.renderEmail(trx, 'draft_letter_alert', model)),
          attachLetter: false,
        });
      });
      if (ok) sent++;
    }
    return sent;
  }

  async function revisionReminders(today: string): Promise<number> {
    const currentRounds = db('reviews as r')
      .join('rounds as ro', function () {
        this.on('ro.review_id', 'r.id').andOn(db.raw("ro.number = (r.context->>'round')::int"));
      })
      // A reminder of what is outstanding: none goes for items all answered but not yet sent.
      .whereExists(
        db('revision_items as i').whereRaw('i.round_id = ro.id').whereIn('i.status', ['open', 'returned']).select(1),
      );
    const due = await whereOverdue(currentRounds, today, ['letter_to_revisions']).select(
      'r.id',
      'r.state',
      'r.clock_stage',
      'r.clock_started_on',
      'r.clock_due_on',
      'ro.id as round_id',
      'ro.number',
      'ro.letter_sent_at',
    );
    let sent = 0;
    for (const row of due) {
      // One series per pass of the stage (the letter, or items returned), whatever moves its due day.
      const key = `round-${row.number}-${row.clock_started_on}-${await periodOf(row, today)}`;
      const ok = await onceForReview(row, 'revision_reminder', key, async (trx, at) => {
        const outstanding = await trx('revision_items')
          .where({ round_id: row.round_id })
          .whereIn('status', ['open', 'returned'])
          .orderBy('position')
          .select('heading', 'text', 'points', 'note');
        await letters.issue(trx, 'revision_reminder', row.id, {
          roundId: row.round_id,
          userId: null,
          now: at,
          facts: { letterSentOn: toIsoDate(row.letter_sent_at), outstandingCount: outstanding.length },
          outstanding,
        });
      });
      if (ok) sent++;
    }
    return sent;
  }

  async function publicationReminders(today: string): Promise<number> {
    const approvedAt = `(select max(e.at) from review_events e
                          where e.review_id = r.id and e.to_state = 'approved' and e.from_state is distinct from e.to_state)`;
    const due = await whereOverdue(db('reviews as r'), today, ['approval_to_publication']).select(
      'r.id',
      'r.state',
      'r.clock_stage',
      'r.clock_started_on',
      'r.clock_due_on',
      db.raw(`${approvedAt} as approved_at`),
    );
    let sent = 0;
    for (const row of due) {
      const key = `${row.clock_started_on}-${await periodOf(row, today)}`;
      const ok = await onceForReview(row, 'publication_reminder', key, async (trx, at) => {
        await letters.issue(trx, 'publication_reminder', row.id, {
          userId: null,
          now: at,
          facts: { approvedOn: toIsoDate(row.approved_at) },
        });
      });
      if (ok) sent++;
    }
    return sent;
  }

  /**
   * Who hears about an organisation's recommendation: its users who can sign in; when it has none,
   * the CSP for a local or regional one, and the secretariat (which assigned it) for a national one.
   */
  async function agencyRecipients(
    conn: Conn,
    organisationId: number,
    reviewId: number,
    level: string,
  ): Promise<string[]> {
    const users = await organisationEmails(conn, organisationId);
    if (users.length) return users;
    if (level === 'national') return [teamMailboxOf(await settings.get(conn))];
    const csp = await conn('reviews as r')
      .join('csps as c', 'c.id', 'r.csp_id')
      .where('r.id', reviewId)
      .first('c.contacts');
    return (csp.contacts as { email: string }[]).map((c) => c.email);
  }

  /** Records a recommendation reminder once (review, kind, period) and queues its email. */
  async function remindAgency(
    row: {
      review_id: number;
      recommendation_id: number;
      organisation_id: number;
      reference: string;
      csp_name: string;
      number: string;
      level: string;
    },
    kind: 'recommendation_response_reminder' | 'action_overdue_reminder',
    period: string,
    extra: Record<string, unknown>,
  ): Promise<boolean> {
    return once(row.review_id, kind, period, async (trx, now) => {
      const { dhrMailbox, dateStyle } = await settings.get(trx);
      const model = {
        number: row.number,
        reference: row.reference,
        cspName: row.csp_name,
        url: `${options.publicUrl}/recommendations`,
        overdue: kind === 'action_overdue_reminder',
        ...extra,
        ...(typeof extra.targetDate === 'string' ? { targetDate: longDate(extra.targetDate, dateStyle) } : {}),
        ...(typeof extra.dueOn === 'string' ? { dueOn: longDate(extra.dueOn, dateStyle) } : {}),
      };
      await outbox.enqueue(trx, {
        kind,
        reviewId: row.review_id,
        letterId: null,
        template: 'recommendation_reminder',
        to: await agencyRecipients(trx, row.organisation_id, row.review_id, row.level),
        cc: [],
        replyTo: dhrMailbox,
        ...(await templates.renderEmail(trx, 'recommendation_reminder', model)),
        attachLetter: false,
      });
      await trx('recommendation_events').insert({
        review_id: row.review_id,
        recommendation_id: row.recommendation_id,
        organisation_id: row.organisation_id,
        type: kind.toUpperCase() + '_SENT',
        payload: JSON.stringify({ period }),
        actor_id: null,
        at: now,
      });
    });
  }

  /** Agencies that have not responded by the day their response was due, and actions past their target date. */
  async function recommendationReminders(now: Date): Promise<number> {
    const base = () =>
      db('recommendation_agencies as ra')
        .join('recommendations as rec', 'rec.id', 'ra.recommendation_id')
        .join('organisations as o', 'o.id', 'ra.organisation_id')
        .join('reviews as r', 'r.id', 'rec.review_id')
        .join('csps as c', 'c.id', 'r.csp_id');
    const today = dayOf(now);
    // Past the day its response was due (which the secretariat or the CSP may have moved on).
    const unanswered = await base()
      .whereRaw(LIVE_PART)
      .whereNull('ra.response')
      .where('ra.response_due_on', '<', today)
      .select(
        'ra.id',
        'ra.organisation_id',
        'rec.id as recommendation_id',
        'rec.review_id',
        'rec.number',
        'rec.level',
        'rec.text',
        'ra.assigned_on',
        'ra.response_due_on',
        'r.reference',
        'c.name as csp_name',
        'o.name as organisation',
      );
    let sent = 0;
    for (const row of unanswered) {
      const dueOn = row.response_due_on as string;
      // Once per due date: a response date moved on earns a fresh reminder when that passes too.
      if (
        await remindAgency(row, 'recommendation_response_reminder', `link-${row.id}-${dueOn}`, {
          text: row.text,
          organisation: row.organisation,
          days: countDays(row.assigned_on as string, today, 'days', new Set()),
          dueOn,
        })
      )
        sent++;
    }
    const overdue = await base()
      .join('recommendation_actions as a', 'a.recommendation_agency_id', 'ra.id')
      .whereNot('a.status', 'completed')
      .where('a.target_date', '<', toIsoDate(now))
      .select(
        'a.id as action_id',
        'a.description',
        'a.owner',
        'a.target_date',
        'ra.organisation_id',
        'rec.id as recommendation_id',
        'rec.review_id',
        'rec.number',
        'rec.level',
        'r.reference',
        'c.name as csp_name',
      );
    for (const row of overdue) {
      const targetDate = row.target_date as string;
      // Once per action and target date: moving the date on earns a fresh reminder when that passes too.
      if (
        await remindAgency(row, 'action_overdue_reminder', `action-${row.action_id}-${targetDate}`, {
          action: row.description,
          owner: row.owner,
          targetDate,
        })
      )
        sent++;
    }
    return sent;
  }

  return {
    async runOnce() {
      const now = clock.now();
      const today = dayOf(now);
      return {
        draftLetterAlerts: await draftLetterAlerts(now, today),
        revisionReminders: await revisionReminders(today),
        publicationReminders: await publicationReminders(today),
        recommendationReminders: await recommendationReminders(now),
      };
    },
  };
}

export type Reminders = ReturnType<typeof createReminders>;
