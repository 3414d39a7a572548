import type { Knex } from 'knex';
import type { Clock } from '../../core/clock';
import { toIsoDate } from '../../core/clock';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../core/errors';
import type { User } from '../../core/user';
import type { Db } from '../../db/connect';
import { apply } from '../../workflow/lifecycle';
import { isEventType, refusal } from '../../workflow/events';
import { documentNamed, type DocumentKind, type Facts, type ItemStatus, type ReviewEvent } from '../../workflow/types';
import type { ClientEvent } from '../eventPayloads';
import type { Letters } from '../letters';
import type { Notifications } from '../notifications';
import { createEffects } from './effects';
import { CLOCK_HISTORY_SQL, CLOCK_ROUNDS_SQL, clockSourceOf, dueColumns, sourceAfter } from '../../clocks/due';
import type { StageTargetsService } from '../../clocks/service';
import { factsOf, reviewQuery, type EventReads, type ReviewRow } from './rows';
import { RECIPIENTS_SQL, type LetterRow, type RecipientsRow } from '../letters';

/** What loadForEvent reads besides the review itself. */
interface EventRow {
  meeting_held: boolean;
  meeting_date: string | null;
  documents: { id: number; kind: string; filename: string; uploaded_at: string }[];
  round: {
    id: number;
    number: number;
    commendations: string;
    meeting_date: string | null;
    items: {
      id: number;
      status: ItemStatus;
      heading: string | null;
      text: string;
      points: string[] | null;
      note: string | null;
    }[];
    draft: LetterRow | null;
  } | null;
  recipients: RecipientsRow;
  published_on: string | null;
  distributed: string[];
  history: unknown;
  rounds: unknown;
}

