import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { z } from 'zod';
import type { Db } from '../db/connect';
import { MAX_ID } from '../http';
import { areaLabels } from '../letters/areas';
import type { HandOff } from '../workflow/machine';
import { ITEM_STATUS } from '../workflow/words';
import type { Notifications } from './notifications';
import {
  allowedEvents,
  apply,
  canAttachDocuments,
  removableDocuments,
  roleMaySend,
  stateLabel,
  type Effect,
} from '../workflow/lifecycle';
import {
  documentNamed,
  INITIAL_CONTEXT,
  STATES,
  type Area,
  type DocumentKind,
  type Facts,
  type ItemStatus,
  type ReviewContext,
  type ReviewEvent,
  type ReviewState,
} from '../workflow/types';
import type { User } from '../core/user';
import { isHomeOffice, visibleReviews } from '../core/scope';
import { toIso, toIsoDate, type Clock } from '../core/clock';
import { acceptDocument } from './documentTypes';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../core/errors';
import type { Letters } from './letters';
import { whereOverdue } from './overdue';
import type { SettingsService } from './settings';
import { isClientEventType, parseClientEvent, type ClientEvent } from './eventPayloads';
import { containing, documentKind, id, isoDate, oneLine, parse, printable, searchText, text } from '../core/validation';

interface ReviewRow {
  id: number;
  reference: string;
  csp_id: number;
  csp_name: string;
  pseudonym: string;
  year_of_death: number | null;
  notified_on: Date | string;
  state: ReviewState;
  context: ReviewContext;
  version: number;
  created_at: Date;
  updated_at: Date;
}

export interface Upload {
  kind: unknown;
  filename: string;
  bytes: Buffer;
}

const newReviewSchema = (today: string) =>
  z.strictObject({
    cspId: id.optional(),
    pseudonym: oneLine(printable(text(100))),
    yearOfDeath: z
      .number({ error: 'must be a year such as 2024' })
      .int({ error: 'must be a year such as 2024' })
      .min(1950, { error: 'must be 1950 or later' })
      .max(Number(today.slice(0, 4)), { error: 'must not be in the future' })
      .nullable()
      .optional(),
    notifiedOn: isoDate.refine((d) => d <= today, { error: 'must not be in the future' }).optional(),
  });

const listSchema = z.strictObject({
  state: z.enum(STATES, { error: `must be one of ${STATES.join(', ')}` }).optional(),
  cspId: z.coerce.number({ error: 'must be a whole number' }).pipe(id).optional(),
  meetingId: z.coerce.number({ error: 'must be a whole number' }).pipe(id).optional(),
  overdue: z
    .enum(['true', 'false'], { error: 'must be true or false' })
    .transform((v) => v === 'true')
    .optional(),
  q: searchText(100).optional(),
  limit: z.coerce
    .number()
    .int()
    .min(1, { error: 'must be between 1 and 1000' })
    .max(1000, { error: 'must be between 1 and 1000' })
    .default(100),
  offset: z.coerce
    .number()
    .int()
    .min(0, { error: 'must not be negative' })
    .max(MAX_ID, { error: 'is beyond the last review' })
    .default(0),
});

/** What the machine's guards read, from the review's documents and its current round's items. */
function factsOf(
  documents: { id: number; kind: string; uploaded_at: Date | string }[],
  items: { id: number; status: ItemStatus }[],
  meetingHeld: boolean,
): Facts {
  return {
    meetingHeld,
    documents: documents.map((d) => ({
      id: d.id,
      kind: d.kind as DocumentKind,
      uploadedAt: toIso(d.uploaded_at)!,
    })),
    items: items.map((i) => ({ id: i.id, status: i.status })),
  };
}

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

const capitalised = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

const SYSTEM_ACTOR = { email: null, name: 'DHR QA (automatic)', role: 'system' };

/**
 * Who did something, as the reader may know it. The Home Office sees names; a CSP or a PCC
 * sees "the QA Panel" or "the Home Office" for the panel and its secretariat, whose members'
 * names and addresses are theirs to keep. Reminders are sent by the service itself.
 */
