import { z } from 'zod';
import type { Conn, Db } from '../db/connect';
import type { Clock } from '../core/clock';
import type { User } from '../core/user';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../core/errors';
import { visibleReviews } from '../core/scope';
import { email, id, isoDate, oneLine, optionalText, parse, printable, text } from '../core/validation';
import { addCalendarDays, dayOf } from '../clocks/days';
import { longDate } from '../core/dates';
import { organisationEmails, responseDueFrom, type StatusDeps } from './statusChanges';
import { LIVE_PART } from './status';
import { LIMITS } from './parse';
import { IMPORT_STATES, nameKey } from './service';
import { LEVEL_LABELS } from './labels';
import { stateLabel } from '../workflow/lifecycle';

export const LEVELS = ['local', 'regional', 'national'] as const;
export type Level = (typeof LEVELS)[number];

const levelSchema = z.strictObject({
  level: z.enum(LEVELS, { error: `must be one of ${LEVELS.join(', ')}` }),
});
const assignSchema = z
  .strictObject({
    organisationIds: z
      .array(id, { error: 'must be a list of organisation ids' })
      .max(LIMITS.agencies, { error: `must name at most ${LIMITS.agencies} organisations` })
      .default([]),
    newOrganisation: printable(optionalText(LIMITS.agency)).default(''),
  })
  .superRefine((v, ctx) => {
    if (v.organisationIds.length === 0 && !v.newOrganisation) {
      ctx.addIssue({
        code: 'custom',
        path: ['organisationIds'],
        message: 'must name at least one government department or national body',
      });
    }
  });
const extendSchema = z.strictObject({ dueOn: isoDate, reason: printable(text(2000)) });
const chairSchema = z.strictObject({
  name: printable(oneLine(optionalText(200))).default(''),
  email: z.literal('').or(email).default(''),
});

const NOT_NATIONAL =
  'which is not recorded as a national body: change its type under Administration, Organisations, or choose another';

/** The longest a response can be put off in one extension: two years from today. */
const MAX_EXTENSION_DAYS = 731;

/**
 * Who owns a recommendation, and when they must answer: its level, the secretariat's triage of
 * national recommendations to the government department or national body that owns each (never
 * the Home Office by default), the organisation's acknowledgement, an extension of its response
 * date, and the review's chair, who hears of every change of status with the CSP.
 */
