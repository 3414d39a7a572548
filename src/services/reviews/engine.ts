import type { Knex } from 'knex';
import type { Clock } from '../../core/clock';
import { toIsoDate } from '../../core/clock';
import { ConflictError, ForbiddenError, ValidationError } from '../../core/errors';
import type { User } from '../../core/user';
import type { Db } from '../../db/connect';
import { apply, roleMaySend } from '../../workflow/lifecycle';
import { documentNamed, type DocumentKind, type Facts, type ReviewEvent } from '../../workflow/types';
import type { ClientEvent } from '../eventPayloads';
import type { Letters } from '../letters';
import type { Notifications } from '../notifications';
import { createEffects } from './effects';
import { DELIVERY_SQL, factsOf, loadVisible, type ReviewRow } from './rows';

/** The details an EDIT_DETAILS event changes, each with what it was and what it becomes. */
function detailChanges(
  review: ReviewRow,
  event: { pseudonym: string; yearOfDeath: number | null; notifiedOn: string },
): { field: string; from: string | number | null; to: string | number | null }[] {
  const fields = [
    { field: 'pseudonym', from: review.pseudonym, to: event.pseudonym },
    { field: 'yearOfDeath', from: review.year_of_death, to: event.yearOfDeath },
    { field: 'notifiedOn', from: toIsoDate(review.notified_on), to: event.notifiedOn },
  ];
  return fields.filter((f) => f.from !== f.to);
}

/** Keeps the audit trail free of report text while recording what decided the change. */
function auditPayload(
  event: ClientEvent | { type: 'ATTACH_DOCUMENT'; kind: string; filename: string; size: number; replaces?: number },
) {
  const { type: _type, expectedVersion: _v, ...rest } = event as Record<string, unknown>;
  return rest;
}

