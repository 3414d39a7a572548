import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { toIsoDate } from '../../core/clock';
import type { User } from '../../core/user';
import type { Effect } from '../../workflow/machine';
import type { Area, ReviewContext } from '../../workflow/types';
import { recipientsOf, type Letters } from '../letters';
import { decisionLetter } from '../../intake/decisions';
import type { Notifications } from '../notifications';
import type { EventReads, ReviewRow } from './rows';

/** The effects the machine asks for, carried out in the event's transaction. */
export function createEffects(deps: { letters: Letters; notifications: Notifications }) {
  /** The round's areas as rows of revision_items, for an insert that reads them as JSON (jsonb_to_recordset). */
  const itemsJson = (areas: Area[]) =>
    JSON.stringify(
      areas.map((a, i) => ({ position: i + 1, heading: a.heading || null, text: a.text, points: a.points ?? [] })),
    );
  const ITEMS_FROM_JSON = `jsonb_to_recordset(?::jsonb) as a(position int, heading text, text text, points jsonb)`;

  /** Carries out one effect the machine asked for, inside the event's transaction. */
  async function carryOut(
    trx: Knex.Transaction,
    review: ReviewRow,
    effect: Effect,
    ctx: {
      user: User;
      now: Date;
      next: ReviewContext;
      upload?: { kind: string; filename: string; contentType: string; bytes: Buffer };
      /** What the event read with its review: who its letters go to, its current round, its documents. */
      reads: EventReads;
    },
  ): Promise<number | void> {
    const { reads } = ctx;
    const who = () => recipientsOf(reads.recipients);
    switch (effect.type) {
      case 'startRound': {
        // The round and its areas in one statement.
        const { rows } = await trx.raw(
          `with round as (
             insert into rounds (review_id, number, panel_meeting_id, outcome, commendations, recorded_by, recorded_at)
             values (?, ?, ?, ?, ?, ?, ?) returning id),
           items as (
             insert into revision_items (round_id, position, heading, text, points, status, created_at, updated_at)
             select round.id, a.position, a.heading, a.text, a.points, 'open', ?::timestamptz, ?::timestamptz
               from round cross join ${ITEMS_FROM_JSON})
           select id from round`,
          [
            review.id,
            effect.params.round,
            effect.params.meetingId,
            effect.params.outcome,
            effect.params.commendations,
            ctx.user.id,
            ctx.now,
            ctx.now,
            ctx.now,
            itemsJson(effect.params.areas),
          ],
        );
        const roundId = rows[0].id as number;
        await deps.letters.draft(trx, review.id, roundId, effect.params.outcome, ctx.now, {
          who: who(),
          // A round just begun has no letter yet; the meeting is the one the review was scheduled for.
          draft: null,
          round: {
            id: roundId,
            number: effect.params.round,
            commendations: effect.params.commendations,
            meetingDate: reads.meetingDate,
            items: [],
          },
        });
        return;
      }
      case 'amendRound': {
        // The round corrected and its areas replaced (the old ones first), in one statement. Nobody
        // can have answered the items yet: the letter has not gone out.
        const { rows } = await trx.raw(
          `with round as (
             update rounds set outcome = ?, commendations = ?, recorded_by = ?, recorded_at = ?
              where review_id = ? and number = ? returning id, number),
           gone as (delete from revision_items where round_id in (select id from round) returning 1),
           items as (
             insert into revision_items (round_id, position, heading, text, points, status, created_at, updated_at)
             select round.id, a.position, a.heading, a.text, a.points, 'open', ?::timestamptz, ?::timestamptz
               from round cross join ${ITEMS_FROM_JSON}
              where (select count(*) from gone) >= 0)
           select id, number from round`,
          [
            effect.params.outcome,
            effect.params.commendations,
            ctx.user.id,
            ctx.now,
            review.id,
            effect.params.round,
            ctx.now,
            ctx.now,
            itemsJson(effect.params.areas),
          ],
        );
        const roundId = rows[0].id as number;
        const known = reads.round?.id === roundId ? reads.round : null;
        await deps.letters.draft(trx, review.id, roundId, effect.params.outcome, ctx.now, {
          who: who(),
          ...(known ? { draft: known.draft, round: { ...known, commendations: effect.params.commendations } } : {}),
        });
        return;
      }
      case 'sendLetter': {
        // Marks the round's letter sent, freezes the draft and queues its email.
        const round = reads.round?.number === effect.params.round ? reads.round : undefined;
        await deps.letters.send(trx, review.id, effect.params.round, ctx.user.id, ctx.now, {
          who: who(),
          ...(round ? { round, draft: round.draft } : {}),
        });
        return;
      }
      case 'acknowledgeSubmission': {
        await deps.letters.issue(trx, 'acknowledgement', review.id, {
          userId: ctx.user.id,
          now: ctx.now,
          facts: { submittedOn: toIsoDate(ctx.now) },
          who: who(),
        });
        return;
      }
      case 'confirmPublication': {
        const { publication } = ctx.next;
        await deps.letters.issue(trx, 'publication_confirmation', review.id, {
          userId: ctx.user.id,
          now: ctx.now,
          facts: { publishedOn: publication!.publishedOn, url: publication!.url },
          who: who(),
        });
        return;
      }
      case 'notify': {
        const round = reads.round?.number === ctx.next.round ? reads.round : undefined;
        await deps.notifications.handOff(
          trx,
          effect.params.email,
          review.id,
          {
            by: ctx.user,
            round: ctx.next.round,
            resubmitted: ctx.next.outcome === 'resubmit',
            publication: ctx.next.publication ?? undefined,
          },
          {
            review: {
              reference: review.reference,
              pseudonym: review.pseudonym,
              csp_name: review.csp_name,
              contacts: reads.recipients.contacts,
            },
            ...(round ? { items: round.items } : {}),
          },
        );
        return;
      }
      case 'recordDecision': {
        await trx('reviews').where({ id: review.id }).update({
          decision: effect.params.decision,
          decision_reason: effect.params.reason,
          decided_at: ctx.now,
          decided_by: ctx.user.id,
        });
        return;
      }
      case 'recordPanelView': {
        await trx('reviews').where({ id: review.id }).update({
          panel_view: effect.params.view,
          panel_view_comments: effect.params.comments,
          panel_view_meeting_id: effect.params.meetingId,
          panel_view_at: ctx.now,
          panel_view_by: ctx.user.id,
        });
        return;
      }
      case 'sendDecisionLetter': {
        // Written and sent at once, from the view and comments the panel recorded, copied to the PCC.
        const letter = decisionLetter({
          decidedAt: review.decided_at,
          meetingDate: reads.meetingDate,
          view: effect.params.view,
          comments: review.panel_view_comments,
        });
        return deps.letters.issue(trx, 'review_decision', review.id, {
          userId: ctx.user.id,
          now: ctx.now,
          ...letter,
          who: who(),
        });
      }
      case 'updateItem': {
        const changes: Record<string, unknown> = { status: effect.params.status, updated_at: ctx.now };
        if (effect.params.status === 'addressed')
          Object.assign(changes, {
            response: effect.params.response,
            report_reference: effect.params.reportReference,
            note: null,
          });
        if (effect.params.status === 'returned') changes.note = effect.params.note;
        if (effect.params.status === 'accepted') changes.note = null;
        await trx('revision_items').where({ id: effect.params.itemId }).update(changes);
        return;
      }
      case 'updateDetails': {
        await trx('reviews').where({ id: review.id }).update({
          pseudonym: effect.params.pseudonym,
          year_of_death: effect.params.yearOfDeath,
          notified_on: effect.params.notifiedOn,
        });
        return;
      }
      case 'removeDocument': {
        await trx('documents')
          .where({ id: effect.params.documentId, review_id: review.id })
          .update({ removed_at: ctx.now, removed_by: ctx.user.id });
        return;
      }
      case 'storeDocument': {
        const upload = ctx.upload!;
        const [doc] = await trx('documents')
          .insert({
            review_id: review.id,
            kind: upload.kind,
            filename: upload.filename,
            content_type: upload.contentType,
            size: upload.bytes.length,
            sha256: crypto.createHash('sha256').update(upload.bytes).digest('hex'),
            content: upload.bytes,
            uploaded_by: ctx.user.id,
            uploaded_at: ctx.now,
          })
          .returning('id');
        // The document it replaces stays, marked, for the history: nothing uploaded is ever deleted.
        if (effect.params.replaces !== null)
          await trx('documents')
            .where({ id: effect.params.replaces, review_id: review.id })
            .update({ removed_at: ctx.now, removed_by: ctx.user.id, replaced_by: doc.id });
        return doc.id as number;
      }
      default: {
        const unknown: never = effect;
        throw new Error(`Unknown effect ${(unknown as { type: string }).type}`);
      }
    }
  }

  return { carryOut };
}
