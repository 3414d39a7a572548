import type { Conn } from '../db/connect';
import { areaLabels } from '../letters/areas';
import { longDate } from '../core/dates';
import type { Outbox, OutboxRow } from '../mail/outbox';
import { HAND_OFFS, type HandOff } from '../workflow/machine';
import type { User } from '../core/user';
import type { HouseTemplates } from './houseTemplates';
import { teamMailboxOf, type SettingsService } from './settings';
import { escapeHtml } from '../letters/engine';

/** Where each hand-off's email sends its reader: the page where the next step is taken. */
const NEXT_STEP: Record<HandOff, (reviewId: number) => string> = {
  review_submitted: (id) => `/reviews/${id}`,
  decision_submitted: (id) => `/reviews/${id}`,
  revisions_submitted: (id) => `/reviews/${id}`,
  publication_recorded: (id) => `/reviews/${id}`,
  items_returned: (id) => `/reviews/${id}/items`,
  review_approved: (id) => `/reviews/${id}`,
};

/** What a hand-off's email says of its review, and who at the CSP it goes to. */
interface HandOffReview {
  reference: string;
  pseudonym: string;
  csp_name: string;
  contacts: { email: string }[];
}

/** A revision item of the round, in its order, as the email about returned items lists it. */
interface RoundItem {
  heading: string | null;
  text: string;
  points: string[] | null;
  status: string;
  note: string | null;
}

/**
 * The emails that carry a review from one side to the other: the secretariat's team
 * mailbox is told what a CSP did, a CSP's contacts what the secretariat did. Each is
 * queued in the transaction of the event that caused it, so the email goes if and
 * only if the step happened.
 */
export function createNotifications(
  settings: SettingsService,
  outbox: Outbox,
  templates: HouseTemplates,
  options: { publicUrl: string },
) {
  async function returnedItems(trx: Conn, reviewId: number, round: number, known?: RoundItem[]) {
    const items =
      known ??
      ((await trx('revision_items as i')
        .join('rounds as ro', 'ro.id', 'i.round_id')
        .where({ 'ro.review_id': reviewId, 'ro.number': round })
        .orderBy('i.position')
        .select('i.heading', 'i.text', 'i.points', 'i.status', 'i.note')) as RoundItem[]);
    const labels = areaLabels(items.map((i) => ({ heading: i.heading, text: i.text, points: i.points ?? [] })));
    const returned = items.flatMap((item, k) => (item.status === 'returned' ? [{ label: labels[k]!, ...item }] : []));
    return {
      count: returned.length,
      html: `<ul>${returned
        .map(
          (i) =>
            `<li>Item ${escapeHtml(i.label)}: ${escapeHtml(i.text)}<br>Returned because: ${escapeHtml(i.note ?? '')}</li>`,
        )
        .join('')}</ul>`,
      text: returned.map((i) => `Item ${i.label}: ${i.text}\nReturned because: ${i.note ?? ''}`).join('\n\n'),
    };
  }

  return {
    /** Queues the email for a hand-off the machine asked for. A CSP without contacts is told nothing: its letters cannot reach it either. */
    async handOff(
      trx: Conn,
      email: HandOff,
      reviewId: number,
      facts: { by: User; round: number; resubmitted?: boolean; publication?: { publishedOn: string; url: string } },
      known: { review?: HandOffReview; items?: RoundItem[] } = {},
    ): Promise<void> {
      const review =
        known.review ??
        ((await trx('reviews as r')
          .join('csps as c', 'c.id', 'r.csp_id')
          .where('r.id', reviewId)
          .first('r.reference', 'r.pseudonym', 'c.name as csp_name', 'c.contacts')) as HandOffReview);
      const current = await settings.get(trx);
      const to =
        HAND_OFFS[email] === 'secretariat'
          ? [teamMailboxOf(current)]
          : (review.contacts as { email: string }[]).map((c) => c.email);
      if (to.length === 0) return;
      const model: Record<string, unknown> = {
        reference: review.reference,
        pseudonym: review.pseudonym,
        cspName: review.csp_name,
        round: facts.round,
        reviewUrl: `${options.publicUrl}${NEXT_STEP[email](reviewId)}`,
        submittedBy: facts.by.name,
        resubmitted: facts.resubmitted ?? false,
      };
      const markup: Record<string, { html: string; text: string }> = {};
      if (email === 'items_returned') {
        const items = await returnedItems(trx, reviewId, facts.round, known.items);
        model.returnedCount = items.count;
        markup.items = items;
      }
      if (facts.publication) {
        model.publishedOn = longDate(facts.publication.publishedOn, current.dateStyle);
        model.url = facts.publication.url;
      }
      await outbox.enqueue(trx, {
        kind: email,
        reviewId,
        letterId: null,
        template: email,
        to,
        cc: [],
        replyTo: current.dhrMailbox,
        ...(await templates.renderEmail(trx, email, model, markup)),
        attachLetter: false,
      });
    },

    /** Tells the team mailbox that an email was given up on. An alert that itself fails is not alerted again. */
    async deliveryFailed(trx: Conn, failed: OutboxRow): Promise<void> {
      if (failed.kind === 'delivery_failed') return;
      const current = await settings.get(trx);
      // A hand-off to the team mailbox that failed is reported to the DHR mailbox, which may still work.
      const team = teamMailboxOf(current);
      const alertTo = failed.to.includes(team) ? current.dhrMailbox : team;
      await outbox.enqueue(trx, {
        kind: 'delivery_failed',
        reviewId: failed.review_id,
        letterId: null,
        template: 'delivery_failed',
        to: [alertTo],
        cc: [],
        replyTo: current.dhrMailbox,
        ...(await templates.renderEmail(trx, 'delivery_failed', {
          subjectOfFailed: failed.subject,
          recipients: [...failed.to, ...failed.cc].join(', '),
          error: failed.last_error ?? '',
          attempts: failed.attempts,
          mailUrl: `${options.publicUrl}/mail/${failed.id}`,
        })),
        attachLetter: false,
      });
    },
  };
}

export type Notifications = ReturnType<typeof createNotifications>;
