import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { toIsoDate } from '../../core/clock';
import type { User } from '../../core/user';
import type { Effect } from '../../workflow/machine';
import type { Area, ReviewContext } from '../../workflow/types';
import type { Letters } from '../letters';
import type { Notifications } from '../notifications';
import type { ReviewRow } from './rows';

/** The effects the machine asks for, carried out in the event's transaction. */
export function createEffects(deps: { letters: Letters; notifications: Notifications }) {
  async function currentRound(conn: Knex | Knex.Transaction, reviewId: number, round: number) {
    return conn('rounds').where({ review_id: reviewId, number: round }).first();
  }

  async function insertItems(trx: Knex.Transaction, roundId: number, areas: Area[], now: Date) {
    if (areas.length === 0) return;
    await trx('revision_items').insert(
      areas.map((a, i) => ({
        round_id: roundId,
        position: i + 1,
        heading: a.heading || null,
        text: a.text,
        points: JSON.stringify(a.points ?? []),
        status: 'open',
        created_at: now,
        updated_at: now,
      })),
    );
  }

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
    },
  ): Promise<number | void> {
    switch (effect.type) {
      case 'startRound': {
        const [round] = await trx('rounds')
          .insert({
            review_id: review.id,
            number: effect.params.round,
            panel_meeting_id: effect.params.meetingId,
            outcome: effect.params.outcome,
            commendations: effect.params.commendations,
            recorded_by: ctx.user.id,
            recorded_at: ctx.now,
          })
          .returning('id');
        await insertItems(trx, round.id, effect.params.areas, ctx.now);
        await deps.letters.draft(trx, review.id, round.id, effect.params.outcome, ctx.now);
        return;
      }
      case 'amendRound': {
        const round = await currentRound(trx, review.id, effect.params.round);
        await trx('rounds').where({ id: round.id }).update({
          outcome: effect.params.outcome,
          commendations: effect.params.commendations,
          recorded_by: ctx.user.id,
          recorded_at: ctx.now,
        });
        // Nobody can have answered the items yet: the letter has not gone out.
        await trx('revision_items').where({ round_id: round.id }).delete();
        await insertItems(trx, round.id, effect.params.areas, ctx.now);
        await deps.letters.draft(trx, review.id, round.id, effect.params.outcome, ctx.now);
        return;
      }
      case 'sendLetter': {
        await trx('rounds')
          .where({ review_id: review.id, number: effect.params.round })
          .update({ letter_sent_at: ctx.now });
        await deps.letters.send(trx, review.id, effect.params.round, ctx.user.id, ctx.now);
        return;
      }
      case 'acknowledgeSubmission': {
        await deps.letters.issue(trx, 'acknowledgement', review.id, {
          userId: ctx.user.id,
          now: ctx.now,
          facts: { submittedOn: toIsoDate(ctx.now) },
        });
        return;
      }
      case 'confirmPublication': {
        const { publication } = ctx.next;
        await deps.letters.issue(trx, 'publication_confirmation', review.id, {
          userId: ctx.user.id,
          now: ctx.now,
          facts: { publishedOn: publication!.publishedOn, url: publication!.url },
        });
        return;
      }
      case 'notify': {
        await deps.notifications.handOff(trx, effect.params.email, review.id, {
          by: ctx.user,
          round: ctx.next.round,
          resubmitted: ctx.next.outcome === 'resubmit',
          publication: ctx.next.publication ?? undefined,
        });
        return;
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