/** The details an EDIT_DETAILS event changes, each with what it was and what it becomes. */
function detailChanges(
  review: ReviewRow,
  event: { pseudonym: string; yearOfDeath: number | null; notifiedOn: string },
): { field: string; from: string | number | null; to: string | number | null }[] {
  const fields = [
    { field: 'pseudonym', from: review.pseudonym, to: event.pseudonym },
    { field: 'yearOfDeath', from: review.year_of_death, to: event.yearOfDeath },
    { field: 'notifiedOn', from: review.notified_on, to: event.notifiedOn },
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
export function createEventEngine(
  db: Db,
  clock: Clock,
  deps: { letters: Letters; notifications: Notifications; stageTargets: StageTargetsService },
) {
  const { carryOut } = createEffects(deps);

  /**
   * The review, locked, with everything its event may need, in one round trip: the guards'
   * facts (documents, the current round's items, the meeting, the letters' readers) and what
   * the effects write from (the recipients of its letters, the current round and its draft).
   */
  async function loadForEvent(trx: Knex.Transaction, user: User, reviewId: number) {
    const meeting = `(select m.date from panel_meetings m where m.id = (r.context->>'meetingId')::int)`;
    const row = (await reviewQuery(trx, user)
      .where('r.id', reviewId)
      .forUpdate('r')
      .select(
        trx.raw(`coalesce(${meeting} <= ?::date, false) as meeting_held`, [toIsoDate(clock.now())]),
        trx.raw(`${meeting} as meeting_date`),
        trx.raw(
          `(select coalesce(json_agg(json_build_object('id', d.id, 'kind', d.kind, 'filename', d.filename,
               'uploaded_at', d.uploaded_at)), '[]'::json)
              from documents d where d.review_id = r.id and d.removed_at is null) as documents`,
        ),
        trx.raw(
          `(select json_build_object('id', ro.id, 'number', ro.number, 'commendations', ro.commendations,
               'meeting_date', m.date,
               'items', (select coalesce(json_agg(json_build_object('id', i.id, 'status', i.status, 'heading', i.heading,
                           'text', i.text, 'points', i.points, 'note', i.note) order by i.position), '[]'::json)
                           from revision_items i where i.round_id = ro.id),
               'draft', (select row_to_json(l) from letters l where l.round_id = ro.id and l.status = 'draft'))
              from rounds ro left join panel_meetings m on m.id = ro.panel_meeting_id
             where ro.review_id = r.id and ro.number = (r.context->>'round')::int
             order by ro.id desc limit 1) as round`,
        ),
        trx.raw(`${RECIPIENTS_SQL('r.id')} as recipients`),
        // What its clocks are measured from, so the event can keep its due day.
        trx.raw(`r.context->'publication'->>'publishedOn' as published_on`),
        trx.raw(`${CLOCK_HISTORY_SQL} as history`),
        trx.raw(`${CLOCK_ROUNDS_SQL} as rounds`),
        trx.raw(
          `(select coalesce(json_agg(distinct d.recipient), '[]'::json) from distribution_entries d
             where d.review_id = r.id) as distributed`,
        ),
      )
      .first()) as (ReviewRow & EventRow) | undefined;
    if (!row) throw new NotFoundError('No review with this id');
    const {
      meeting_held,
      meeting_date,
      documents,
      round,
      recipients,
      published_on,
      history,
      rounds,
      distributed,
      ...review
    } = row;
    const clockSource = clockSourceOf({ ...review, published_on, history, rounds });
    const items = round?.items ?? [];
    const facts = factsOf({ documents, items, meetingHeld: meeting_held, recipients, distributed });
    const reads: EventReads = {
      recipients,
      meetingDate: meeting_date ?? undefined,
      round: round
        ? {
            id: round.id,
            number: round.number,
            commendations: round.commendations,
            meetingDate: round.meeting_date ?? undefined,
            items: items.map(({ heading, text, points, note, status }) => ({
              heading,
              text,
              points: points ?? [],
              note,
              status,
            })),
            draft: round.draft,
          }
        : null,
      documents,
    };
    return { review: review as ReviewRow, facts, reads, clockSource };
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
   * Applies one event in one transaction, judged in this order: is the review there for this
   * user (404), may this role ever send this type (403, the one role check, from the event
   * catalogue), is the payload right (`read`, 422), is the version current (409), and would
   * the machine take it now (409).
   */
  async function runEvent(
    user: User,
    reviewId: number,
    type: unknown,
    read: (trx: Knex.Transaction) => RunnableEvent | Promise<RunnableEvent>,
    /** The file an upload stores, known once `read` has accepted it. */
    upload?: () => { kind: string; filename: string; contentType: string; bytes: Buffer },
  ) {
    return db.transaction(async (trx) => {
      const { review, facts, reads, clockSource } = await loadForEvent(trx, user, reviewId);
      // An unknown type is the payload's error: `read` names the field.
      const refused = typeof type === 'string' && isEventType(type) ? refusal(user.role, type) : null;
      if (refused) throw new ForbiddenError(refused);
      const event = await read(trx);
      if (event.expectedVersion !== undefined && event.expectedVersion !== review.version) {
        throw new ConflictError(
          `The review has changed since you read it (you sent version ${event.expectedVersion}, it is now at ${review.version}); reload it and try again`,
        );
      }
      if (event.type !== 'ATTACH_DOCUMENT') await checkReferences(trx, review, event, facts);
      // The history names the document removed or replaced, not only its id.
      const named = documentNamed(event);
      const namedDocument =
        named === undefined
          ? undefined
          : (reads.documents.find((d) => d.id === named) ??
            (await trx('documents').where({ id: named, review_id: review.id }).first('filename', 'kind')));
      const now = clock.now();
      const { expectedVersion: _v, ...payload } = event;
      const result = apply(review.state, review.context, { ...payload, at: now.toISOString(), facts } as ReviewEvent);
      if (!result.ok) throw new ConflictError(result.reason);
      const due = await deps.stageTargets.dueFor(
        sourceAfter(
          clockSource,
          {
            from: review.state,
            to: result.state,
            at: now.toISOString(),
            category: event.type === 'PAUSE' ? event.category : null,
            notifiedOn: event.type === 'EDIT_DETAILS' ? event.notifiedOn : review.notified_on,
          },
          result.context,
          reads.meetingDate ?? null,
        ),
        trx,
      );
      // The review's new state and its event in the history, in one statement.
      const { rows: recorded } = await trx.raw(
        `with updated as (
           update reviews set state = ?, context = ?::jsonb, version = ?::int, updated_at = ?::timestamptz,
                              clock_stage = ?::text, clock_started_on = ?::date, clock_due_on = ?::date,
                              clock_overdue_from = ?::date
            where id = ?::int and version = ?::int
           returning id)
         insert into review_events (review_id, type, payload, from_state, to_state, actor_id, at)
         select id, ?::text, ?::jsonb, ?::text, ?::text, ?::int, ?::timestamptz from updated
         returning id`,
        [
          result.state,
          JSON.stringify(result.context),
          review.version + 1,
          now,
          ...Object.values(dueColumns(due)),
          review.id,
          review.version,
          event.type,
          JSON.stringify({
            ...auditPayload(event),
            ...(namedDocument && event.type === 'REMOVE_DOCUMENT'
              ? { filename: namedDocument.filename, kind: namedDocument.kind }
              : {}),
            ...(namedDocument && event.type === 'ATTACH_DOCUMENT' ? { replacedFilename: namedDocument.filename } : {}),
            // What the details were and became, so the history says what was corrected.
            ...(event.type === 'EDIT_DETAILS' ? { changes: detailChanges(review, event) } : {}),
          }),
          review.state,
          result.state,
          user.id,
          now,
        ],
      );
      if (recorded.length !== 1)
        throw new ConflictError('The review was changed by someone else at the same time; reload it and try again');
      let created: number | undefined;
      for (const effect of result.effects)
        created =
          (await carryOut(trx, review, effect, { user, now, next: result.context, upload: upload?.(), reads })) ??
          created;
      return { created };
    });
  }

  return { runEvent };
}
