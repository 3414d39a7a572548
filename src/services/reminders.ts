import type { Conn, Db } from '../db/connect';
import { longDate } from '../core/dates';
import type { Outbox } from '../mail/outbox';
import { toIso, toIsoDate, type Clock } from '../core/clock';
import { isDatabaseUnavailable } from '../core/errors';
import { errorKind, log } from '../core/log';
import type { HouseTemplates } from './houseTemplates';
import type { Letters } from './letters';
import { daysSince, OVERDUE_SINCE, whereOverdue, type OverdueThresholds } from './overdue';
import type { SettingsService } from './settings';

const DAY = 86_400_000;
/** Agencies are expected to respond to a recommendation within this many days of its import. */
const RESPONSE_DAYS = 28;

/** The period a repeating reminder is in: whole intervals of `days` since `since`, so each goes once per interval. */
const intervalsSince = (since: Date, now: Date, days: number) =>
  Math.floor((now.getTime() - since.getTime()) / (days * DAY));

/**
 * Finds what is overdue and sends the reminders. What is overdue is the rule of
 * src/services/overdue.ts (`whereOverdue`), the one the dashboard shows, computed from
 * timestamps in the database; and each reminder is recorded under a key (review,
 * kind, period) that the database keeps unique: however many instances run this,
 * and however often, each reminder goes once.
 */
export function createReminders(
  db: Db,
  clock: Clock,
  settings: SettingsService,
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

  async function draftLetterAlerts(now: Date, s: OverdueThresholds): Promise<number> {
    const draftLetters = db('letters as l')
      .join('rounds as ro', 'ro.id', 'l.round_id')
      .join('panel_meetings as m', 'm.id', 'ro.panel_meeting_id')
      .join('reviews as r', 'r.id', 'l.review_id')
      .join('csps as c', 'c.id', 'r.csp_id')
      .where('l.status', 'draft');
    const due = await whereOverdue(draftLetters, now, s, ['letter_pending']).select(
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

  async function revisionReminders(now: Date, s: OverdueThresholds): Promise<number> {
    const currentRounds = db('reviews as r').join('rounds as ro', function () {
      this.on('ro.review_id', 'r.id').andOn(db.raw("ro.number = (r.context->>'round')::int"));
    });
    const due = await whereOverdue(currentRounds, now, s, ['revising']).select(
      'r.id',
      'r.state',
      'ro.id as round_id',
      'ro.number',
      'ro.letter_sent_at',
    );
    let sent = 0;
    for (const row of due) {
      // One reminder per interval since the letter: the first after N days, the next after 2N, ...
      const period = intervalsSince(new Date(row.letter_sent_at), now, s.revisionReminderDays);
      const ok = await onceForReview(row, 'revision_reminder', `round-${row.number}-${period}`, async (trx, at) => {
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

  async function publicationReminders(now: Date, s: OverdueThresholds): Promise<number> {
    const due = await whereOverdue(db('reviews as r'), now, s, ['approved']).select(
      'r.id',
      'r.state',
      db.raw(`${OVERDUE_SINCE.approved} as approved_at`),
    );
    let sent = 0;
    for (const row of due) {
      // Overdue means a whole interval has passed: the first reminder after N days, the next after 2N, ...
      const since = new Date(row.approved_at);
      const period = intervalsSince(since, now, s.publicationReminderDays);
      const ok = await onceForReview(row, 'publication_reminder', `${toIso(since)}-${period}`, async (trx, at) => {
        await letters.issue(trx, 'publication_reminder', row.id, {
          userId: null,
          now: at,
          facts: { approvedOn: toIsoDate(since) },
        });
      });
      if (ok) sent++;
    }
    return sent;
  }

  /** Who hears about an agency's recommendation: its users, or the CSP when the agency has none. */
  async function agencyRecipients(conn: Conn, organisationId: number, reviewId: number): Promise<string[]> {
    const users = await conn('users').where({ role: 'agency', organisation_id: organisationId }).pluck('email');
    if (users.length) return users;
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
      };
      await outbox.enqueue(trx, {
        kind,
        reviewId: row.review_id,
        letterId: null,
        template: 'recommendation_reminder',
        to: await agencyRecipients(trx, row.organisation_id, row.review_id),
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

  /** Agencies that have not responded 28 days after the import, and actions past their target date. */
  async function recommendationReminders(now: Date): Promise<number> {
    const base = () =>
      db('recommendation_agencies as ra')
        .join('recommendations as rec', 'rec.id', 'ra.recommendation_id')
        .join('organisations as o', 'o.id', 'ra.organisation_id')
        .join('reviews as r', 'r.id', 'rec.review_id')
        .join('csps as c', 'c.id', 'r.csp_id');
    const unanswered = await base()
      .whereNull('ra.response')
      .where('rec.imported_at', '<=', new Date(now.getTime() - RESPONSE_DAYS * DAY))
      .select(
        'ra.id',
        'ra.organisation_id',
        'rec.id as recommendation_id',
        'rec.review_id',
        'rec.number',
        'rec.text',
        'rec.imported_at',
        'r.reference',
        'c.name as csp_name',
        'o.name as organisation',
      );
    let sent = 0;
    for (const row of unanswered) {
      const days = Math.floor((now.getTime() - new Date(row.imported_at).getTime()) / DAY);
      if (
        await remindAgency(row, 'recommendation_response_reminder', `link-${row.id}`, {
          text: row.text,
          organisation: row.organisation,
          days,
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
      const s = await settings.get();
      return {
        draftLetterAlerts: await draftLetterAlerts(now, s),
        revisionReminders: await revisionReminders(now, s),
        publicationReminders: await publicationReminders(now, s),
        recommendationReminders: await recommendationReminders(now),
      };
    },
  };
}

export type Reminders = ReturnType<typeof createReminders>;