export function createOwners(db: Db, clock: Clock, deps: StatusDeps) {
  const dueFrom = (conn: Conn, today: string) => responseDueFrom(deps, conn, today);

  async function audit(
    trx: Conn,
    e: { reviewId: number; recommendationId: number | null; organisationId?: number; type: string; payload: object },
    actor: User,
  ) {
    await trx('recommendation_events').insert({
      review_id: e.reviewId,
      recommendation_id: e.recommendationId,
      organisation_id: e.organisationId ?? null,
      type: e.type,
      payload: JSON.stringify(e.payload),
      actor_id: actor.id,
      at: clock.now(),
    });
  }

  const csporSecretariat = (user: User, what: string) => {
    if (user.role !== 'secretariat' && user.role !== 'csp')
      throw new ForbiddenError(`Only the CSP or the panel secretariat can ${what}`);
  };

  /** A recommendation of a review the user sees, locked for the change. */
  async function lockedRecommendation(trx: Conn, user: User, recId: number) {
    const rec = await trx('recommendations').where({ id: recId }).forUpdate().first();
    const review = rec && (await visibleReviews(trx, user).where('r.id', rec.review_id).first('r.id', 'r.state'));
    if (!review) throw new NotFoundError('No recommendation with this id');
    if (!IMPORT_STATES.includes(review.state)) {
      throw new ConflictError(`This review is ${stateLabel(review.state)}: its recommendations cannot be changed.`);
    }
    return rec as { id: number; review_id: number; number: string; level: Level; triaged_at: Date | null };
  }

  /** Emails an organisation's users that a recommendation is now theirs; false when it has none. */
  async function tellAssigned(
    trx: Conn,
    rec: { id: number; review_id: number; number: string; text: string },
    org: { id: number; name: string },
    dueOn: string,
  ): Promise<boolean> {
    const to = await organisationEmails(trx, org.id);
    if (to.length === 0) return false;
    const settings = await deps.settings.get(trx);
    const review = await trx('reviews as r')
      .join('csps as c', 'c.id', 'r.csp_id')
      .where('r.id', rec.review_id)
      .first('r.reference', 'c.name as csp_name');
    await deps.outbox.enqueue(trx, {
      kind: 'recommendation_assigned',
      reviewId: rec.review_id,
      letterId: null,
      template: 'recommendation_assigned',
      to,
      cc: [],
      replyTo: settings.dhrMailbox,
      ...(await deps.templates.renderEmail(trx, 'recommendation_assigned', {
        reference: review.reference,
        cspName: review.csp_name,
        number: rec.number,
        text: rec.text,
        organisation: org.name,
        dueOn: longDate(dueOn, settings.dateStyle),
        url: `${deps.publicUrl}/recommendations`,
      })),
      attachLetter: false,
    });
    return true;
  }

  return {
    /**
     * Sets a recommendation's level. Made national, it goes to the triage queue and its
     * organisations stop seeing it until the secretariat assigns its owners, so it cannot be
     * made national once one of them has acknowledged or answered it. Their response dates are
     * kept: brought back from triage, a part is due when it was (only an extension moves it).
     */
    async setLevel(user: User, recId: number, input: unknown) {
      csporSecretariat(user, 'set the level of a recommendation');
      const { level } = parse(levelSchema, input);
      return db.transaction(async (trx) => {
        const rec = await lockedRecommendation(trx, user, recId);
        if (rec.level === level) return { level, changed: false, reviewId: rec.review_id };
        const today = dayOf(clock.now());
        if (level === 'national') {
          const answered = await trx('recommendation_agencies as ra')
            .join('organisations as o', 'o.id', 'ra.organisation_id')
            .where('ra.recommendation_id', rec.id)
            .where((q) => q.whereNotNull('ra.response').orWhereNotNull('ra.acknowledged_at'))
            .pluck('o.name');
          if (answered.length) {
            throw new ConflictError(
              `Recommendation ${rec.number} cannot go to triage: ${answered.join(', ')} already acknowledged or answered it. Nothing was changed.`,
            );
          }
          await trx('recommendations').where({ id: rec.id }).update({ level, triaged_at: null, triaged_by: null });
        } else {
          await trx('recommendations').where({ id: rec.id }).update({ level });
          // Out of triage: the organisations the report names that were never assigned it own it from today.
          await trx('recommendation_agencies')
            .where({ recommendation_id: rec.id })
            .whereNull('assigned_on')
            .update({ assigned_on: today, response_due_on: await dueFrom(trx, today) });
        }
        await audit(
          trx,
          {
            reviewId: rec.review_id,
            recommendationId: rec.id,
            type: 'LEVEL_CHANGED',
            payload: { from: rec.level, to: level },
          },
          user,
        );
        return { level, changed: true, reviewId: rec.review_id };
      });
    },

    /** National recommendations waiting for their owners, oldest first, with the bodies to choose from. */
    async triageQueue(user: User) {
      if (user.role !== 'secretariat') throw new ForbiddenError('Only the panel secretariat triages recommendations');
      const waiting = await db('recommendations as rec')
        .join('reviews as r', 'r.id', 'rec.review_id')
        .join('csps as c', 'c.id', 'r.csp_id')
        .where('rec.level', 'national')
        .whereNull('rec.triaged_at')
        .whereIn('r.state', IMPORT_STATES)
        .orderBy([{ column: 'rec.imported_at' }, { column: 'rec.id' }])
        .select(
          'rec.id',
          'rec.number',
          'rec.text',
          'rec.imported_at',
          'r.id as review_id',
          'r.reference',
          'r.pseudonym',
          'c.name as csp_name',
          db.raw(`(select coalesce(json_agg(o.name order by o.name), '[]'::json)
                     from recommendation_agencies ra join organisations o on o.id = ra.organisation_id
                    where ra.recommendation_id = rec.id) as named`),
        );
      return waiting.map((w) => ({
        id: w.id as number,
        number: w.number as string,
        text: w.text as string,
        reviewId: w.review_id as number,
        reference: w.reference as string,
        pseudonym: w.pseudonym as string,
        cspName: w.csp_name as string,
        importedOn: dayOf(w.imported_at),
        /** The bodies the report named: for the secretariat to weigh, never chosen for it. */
        namedInReport: w.named as string[],
      }));
    },

    /** Government departments and national bodies, for the triage form. */
    async nationalBodies(user: User) {
      if (user.role !== 'secretariat') throw new ForbiddenError('Only the panel secretariat triages recommendations');
      return db('organisations').where({ kind: 'national_body' }).orderBy('name').select('id', 'name');
    },

    /** One recommendation in (or through) triage, for its page. */
    async forTriage(user: User, recId: number) {
      if (user.role !== 'secretariat') throw new ForbiddenError('Only the panel secretariat triages recommendations');
      const rec = await db('recommendations as rec')
        .join('reviews as r', 'r.id', 'rec.review_id')
        .join('csps as c', 'c.id', 'r.csp_id')
        .where('rec.id', recId)
        .first(
          'rec.id',
          'rec.number',
          'rec.text',
          'rec.level',
          'rec.triaged_at',
          'r.id as review_id',
          'r.reference',
          'r.pseudonym',
          'c.name as csp_name',
          db.raw(`(select coalesce(json_agg(json_build_object('id', o.id, 'name', o.name,
                     'assigned', ra.assigned_on is not null) order by o.name), '[]'::json)
                     from recommendation_agencies ra join organisations o on o.id = ra.organisation_id
                    where ra.recommendation_id = rec.id) as linked`),
        );
      if (!rec) throw new NotFoundError('No recommendation with this id');
      return {
        id: rec.id as number,
        number: rec.number as string,
        text: rec.text as string,
        level: rec.level as Level,
        levelLabel: LEVEL_LABELS[rec.level]!,
        triaged: rec.triaged_at !== null,
        reviewId: rec.review_id as number,
        reference: rec.reference as string,
        pseudonym: rec.pseudonym as string,
        cspName: rec.csp_name as string,
        linked: rec.linked as { id: number; name: string; assigned: boolean }[],
      };
    },

    /**
     * Assigns a national recommendation to the departments or bodies chosen (and one typed, made
     * a national body if new). Those the report named but not chosen are taken off it; each chosen
     * one's response is due from today, and its users are emailed. The same choice twice changes
     * nothing the second time.
     */
    async assign(user: User, recId: number, input: unknown) {
      if (user.role !== 'secretariat') throw new ForbiddenError('Only the panel secretariat triages recommendations');
      const data = parse(assignSchema, input);
      return db.transaction(async (trx) => {
        const rec = await lockedRecommendation(trx, user, recId);
        if (rec.level !== 'national') {
          throw new ConflictError(
            `Recommendation ${rec.number} is ${LEVEL_LABELS[rec.level]!.toLowerCase()}: only a national recommendation is triaged. Nothing was changed.`,
          );
        }
        const chosen = await trx('organisations').whereIn('id', data.organisationIds).select('id', 'name', 'kind');
        if (chosen.length !== new Set(data.organisationIds).size) {
          throw ValidationError.field('organisationIds', 'includes an organisation that does not exist');
        }
        const local = chosen.find((c) => c.kind !== 'national_body');
        if (local) {
          throw ValidationError.field('organisationIds', `includes ${local.name}, ${NOT_NATIONAL}`);
        }
        if (data.newOrganisation) {
          const key = nameKey(data.newOrganisation);
          if (!key) throw ValidationError.field('newOrganisation', 'must contain letters or numbers');
          let [row] = await trx('organisations')
            .insert({ name: data.newOrganisation, name_key: key, kind: 'national_body' })
            .onConflict('name_key')
            .ignore()
            .returning(['id', 'name', 'kind']);
          row ??= await trx('organisations').where({ name_key: key }).first('id', 'name', 'kind');
          if (row.kind !== 'national_body') {
            throw ValidationError.field('newOrganisation', `names ${row.name}, ${NOT_NATIONAL}`);
          }
          if (!chosen.some((c) => c.id === row.id)) chosen.push(row);
        }
        const links = await trx('recommendation_agencies')
          .where({ recommendation_id: rec.id })
          .select('id', 'organisation_id', 'assigned_on', 'response_due_on', 'response');
        const chosenIds = new Set(chosen.map((c) => c.id as number));
        const dropped = links.filter((l) => !chosenIds.has(l.organisation_id));
        const answered = dropped.filter((l) => l.response);
        if (answered.length) {
          const names = await trx('organisations')
            .whereIn(
              'id',
              answered.map((l) => l.organisation_id),
            )
            .pluck('name');
          throw new ConflictError(
            `${names.join(', ')} already answered recommendation ${rec.number}, so cannot be taken off it. Nothing was changed.`,
          );
        }
        const unchanged =
          rec.triaged_at !== null &&
          dropped.length === 0 &&
          chosen.every((c) => links.some((l) => l.organisation_id === c.id && l.assigned_on));
        if (unchanged) return { changed: false, assigned: chosen.map((c) => c.name as string), withoutUsers: [] };
        const now = clock.now();
        const today = dayOf(now);
        const dueOn = await dueFrom(trx, today);
        if (dropped.length)
          await trx('recommendation_agencies')
            .whereIn(
              'id',
              dropped.map((l) => l.id),
            )
            .delete();
        const withoutUsers: string[] = [];
        const full = await trx('recommendations').where({ id: rec.id }).first('id', 'review_id', 'number', 'text');
        for (const org of chosen) {
          const link = links.find((l) => l.organisation_id === org.id);
          // Its owner already after an earlier triage: nothing new to tell.
          if (link?.assigned_on && rec.triaged_at) continue;
          // Assigned before the recommendation went to triage: it keeps its response date.
          if (link?.assigned_on) {
            if (!(await tellAssigned(trx, full, org, link.response_due_on))) withoutUsers.push(org.name);
            continue;
          }
          if (link) {
            await trx('recommendation_agencies')
              .where({ id: link.id })
              .update({ assigned_on: today, response_due_on: dueOn });
          } else {
            await trx('recommendation_agencies').insert({
              recommendation_id: rec.id,
              organisation_id: org.id,
              created_at: now,
              assigned_on: today,
              response_due_on: dueOn,
            });
          }
          if (!(await tellAssigned(trx, full, org, dueOn))) withoutUsers.push(org.name);
        }
        await trx('recommendations').where({ id: rec.id }).update({ triaged_at: now, triaged_by: user.id });
        const assigned = chosen.map((c) => c.name as string).sort();
        await audit(
          trx,
          {
            reviewId: rec.review_id,
            recommendationId: rec.id,
            type: 'TRIAGED',
            payload: { assigned, removed: dropped.length },
          },
          user,
        );
        return { changed: true, assigned, withoutUsers };
      });
    },

    /** The organisation confirms the recommendation reached it. Once is enough: again changes nothing. */
    async acknowledge(user: User, linkId: number) {
      if (user.role !== 'agency')
        throw new ForbiddenError('Only the organisation a recommendation is addressed to acknowledges it');
      return db.transaction(async (trx) => {
        const link = await trx('recommendation_agencies as ra')
          .join('recommendations as rec', 'rec.id', 'ra.recommendation_id')
          .where('ra.id', linkId)
          .forUpdate()
          .first(
            'ra.id',
            'ra.organisation_id',
            'ra.acknowledged_at',
            'rec.id as rec_id',
            'rec.review_id',
            trx.raw(`${LIVE_PART} as live`),
          );
        if (!link || link.organisation_id !== user.organisationId || !link.live) {
          throw new NotFoundError('No recommendation of yours with this id');
        }
        if (link.acknowledged_at) return { changed: false };
        await trx('recommendation_agencies')
          .where({ id: link.id })
          .update({ acknowledged_at: clock.now(), acknowledged_by: user.id });
        await audit(
          trx,
          {
            reviewId: link.review_id,
            recommendationId: link.rec_id,
            organisationId: link.organisation_id,
            type: 'ACKNOWLEDGED',
            payload: {},
          },
          user,
        );
        return { changed: true };
      });
    },

    /** Moves an organisation's response date on, with the reason: the reminders follow the new date. */
    async extend(user: User, linkId: number, input: unknown) {
      csporSecretariat(user, 'extend the time to respond');
      const data = parse(extendSchema, input);
      return db.transaction(async (trx) => {
        const link = await trx('recommendation_agencies as ra')
          .join('recommendations as rec', 'rec.id', 'ra.recommendation_id')
          .join('organisations as o', 'o.id', 'ra.organisation_id')
          .where('ra.id', linkId)
          .forUpdate('ra')
          .first('ra.*', 'rec.review_id', 'rec.number', 'o.name', trx.raw(`${LIVE_PART} as live`));
        const visible = link && (await visibleReviews(trx, user).where('r.id', link.review_id).first('r.id'));
        if (!visible) throw new NotFoundError('No response with this id');
        if (!link.live) {
          throw new ConflictError(`Recommendation ${link.number} is waiting for triage: no response is due yet.`);
        }
        if (link.response) {
          throw new ConflictError(`${link.name} has already responded to recommendation ${link.number}.`);
        }
        const current = link.response_due_on as string;
        if (data.dueOn === current && data.reason === link.extension_reason)
          return {
            changed: false,
            reviewId: link.review_id as number,
            recommendationId: link.recommendation_id as number,
          };
        if (data.dueOn <= current) {
          throw ValidationError.field('dueOn', `must be after the current due date, ${longDate(current)}`);
        }
        if (data.dueOn > addCalendarDays(dayOf(clock.now()), MAX_EXTENSION_DAYS)) {
          throw ValidationError.field('dueOn', 'must be within two years of today');
        }
        await trx('recommendation_agencies')
          .where({ id: link.id })
          .update({ response_due_on: data.dueOn, extension_reason: data.reason });
        await audit(
          trx,
          {
            reviewId: link.review_id,
            recommendationId: link.recommendation_id,
            organisationId: link.organisation_id,
            type: 'RESPONSE_EXTENDED',
            payload: { from: current, to: data.dueOn, reason: data.reason },
          },
          user,
        );
        return {
          changed: true,
          reviewId: link.review_id as number,
          recommendationId: link.recommendation_id as number,
        };
      });
    },

    /** The review's chair: copied into every email about a change of a recommendation's status. */
    async setChair(user: User, reviewId: number, input: unknown) {
      csporSecretariat(user, "record the review's chair");
      const data = parse(chairSchema, input);
      // The chair is recorded to be emailed: a name needs an address, and an address a name.
      if (data.email && !data.name) throw ValidationError.field('name', 'is required with an email address');
      if (data.name && !data.email) throw ValidationError.field('email', 'is required with a name');
      return db.transaction(async (trx) => {
        const review = await visibleReviews(trx, user)
          .where('r.id', reviewId)
          .first('r.id', 'r.chair_name', 'r.chair_email');
        if (!review) throw new NotFoundError('No review with this id');
        const name = data.name || null;
        const address = data.email || null;
        if (review.chair_name === name && review.chair_email === address) return { changed: false };
        await trx('reviews').where({ id: reviewId }).update({ chair_name: name, chair_email: address });
        await audit(trx, { reviewId, recommendationId: null, type: 'CHAIR_SET', payload: { name } }, user);
        return { changed: true };
      });
    },

    /** The review a recommendation, or an organisation's part in one, belongs to, if the user sees it. */
    async reviewIdOf(user: User, of: { recommendationId: number } | { partId: number }): Promise<number> {
      const q = db('recommendations as rec').whereIn('rec.review_id', visibleReviews(db, user).select('r.id'));
      if ('partId' in of)
        q.join('recommendation_agencies as ra', 'ra.recommendation_id', 'rec.id').where('ra.id', of.partId);
      else q.where('rec.id', of.recommendationId);
      const row = await q.first('rec.review_id');
      if (!row) throw new NotFoundError('No recommendation with this id');
      return row.review_id as number;
    },

    /** The review's chair as recorded, for whoever sees the review. */
    async chairOf(user: User, reviewId: number) {
      const review = await visibleReviews(db, user).where('r.id', reviewId).first('r.chair_name', 'r.chair_email');
      if (!review) throw new NotFoundError('No review with this id');
      return { name: (review.chair_name as string | null) ?? '', email: (review.chair_email as string | null) ?? '' };
    },
  };
}

export type Owners = ReturnType<typeof createOwners>;
