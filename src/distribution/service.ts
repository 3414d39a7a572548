import { z } from 'zod';
import type { Db } from '../db/connect';
import type { Clock } from '../core/clock';
import { dayOf } from '../clocks/days';
import { longDate } from '../core/dates';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../core/errors';
import { visibleReviews } from '../core/scope';
import type { User } from '../core/user';
import { isoDate, parse, text } from '../core/validation';
import type { Outbox } from '../mail/outbox';
import type { HouseTemplates } from '../services/houseTemplates';
import { RECIPIENTS_SQL, type RecipientsRow } from '../services/letters';
import type { SettingsService } from '../services/settings';
import type { ReviewContext } from '../workflow/types';
import { EMAILABLE, RECIPIENT_NAMES, RECIPIENTS, type Recipient } from './recipients';

const entrySchema = z.strictObject({
  recipient: z.enum(RECIPIENTS, { error: `must be one of ${RECIPIENTS.join(', ')}` }),
  how: z.enum(['email', 'note'], { error: 'must be email or note' }),
  sentOn: isoDate.optional(),
  note: text(2000).optional(),
});

/** The states the list is kept in; once closed it is final. */
const OPEN_STATES = ['approved', 'published'];

/**
 * The distribution list of a review's final report: the CSP (or the secretariat for it) records
 * that it reached each recipient, with the day and the evidence. The Home Office, the
 * Commissioner and the PCC can be sent it from here, by email with the weblink, once the report
 * is published (the email is the evidence); the family and the DHR Library listing are recorded
 * with a note. A recipient's newest entry counts; each is also a line of the review's history.
 */
export function createDistribution(
  db: Db,
  clock: Clock,
  deps: { settings: SettingsService; outbox: Outbox; templates: HouseTemplates },
) {
  return {
    async record(user: User, reviewId: number, input: unknown): Promise<{ recipient: Recipient; changed: boolean }> {
      if (user.role !== 'csp' && user.role !== 'secretariat') {
        throw new ForbiddenError('Only the CSP and the panel secretariat record where the final report went');
      }
      const data = parse(entrySchema, input);
      // Days as they fell in England and Wales, as the stage clocks count them.
      const today = dayOf(clock.now());
      // A copy sent another way needs both its date and its note: every one missing is named at once.
      const missing = [
        ...(data.how === 'note' && !data.sentOn ? [{ field: 'sentOn', message: 'is required' }] : []),
        ...(data.how === 'note' && !data.note ? [{ field: 'note', message: 'is required: say how it was sent' }] : []),
      ];
      if (missing.length) throw new ValidationError(missing);
      if (data.how === 'email' && !EMAILABLE.includes(data.recipient)) {
        throw ValidationError.field(
          'how',
          'an email can go only to the Home Office, the Domestic Abuse Commissioner or the PCC: record this one with a note',
        );
      }
      const sentOn = data.how === 'email' ? today : data.sentOn!;
      if (sentOn > today) throw ValidationError.field('sentOn', 'must not be in the future');

      return db.transaction(async (trx) => {
        const review = await visibleReviews(trx, user)
          .where('r.id', reviewId)
          .forUpdate('r')
          .first(
            'r.id',
            'r.state',
            'r.context',
            trx.raw(`${RECIPIENTS_SQL('r.id')} as recipients`),
            trx.raw(`(select max(e.at) from review_events e where e.review_id = r.id and e.to_state = 'approved'
                        and e.from_state is distinct from e.to_state) as approved_at`),
          );
        if (!review) throw new NotFoundError('No review with this id');
        if (review.state === 'closed') throw new ConflictError('The review is closed: its distribution list is final');
        if (!OPEN_STATES.includes(review.state)) {
          throw new ConflictError('The distribution list is kept once the review is approved for publication');
        }
        const approvedOn = review.approved_at ? dayOf(review.approved_at) : null;
        if (approvedOn && sentOn < approvedOn) {
          throw ValidationError.field(
            'sentOn',
            `must be on or after the day the review was approved (${longDate(approvedOn)})`,
          );
        }
        // The same entry again (a form sent twice) records nothing and sends nothing. Read once the
        // review is locked, not in the statement that locked it: a statement that waited for the lock
        // still sees the tables as they were when it began, without an identical entry made meanwhile.
        const newest = (await trx('distribution_entries')
          .where({ review_id: review.id, recipient: data.recipient })
          .orderBy('id', 'desc')
          .first('how', 'sent_on', 'note')) as { how: string; sent_on: string; note: string | null } | undefined;
        if (
          newest &&
          newest.how === data.how &&
          newest.sent_on === sentOn &&
          (newest.note ?? '') === (data.note ?? '')
        ) {
          return { recipient: data.recipient, changed: false };
        }
        const outboxId =
          data.how === 'email'
            ? await sendCopy(
                trx,
                review as { id: number; context: ReviewContext; recipients: RecipientsRow },
                data.recipient,
              )
            : null;
        const now = clock.now();
        await trx('distribution_entries').insert({
          review_id: review.id,
          recipient: data.recipient,
          sent_on: sentOn,
          how: data.how,
          outbox_id: outboxId,
          note: data.how === 'note' ? data.note : null,
          recorded_by: user.id,
          recorded_at: now,
        });
        // The history says who recorded what and when; the note stays in the list, not the audit.
        await trx('review_events').insert({
          review_id: review.id,
          type: 'DISTRIBUTION_RECORDED',
          payload: JSON.stringify({ recipient: data.recipient, how: data.how, sentOn }),
          from_state: review.state,
          to_state: review.state,
          actor_id: user.id,
          at: now,
        });
        return { recipient: data.recipient, changed: true };
      });

      async function sendCopy(
        trx: Parameters<Parameters<Db['transaction']>[0]>[0],
        review: { id: number; context: ReviewContext; recipients: RecipientsRow },
        recipient: Recipient,
      ): Promise<number> {
        const publication = review.context.publication;
        if (!publication) {
          throw new ConflictError(
            'The report is not published yet: the email carries its weblink. Record a copy sent another way with a note.',
          );
        }
        const settings = await deps.settings.get(trx);
        const who = review.recipients;
        const address =
          recipient === 'home_office'
            ? settings.dhrMailbox
            : recipient === 'commissioner'
              ? settings.commissionerMailbox
              : who.pcc_email;
        if (!address) {
          throw new ConflictError(
            recipient === 'commissioner'
              ? 'No mailbox is set for the Domestic Abuse Commissioner (Administration, Settings): set it, or record the copy with a note'
              : `The ${who.area} police force area has no PCC email address: add it, or record the copy with a note`,
          );
        }
        const replyTo = who.contacts[0]?.email ?? settings.dhrMailbox;
        const rendered = await deps.templates.renderEmail(trx, 'final_report_copy', {
          reference: who.reference,
          pseudonym: who.pseudonym,
          cspName: who.csp_name,
          publishedOn: longDate(publication.publishedOn, settings.dateStyle),
          url: publication.url,
          recipientName: RECIPIENT_NAMES[recipient].name.replace(/^The /, 'the '),
          replyTo,
        });
        return deps.outbox.enqueue(trx, {
          kind: 'final_report_copy',
          reviewId: review.id,
          letterId: null,
          template: 'final_report_copy',
          to: [address],
          cc: [],
          replyTo,
          ...rendered,
          attachLetter: false,
        });
      }
    },
  };
}

export type Distribution = ReturnType<typeof createDistribution>;