function actorAs(reader: User, event: { email: string | null; name: string | null; role: string | null }) {
  if (!event.email) return SYSTEM_ACTOR;
  if (isHomeOffice(reader) || (event.role !== 'secretariat' && event.role !== 'panel')) {
    return { email: event.email, name: event.name, role: event.role };
  }
  return { email: null, name: event.role === 'panel' ? 'the QA Panel' : 'the Home Office', role: event.role };
}

/** Why a review was paused is shown outside the Home Office only when the secretariat chose to share it. */
/** Who sees what was corrected (removed documents, a detail's old value): the Home Office and the review's CSP. */
const mayReadCorrections = (reader: User) => isHomeOffice(reader) || reader.role === 'csp';

const reasonShown = (reader: User, event: { type: string; payload: { shareReason?: boolean } | null }) =>
  isHomeOffice(reader) || event.type !== 'PAUSE' || event.payload?.shareReason === true;

/** Keeps the audit trail free of report text while recording what decided the change. */
function auditPayload(
  event: ClientEvent | { type: 'ATTACH_DOCUMENT'; kind: string; filename: string; size: number; replaces?: number },
) {
  const { type: _type, expectedVersion: _v, ...rest } = event as Record<string, unknown>;
  return rest;
}

export function createReviews(
  db: Db,
  clock: Clock,
  deps: { maxUploadBytes: number; letters: Letters; settings: SettingsService; notifications: Notifications },
) {
  /** Reviews (`r`, with their CSP `c`) the user may see. */
  const reviewQuery = (conn: Knex | Knex.Transaction, user: User) =>
    visibleReviews(conn, user).select('r.*', 'c.name as csp_name');

  async function loadVisible(conn: Knex | Knex.Transaction, user: User, reviewId: number, lock = false) {
    const q = reviewQuery(conn, user).where('r.id', reviewId);
    if (lock) q.forUpdate('r');
    const row = (await q.first()) as ReviewRow | undefined;
    if (!row) throw new NotFoundError('No review with this id');
    return row;
  }

  async function currentRound(conn: Knex | Knex.Transaction, reviewId: number, round: number) {
    return conn('rounds').where({ review_id: reviewId, number: round }).first();
  }

  /** The guards' facts in one round trip: the documents, the items of the current round, whether its meeting was held. */
  async function loadFacts(conn: Knex | Knex.Transaction, review: ReviewRow): Promise<Facts> {
    const { rows } = await conn.raw(
      `select
         coalesce((select date <= :today from panel_meetings where id = :meetingId), false) as meeting_held,
         (select coalesce(json_agg(json_build_object('id', id, 'kind', kind, 'uploaded_at', uploaded_at)), '[]'::json)
            from documents where review_id = :id and removed_at is null) as documents,
         (select coalesce(json_agg(json_build_object('id', i.id, 'status', i.status) order by i.position), '[]'::json)
            from revision_items i join rounds ro on ro.id = i.round_id
           where ro.review_id = :id and ro.number = :round) as items`,
      {
        id: review.id,
        round: review.context.round,
        meetingId: review.context.meetingId ?? null,
        today: toIsoDate(clock.now()),
      },
    );
    return factsOf(rows[0].documents, rows[0].items, rows[0].meeting_held);
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
    const p = effect.params as Record<string, never>;
    switch (effect.type) {
      case 'startRound': {
        const [round] = await trx('rounds')
          .insert({
            review_id: review.id,
            number: p.round,
            panel_meeting_id: p.meetingId,
            outcome: p.outcome,
            commendations: p.commendations,
            recorded_by: ctx.user.id,
            recorded_at: ctx.now,
          })
          .returning('id');
        await insertItems(trx, round.id, p.areas, ctx.now);
        await deps.letters.draft(trx, review.id, round.id, p.outcome, ctx.now);
        return;
      }
      case 'amendRound': {
        const round = await currentRound(trx, review.id, p.round);
        await trx('rounds').where({ id: round.id }).update({
          outcome: p.outcome,
          commendations: p.commendations,
          recorded_by: ctx.user.id,
          recorded_at: ctx.now,
        });
        // Nobody can have answered the items yet: the letter has not gone out.
        await trx('revision_items').where({ round_id: round.id }).delete();
        await insertItems(trx, round.id, p.areas, ctx.now);
        await deps.letters.draft(trx, review.id, round.id, p.outcome, ctx.now);
        return;
      }
      case 'sendLetter': {
        await trx('rounds').where({ review_id: review.id, number: p.round }).update({ letter_sent_at: ctx.now });
        await deps.letters.send(trx, review.id, p.round, ctx.user.id, ctx.now);
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
        await deps.notifications.handOff(trx, p.email as HandOff, review.id, {
          by: ctx.user,
          round: ctx.next.round,
          resubmitted: ctx.next.outcome === 'resubmit',
          publication: ctx.next.publication ?? undefined,
        });
        return;
      }
      case 'updateItem': {
        const changes: Record<string, unknown> = { status: p.status, updated_at: ctx.now };
        if (p.status === 'addressed')
          Object.assign(changes, { response: p.response, report_reference: p.reportReference, note: null });
        if (p.status === 'returned') changes.note = p.note;
        if (p.status === 'accepted') changes.note = null;
        await trx('revision_items').where({ id: p.itemId }).update(changes);
        return;
      }
      case 'updateDetails': {
        await trx('reviews')
          .where({ id: review.id })
          .update({ pseudonym: p.pseudonym, year_of_death: p.yearOfDeath, notified_on: p.notifiedOn });
        return;
      }
      case 'removeDocument': {
        await trx('documents')
          .where({ id: p.documentId, review_id: review.id })
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
        if (p.replaces !== null)
          await trx('documents')
            .where({ id: p.replaces, review_id: review.id })
            .update({ removed_at: ctx.now, removed_by: ctx.user.id, replaced_by: doc.id });
        return doc.id as number;
      }
      default:
        throw new Error(`Unknown effect ${effect.type}`);
    }
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
      if (event.type === 'SEND_LETTER') await deps.letters.checkDeliverable(trx, review.id);
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

  /**
   * A review the user may see and everything its page shows, in one statement: at
   * national volume the seven queries this replaced cost more in network turns than
   * in work, and one statement reads one consistent moment. The parts come back as
   * JSON, so their timestamps arrive as ISO text. The CSP and the PCC see only sent letters.
   */
  async function loadView(user: User, reviewId: number) {
    const list = (select: string, order: string) =>
      `(select coalesce(json_agg(x order by ${order}), '[]'::json) from (${select}) x)`;
    const { rows } = await db.raw(
      `select v.*,
         ${list(
           `select ro.id, ro.number, ro.panel_meeting_id, ro.outcome, ro.commendations, ro.recorded_at,
                   ro.letter_sent_at, m.date as meeting_date
              from rounds ro left join panel_meetings m on m.id = ro.panel_meeting_id where ro.review_id = v.id`,
           'x.number',
         )} as rounds,
         ${list(
           `select i.*, ro.number from revision_items i join rounds ro on ro.id = i.round_id where ro.review_id = v.id`,
           'x.number, x.position',
         )} as items,
         ${list(
           'select id, kind, filename, content_type, size, uploaded_at, removed_at, replaced_by from documents where review_id = v.id',
           'x.id',
         )} as documents,
         ${list(
           `select e.id, e.type, e.from_state, e.to_state, e.at, e.payload, u.email, u.name, u.role
              from review_events e left join users u on u.id = e.actor_id where e.review_id = v.id`,
           'x.id',
         )} as history,
         (select json_build_object('id', id, 'date', date) from panel_meetings where id = v.meeting_id) as meeting,
         ${list(
           `select l.id, l.kind, ro.number as round, l.status, l.sent_at
              from letters l left join rounds ro on ro.id = l.round_id
             where l.review_id = v.id ${isHomeOffice(user) ? '' : "and l.status = 'sent'"}`,
           'x.id',
         )} as letters
       from (?) v`,
      [reviewQuery(db, user).where('r.id', reviewId)],
    );
    if (!rows[0]) throw new NotFoundError('No review with this id');
    // PGlite returns json columns parsed, as node-postgres does.
    return rows[0] as ReviewRow & {
      rounds: {
        id: number;
        number: number;
        panel_meeting_id: number | null;
        outcome: string;
        commendations: string;
        recorded_at: string;
        letter_sent_at: string | null;
        meeting_date: string | null;
      }[];
      items: {
        id: number;
        round_id: number;
        position: number;
        heading: string | null;
        text: string;
        points: string[] | null;
        status: ItemStatus;
        response: string | null;
        report_reference: string | null;
        note: string | null;
      }[];
      documents: {
        id: number;
        kind: DocumentKind;
        filename: string;
        content_type: string;
        size: number;
        uploaded_at: string;
        removed_at: string | null;
        replaced_by: number | null;
      }[];
      history: {
        type: string;
        from_state: string | null;
        to_state: string;
        at: string;
        payload: {
          reason?: string;
          shareReason?: boolean;
          itemId?: number;
          kind?: string;
          filename?: string;
          replacedFilename?: string;
          changes?: { field: string; from: string | number | null; to: string | number | null }[];
        } | null;
        email: string | null;
        name: string | null;
        role: string | null;
      }[];
      meeting: { id: number; date: string } | null;
      letters: { id: number; kind: string; round: number | null; status: string; sent_at: string | null }[];
    };
  }

  async function view(user: User, reviewId: number) {
    const {
      rounds,
      items,
      documents: allDocuments,
      history,
      meeting,
      letters,
      ...review
    } = await loadView(user, reviewId);
    // Removed and replaced documents are kept: listed apart, never counted for submission.
    const documents = allDocuments.filter((d) => d.removed_at === null);
    const removed = allDocuments.filter((d) => d.removed_at !== null);
    // The guards' facts come from the rows the page shows anyway.
    const currentRoundId = rounds.find((r) => r.number === review.context.round)?.id;
    const facts = factsOf(
      documents,
      items.filter((i) => i.round_id === currentRoundId),
      meeting !== null && toIsoDate(meeting.date) <= toIsoDate(clock.now()),
    );
    // Each item's label as its letter numbers it (1, 2a, 2b), so every page and email says the same.
    const removable = removableDocuments(review.state, review.context, user.role, facts);
    const labels = new Map<number, string>();
    for (const r of rounds) {
      const its = items.filter((i) => i.round_id === r.id);
      areaLabels(its.map((i) => ({ heading: i.heading, text: i.text, points: i.points ?? [] }))).forEach((label, k) =>
        labels.set(its[k]!.id, label),
      );
    }
    // "2a", or "2a of round 1" once there is more than one round.
    const numberOf = new Map(rounds.map((r) => [r.id, r.number]));
    const roundOf = new Map(items.map((i) => [i.id, numberOf.get(i.round_id)]));
    const itemLabel = (itemId: number) =>
      rounds.length > 1 ? `${labels.get(itemId)} of round ${roundOf.get(itemId)}` : labels.get(itemId)!;
    return {
      id: review.id,
      reference: review.reference,
      pseudonym: review.pseudonym,
      yearOfDeath: review.year_of_death,
      notifiedOn: toIsoDate(review.notified_on),
      csp: { id: review.csp_id, name: review.csp_name },
      state: review.state,
      stateText: capitalised(stateLabel(review.state)),
      version: review.version,
      allowedEvents: allowedEvents(review.state, review.context, user.role, facts),
      canAttachDocuments: canAttachDocuments(review.state, review.context, user.role, facts),
      meeting: meeting ? { id: meeting.id, date: toIsoDate(meeting.date) } : null,
      pausedFrom: review.context.pausedFrom,
      withdrawnFrom: review.context.withdrawnFrom ?? null,
      publication: review.context.publication,
      // The CSP and the PCC learn a round's outcome from its letter, not before.
      rounds: rounds
        .filter((r) => isHomeOffice(user) || r.letter_sent_at !== null)
        .map((r) => ({
          number: r.number,
          meeting: r.panel_meeting_id ? { id: r.panel_meeting_id, date: toIsoDate(r.meeting_date!) } : null,
          outcome: r.outcome,
          commendations: r.commendations,
          recordedAt: toIso(r.recorded_at),
          letterSentAt: toIso(r.letter_sent_at),
          items: items
            .filter((i) => i.round_id === r.id)
            .map((i) => ({
              id: i.id,
              position: i.position,
              heading: i.heading,
              text: i.text,
              points: i.points ?? [],
              label: labels.get(i.id)!,
              status: i.status,
              statusText: ITEM_STATUS[i.status],
              response: i.response,
              reportReference: i.report_reference,
              note: i.note,
            })),
        })),
      documents: documents.map((d) => ({
        id: d.id,
        kind: d.kind,
        filename: d.filename,
        contentType: d.content_type,
        size: d.size,
        uploadedAt: toIso(d.uploaded_at),
        // Whether this user may remove or replace it now (the machine's rule, per document).
        removable: removable.includes(d.id),
      })),
      // A document removed may be the wrong or an unredacted file: the Home Office and the CSP keep it, others do not see it.
      removedDocuments: (mayReadCorrections(user) ? removed : []).map((d) => ({
        id: d.id,
        kind: d.kind,
        filename: d.filename,
        uploadedAt: toIso(d.uploaded_at),
        removedAt: toIso(d.removed_at),
        replacedBy:
          d.replaced_by === null
            ? null
            : { id: d.replaced_by, filename: allDocuments.find((n) => n.id === d.replaced_by)!.filename },
      })),
      letters: letters.map((l) => ({
        id: l.id,
        kind: l.kind,
        round: l.round,
        status: l.status,
        sentAt: toIso(l.sent_at),
      })),
      history: history.map((h) => ({
        type: h.type,
        from: h.from_state,
        to: h.to_state,
        actor: actorAs(user, h),
        at: toIso(h.at),
        ...(h.payload?.reason && reasonShown(user, h) ? { reason: h.payload.reason } : {}),
        // What the event was about: the document, or the item as its letter numbers it (while the item exists).
        ...(h.payload?.filename
          ? {
              document: {
                kind: h.payload.kind,
                filename: h.payload.filename,
                ...(h.payload.replacedFilename ? { replaces: h.payload.replacedFilename } : {}),
              },
            }
          : {}),
        ...(h.payload?.itemId && labels.has(h.payload.itemId) ? { item: itemLabel(h.payload.itemId) } : {}),
        // What a detail was before is for the Home Office and the CSP: a name typed in error stays with them.
        ...(h.payload?.changes && mayReadCorrections(user) ? { changes: h.payload.changes } : {}),
      })),
      createdAt: toIso(review.created_at),
      updatedAt: toIso(review.updated_at),
    };
  }

  /**
   * The reviews in the user's scope that match the filters: state, CSP, the panel
   * meeting they are scheduled for, overdue (see overdue.ts) and `q`, part of the
   * reference or pseudonym in any case.
   */
  async function filtered(user: User, query: unknown, withTotal: boolean) {
    const filters = parse(listSchema, query);
    const q = reviewQuery(db, user);
    if (filters.state) q.where('r.state', filters.state);
    if (filters.cspId) q.where('r.csp_id', filters.cspId);
    if (filters.meetingId) q.where('r.meeting_id', filters.meetingId);
    if (filters.overdue) whereOverdue(q, clock.now(), await deps.settings.get());
    if (filters.q) {
      const pattern = containing(filters.q);
      q.where((w) => w.whereILike('r.reference', pattern).orWhereILike('r.pseudonym', pattern));
    }
    const total = withTotal
      ? Number((await q.clone().clearSelect().count<{ n: string | number }[]>('* as n'))[0]!.n)
      : undefined;
    const rows = (await q.orderBy('r.id', 'desc').limit(filters.limit).offset(filters.offset)) as ReviewRow[];
    return {
      total,
      rows: rows.map((r) => ({
        id: r.id,
        reference: r.reference,
        pseudonym: r.pseudonym,
        csp: { id: r.csp_id, name: r.csp_name },
        state: r.state,
        version: r.version,
        notifiedOn: toIsoDate(r.notified_on),
        updatedAt: toIso(r.updated_at),
      })),
    };
  }

  return {
    view,

    async create(user: User, input: unknown) {
      if (user.role !== 'secretariat' && user.role !== 'csp') {
        throw new ForbiddenError('Only a CSP or the panel secretariat can notify a review');
      }
      const today = toIsoDate(clock.now());
      const data = parse(newReviewSchema(today), input);
      const cspId = data.cspId ?? (user.role === 'csp' ? user.cspId! : undefined);
      if (cspId === undefined) throw ValidationError.field('cspId', 'is required');
      if (user.role === 'csp' && cspId !== user.cspId) {
        throw new ForbiddenError('You can only notify reviews for your own CSP');
      }
      if (!(await db('csps').where({ id: cspId }).first('id')))
        throw ValidationError.field('cspId', 'no CSP has this id');
      const now = clock.now();
      const reviewId = await db.transaction(async (trx) => {
        const year = now.getUTCFullYear();
        const { rows } = await trx.raw(
          `INSERT INTO reference_counters (year, last) VALUES (?, 1)
           ON CONFLICT (year) DO UPDATE SET last = reference_counters.last + 1 RETURNING last`,
          [year],
        );
        const reference = `DHR-${year}-${String(rows[0].last).padStart(4, '0')}`;
        const [row] = await trx('reviews')
          .insert({
            reference,
            csp_id: cspId,
            pseudonym: data.pseudonym,
            year_of_death: data.yearOfDeath ?? null,
            notified_on: data.notifiedOn ?? today,
            state: 'notified',
            context: JSON.stringify(INITIAL_CONTEXT),
            version: 1,
            created_by: user.id,
            created_at: now,
            updated_at: now,
          })
          .returning('id');
        await trx('review_events').insert({
          review_id: row.id,
          type: 'NOTIFY',
          payload: JSON.stringify({}),
          from_state: null,
          to_state: 'notified',
          actor_id: user.id,
          at: now,
        });
        return row.id as number;
      });
      return view(user, reviewId);
    },

    /** Summaries of the reviews the user may see, newest first; see `filtered` for the filters. */
    async list(user: User, query: unknown) {
      return (await filtered(user, query, false)).rows;
    },

    /** One page of the reviews that match the filters, with how many match in all. */
    async search(user: User, query: unknown) {
      const { rows, total } = await filtered(user, query, true);
      return { reviews: rows, total: total! };
    },

    async sendEvent(user: User, reviewId: number, input: unknown) {
      await runEvent(user, reviewId, () => {
        if (user.role === 'pcc') throw new ForbiddenError('PCC users can read reviews but not change them');
        // A role that may never send this type hears so before any detail of its payload.
        const type = (input as { type?: unknown } | null)?.type;
        if (typeof type === 'string' && isClientEventType(type) && !roleMaySend(user.role, type)) {
          throw new ForbiddenError(`Your role (${user.role}) cannot send ${type}`);
        }
        const event = parseClientEvent(input);
        // A report is published on a day that has come: a later date is a slip of the keyboard.
        if (event.type === 'RECORD_PUBLICATION' && event.publishedOn > toIsoDate(clock.now())) {
          throw ValidationError.field('publishedOn', 'must be today or in the past');
        }
        if (event.type === 'EDIT_DETAILS') {
          const today = toIsoDate(clock.now());
          if (event.notifiedOn > today) throw ValidationError.field('notifiedOn', 'must be today or in the past');
          if (event.yearOfDeath !== null && event.yearOfDeath > Number(today.slice(0, 4))) {
            throw ValidationError.field('yearOfDeath', 'must not be in the future');
          }
        }
        return event;
      });
      return view(user, reviewId);
    },

    /** Sends every draft letter of a meeting's reviews, each in its own transaction, and says how each went. */
    async sendMeetingLetters(user: User, meetingId: number) {
      if (user.role !== 'secretariat') throw new ForbiddenError('Only the panel secretariat can send letters');
      if (!(await db('panel_meetings').where({ id: meetingId }).first('id'))) {
        throw new NotFoundError('No panel meeting has this id');
      }
      const drafts = await db('letters as l')
        .join('rounds as ro', 'ro.id', 'l.round_id')
        .join('reviews as r', 'r.id', 'l.review_id')
        .where({ 'ro.panel_meeting_id': meetingId, 'l.status': 'draft' })
        .orderBy('r.reference')
        .select('r.id', 'r.reference', 'r.pseudonym', 'l.id as letter_id');
      const sent: { reviewId: number; reference: string; letterId: number }[] = [];
      const notSent: { reviewId: number; reference: string; error: string }[] = [];
      for (const d of drafts) {
        try {
          await runEvent(user, d.id, { type: 'SEND_LETTER' });
          sent.push({ reviewId: d.id, reference: d.reference, letterId: d.letter_id });
        } catch (err) {
          if (!(err instanceof ConflictError || err instanceof ValidationError)) throw err;
          notSent.push({ reviewId: d.id, reference: d.reference, error: err.message });
        }
      }
      return { sent, notSent };
    },

    /** Attaches a document, or (with `replaces`) a new version of one that was uploaded in error. */
    async attachDocument(user: User, reviewId: number, upload: Upload | null, replaces?: number) {
      await loadVisible(db, user, reviewId);
      if (!roleMaySend(user.role, 'ATTACH_DOCUMENT')) throw new ForbiddenError('Your role cannot attach documents');
      const kind = parse(z.strictObject({ kind: documentKind }), { kind: upload?.kind });
      if (replaces !== undefined) {
        const old = await db('documents')
          .where({ id: replaces, review_id: reviewId })
          .whereNull('removed_at')
          .first('kind');
        if (!old) throw new NotFoundError('No current document with this id');
        // A replacement is the same document, corrected: changing its kind would quietly lose one.
        if (old.kind !== kind.kind)
          throw ValidationError.field('kind', `must be ${old.kind}, the kind of the document it replaces`);
      }
      if (!upload || upload.bytes.length === 0) throw ValidationError.field('file', 'choose a file to upload');
      if (upload.bytes.length > deps.maxUploadBytes) {
        throw ValidationError.field('file', `must be at most ${Math.round(deps.maxUploadBytes / 1048576)} MB`);
      }
      const type = acceptDocument(upload.bytes, upload.filename);
      const { filename } = type;
      const { created } = await runEvent(
        user,
        reviewId,
        {
          type: 'ATTACH_DOCUMENT',
          kind: kind.kind,
          filename,
          size: upload.bytes.length,
          ...(replaces === undefined ? {} : { replaces }),
        },
        { kind: kind.kind, filename, contentType: type.contentType, bytes: upload.bytes },
      );
      return { id: created!, kind: kind.kind, filename, size: upload.bytes.length, contentType: type.contentType };
    },

    async document(user: User, reviewId: number, documentId: number) {
      await loadVisible(db, user, reviewId);
      const doc = await db('documents')
        .where({ review_id: reviewId, id: documentId })
        .modify((q) => {
          if (!mayReadCorrections(user)) q.whereNull('removed_at');
        })
        .first('filename', 'content_type', 'content');
      if (!doc) throw new NotFoundError('No document with this id');
      return {
        filename: doc.filename as string,
        contentType: doc.content_type as string,
        content: doc.content as Buffer,
      };
    },
  };
}

export type Reviews = ReturnType<typeof createReviews>;
