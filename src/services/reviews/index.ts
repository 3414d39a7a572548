import { z } from 'zod';
import { toIsoDate, type Clock } from '../../core/clock';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../core/errors';
import type { User } from '../../core/user';
import { documentKind, parse } from '../../core/validation';
import type { Db } from '../../db/connect';
import { INITIAL_CONTEXT, type DocumentKind } from '../../workflow/types';
import { acceptDocument } from '../documentTypes';
import { isClientEventType, parseClientEvent } from '../eventPayloads';
import type { Letters } from '../letters';
import type { Notifications } from '../notifications';
import type { SettingsService } from '../settings';
import type { StageTargetsService } from '../../clocks/service';
import { createEventEngine } from './engine';
import { dueColumns } from '../../clocks/due';
import { createReadModel, mayReadCorrections } from './readModel';
import { loadVisible } from './rows';
import { newReviewSchema } from './schemas';

export interface Upload {
  kind: unknown;
  filename: string;
  bytes: Buffer;
}

export function createReviews(
  db: Db,
  clock: Clock,
  deps: {
    maxUploadBytes: number;
    letters: Letters;
    settings: SettingsService;
    stageTargets: StageTargetsService;
    notifications: Notifications;
  },
) {
  const { runEvent } = createEventEngine(db, clock, deps);
  const { view, filtered } = createReadModel(db, clock, deps);

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
      const notifiedOn = data.notifiedOn ?? today;
      // Its first clock (notification to submission) starts with it.
      const due = await deps.stageTargets.dueFor({
        notifiedOn,
        publishedOn: null,
        createdAt: now.toISOString(),
        history: [{ from: null, to: 'notified', at: now.toISOString() }],
        rounds: [],
      });
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
            notified_on: notifiedOn,
            state: 'notified',
            ...dueColumns(due),
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
      // Only the types this route takes are judged by role first: any other (ATTACH_DOCUMENT has a
      // route of its own) is the payload's error, named by its field, whoever sends it.
      const type = (input as { type?: unknown } | null)?.type;
      await runEvent(user, reviewId, typeof type === 'string' && isClientEventType(type) ? type : null, () => {
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
      // The draft feedback letters, and the decisions not to review whose view is recorded (their
      // letters are written as they are sent).
      const drafts: { id: number; reference: string; letter_id: number | null }[] = await db('letters as l')
        .join('rounds as ro', 'ro.id', 'l.round_id')
        .join('reviews as r', 'r.id', 'l.review_id')
        .where({ 'ro.panel_meeting_id': meetingId, 'l.status': 'draft' })
        .select('r.id', 'r.reference', 'l.id as letter_id')
        .unionAll((q) =>
          q
            .from('reviews as r')
            .where({ 'r.meeting_id': meetingId, 'r.state': 'decision_letter_pending' })
            .select('r.id', 'r.reference', db.raw('null::int as letter_id')),
        )
        .orderBy('reference');
      const sent: { reviewId: number; reference: string; letterId: number }[] = [];
      const notSent: { reviewId: number; reference: string; error: string }[] = [];
      for (const d of drafts) {
        try {
          // A decision's letter is written as it is sent: the event gives its id.
          const { created } = await runEvent(user, d.id, 'SEND_LETTER', () => ({ type: 'SEND_LETTER' }));
          const letterId = d.letter_id ?? created!;
          sent.push({ reviewId: d.id, reference: d.reference, letterId });
        } catch (err) {
          if (!(err instanceof ConflictError || err instanceof ValidationError)) throw err;
          notSent.push({ reviewId: d.id, reference: d.reference, error: err.message });
        }
      }
      return { sent, notSent };
    },

    /** Attaches a document, or (with `replaces`) a new version of one that was uploaded in error. */
    async attachDocument(user: User, reviewId: number, upload: Upload | null, replaces?: number) {
      let accepted: { kind: DocumentKind; filename: string; contentType: string } | undefined;
      const { created } = await runEvent(
        user,
        reviewId,
        'ATTACH_DOCUMENT',
        async (trx) => {
          const { kind } = parse(z.strictObject({ kind: documentKind }), { kind: upload?.kind });
          if (replaces !== undefined) {
            const old = await trx('documents')
              .where({ id: replaces, review_id: reviewId })
              .whereNull('removed_at')
              .first('kind');
            if (!old) throw new NotFoundError('No current document with this id');
            // A replacement is the same document, corrected: changing its kind would quietly lose one.
            if (old.kind !== kind)
              throw ValidationError.field('kind', `must be ${old.kind}, the kind of the document it replaces`);
          }
          if (!upload || upload.bytes.length === 0) throw ValidationError.field('file', 'choose a file to upload');
          if (upload.bytes.length > deps.maxUploadBytes) {
            throw ValidationError.field('file', `must be at most ${Math.round(deps.maxUploadBytes / 1048576)} MB`);
          }
          const { filename, contentType } = acceptDocument(upload.bytes, upload.filename);
          accepted = { kind, filename, contentType };
          return {
            type: 'ATTACH_DOCUMENT',
            kind,
            filename,
            size: upload.bytes.length,
            ...(replaces === undefined ? {} : { replaces }),
          };
        },
        () => ({ ...accepted!, bytes: upload!.bytes }),
      );
      const { kind, filename, contentType } = accepted!;
      return { id: created!, kind, filename, size: upload!.bytes.length, contentType };
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