/** Runs the review's events: one event, one transaction, through the pure machine. */
export function createEventEngine(db: Db, clock: Clock, deps: { letters: Letters; notifications: Notifications }) {
  const { carryOut } = createEffects(deps);

  /** The guards' facts in one round trip: documents, the current round's items, the meeting, the letters' readers. */
  async function loadFacts(conn: Knex | Knex.Transaction, review: ReviewRow): Promise<Facts> {
    const { rows } = await conn.raw(
      `select
         coalesce((select date <= :today from panel_meetings where id = :meetingId), false) as meeting_held,
         ${DELIVERY_SQL(':cspId')} as delivery,
         (select coalesce(json_agg(json_build_object('id', id, 'kind', kind, 'uploaded_at', uploaded_at)), '[]'::json)
            from documents where review_id = :id and removed_at is null) as documents,
         (select coalesce(json_agg(json_build_object('id', i.id, 'status', i.status) order by i.position), '[]'::json)
            from revision_items i join rounds ro on ro.id = i.round_id
           where ro.review_id = :id and ro.number = :round) as items`,
      {
        id: review.id,
        cspId: review.csp_id,
        round: review.context.round,
        meetingId: review.context.meetingId ?? null,
        today: toIsoDate(clock.now()),
      },
    );
    const [row] = rows;
    return factsOf({
      documents: row.documents,
      items: row.items,
      meetingHeld: row.meeting_held,
      delivery: row.delivery,
    });
  }

  /** Checks what the machine cannot know: that the meeting and the item exist. */
  async function checkReferences(trx: Knex.Transaction, review: ReviewRow, event: ClientEvent, facts: Facts) {
    if (event.type === 'SCHEDULE' && !(await trx('panel_meetings').where({ id: event.meetingId }).first('id'))) {
      throw ValidationError.field('meetingId', 'no panel meeting has this id');
    }
    if ('itemId' in event && !facts.items.some((i) => i.id === event.itemId)) {
      throw ValidationError.field('itemId', `is not a revision item of round ${review.context.round} of this review`);
    }
    if (event.type === 'REMOVE_DOCUMENT' && !facts.documents.some((d) => d.id === event.documentId)) {
      throw ValidationError.field('documentId', 'is not a current document of this review');
    }
    if (event.type === 'EDIT_DETAILS' && detailChanges(review, event).length === 0) {
      throw ValidationError.field('body', 'Nothing was changed: the details are as they were');
    }
    // A draft letter's paragraphs already name the review: changing the name now would send a letter with both.
    if (event.type === 'EDIT_DETAILS' && review.state === 'letter_pending' && event.pseudonym !== review.pseudonym) {
      throw new ConflictError(
        "The pseudonym cannot change while the feedback letter is a draft, because the draft already uses it. Change it in the letter's paragraphs and send the letter, then correct the pseudonym here.",
      );
    }
  }

  /**
   * One event, one transaction: lock the review, run the pure machine, update the
   * row under a version check, append the audit event and carry out the effects.
   */
  type RunnableEvent =
    | ClientEvent
    | {
        type: 'ATTACH_DOCUMENT';
        kind: DocumentKind;
        filename: string;
        size: number;
        replaces?: number;
        expectedVersion?: number;
      };

  /**
   * Applies one event in one transaction. `input` may be a function that reads the
   * event from what the client sent: it runs once the review is known to be visible,
   * so an unknown review is a 404 before any detail of the payload is judged.
   */
  async function runEvent(
    user: User,
    reviewId: number,
    input: RunnableEvent | (() => RunnableEvent),
    upload?: { kind: string; filename: string; contentType: string; bytes: Buffer },
  ) {
    return db.transaction(async (trx) => {
      const review = await loadVisible(trx, user, reviewId, true);
      if (typeof input === 'function') input = input();
      const event = input;
      if (!roleMaySend(user.role, event.type)) {
        throw new ForbiddenError(
          event.type === 'ATTACH_DOCUMENT'
            ? 'Your role cannot attach documents'
            : `Your role (${user.role}) cannot send ${event.type}`,
        );
      }
      if (event.expectedVersion !== undefined && event.expectedVersion !== review.version) {
        throw new ConflictError(
          `The review has changed since you read it (you sent version ${event.expectedVersion}, it is now at ${review.version}); reload it and try again`,
        );
      }
      const facts = await loadFacts(trx, review);
      if (event.type !== 'ATTACH_DOCUMENT') await checkReferences(trx, review, event, facts);
      // The history names the document removed or replaced, not only its id.
      const named = documentNamed(event);
      const namedDocument =
        named === undefined
          ? undefined
          : await trx('documents').where({ id: named, review_id: review.id }).first('filename', 'kind');
      const now = clock.now();
      const { expectedVersion: _v, ...payload } = event;
      const result = apply(review.state, review.context, { ...payload, at: now.toISOString(), facts } as ReviewEvent);
      if (!result.ok) throw new ConflictError(result.reason);
      const updated = await trx('reviews')
        .where({ id: review.id, version: review.version })
        .update({
          state: result.state,
          context: JSON.stringify(result.context),
          version: review.version + 1,
          updated_at: now,
        });
      if (updated !== 1)
        throw new ConflictError('The review was changed by someone else at the same time; reload it and try again');
      await trx('review_events').insert({
        review_id: review.id,
        type: event.type,
        payload: JSON.stringify({
          ...auditPayload(event),
          ...(namedDocument && event.type === 'REMOVE_DOCUMENT'
            ? { filename: namedDocument.filename, kind: namedDocument.kind }
            : {}),
          ...(namedDocument && event.type === 'ATTACH_DOCUMENT' ? { replacedFilename: namedDocument.filename } : {}),
          // What the details were and became, so the history says what was corrected.
          ...(event.type === 'EDIT_DETAILS' ? { changes: detailChanges(review, event) } : {}),
        }),
        from_state: review.state,
        to_state: result.state,
        actor_id: user.id,
        at: now,
      });
      let created: number | undefined;
      for (const effect of result.effects)
        created = (await carryOut(trx, review, effect, { user, now, next: result.context, upload })) ?? created;
      return { created };
    });
  }

  return { runEvent };
}
