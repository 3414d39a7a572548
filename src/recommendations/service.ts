import { z } from 'zod';
import type { Conn, Db } from '../db/connect';
import { organisationKind } from './kinds';
import { parseForUser } from '../offThread';
import { LIMITS, type ParsedRecommendation } from './parse';
import { stateLabel } from '../workflow/lifecycle';
import type { ReviewState } from '../workflow/types';
import type { User } from '../core/user';
import { isoFromJson, type Clock } from '../core/clock';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../core/errors';
import { acceptDocument } from '../services/documentTypes';
import { isHomeOffice, visibleReviews } from '../core/scope';
import { isoDate, optionalText, parse, text } from '../core/validation';
import { agencyStage, LIVE_PART, type ScaleStatus } from './status';
import { createStatusChanges, responseDueFrom, type StatusDeps } from './statusChanges';
import { dayOf } from '../clocks/days';

/** "Harlow CCG", "harlow c.c.g." and "HARLOW  CCG" name one body. */
export const nameKey = (name: string) => name.toLowerCase().replace(/[^a-z0-9]+/g, '');

export const RESPONSES = ['accepted', 'partially_accepted', 'already_in_place', 'not_accepted'] as const;
export const ACTION_STATUSES = ['not_started', 'in_progress', 'completed'] as const;

/**
 * Recommendations are imported once the panel has approved the report: before that the report
 * (and its recommendations) may still change or never be published, and an agency would see
 * recommendations of a review that does not exist for it.
 */
export const IMPORT_STATES: readonly ReviewState[] = ['approved', 'published', 'closed'];

/** Problems listed at most, so a list that is wrong on every line still gets a readable answer. */
const MAX_LISTED_PROBLEMS = 100;

const importSchema = z.strictObject({
  format: z.enum(['text', 'csv'], { error: 'must be text or csv' }),
  content: z.string({ error: 'must be text' }).max(1_000_000, { error: 'must be at most 1 MB' }),
  dryRun: z.boolean({ error: 'must be true or false' }).default(true),
});

const responseSchema = z
  .strictObject({
    response: z.enum(RESPONSES, { error: `must be one of ${RESPONSES.join(', ')}` }),
    rationale: optionalText(5000).default(''),
  })
  .superRefine((v, ctx) => {
    if (v.response !== 'accepted' && !v.rationale) {
      ctx.addIssue({
        code: 'custom',
        path: ['rationale'],
        message: 'is required unless the recommendation is accepted',
      });
    }
  });

const actionSchema = z.strictObject({ description: text(2000), owner: text(200), targetDate: isoDate });
const actionStatusSchema = z.strictObject({
  status: z.enum(ACTION_STATUSES, { error: `must be one of ${ACTION_STATUSES.join(', ')}` }),
});
const updateSchema = z.strictObject({ on: isoDate, text: text(5000) });
const evidenceSchema = z.strictObject({ evidence: text(5000) });
const reasonSchema = z.strictObject({ reason: text(2000) });

interface LinkRow {
  id: number;
  recommendation_id: number;
  organisation_id: number;
  name: string;
  response: string | null;
  rationale: string | null;
  responded_at: Date | null;
  implemented_at: Date | null;
  implementation_evidence: string | null;
  reopened_reason: string | null;
  assigned_on: string | null;
  response_due_on: string | null;
  extension_reason: string | null;
  acknowledged_at: Date | null;
  status: ScaleStatus;
}

/** What an agency's pages show of a recommendation: itself, its review and the review's CSP. */
const AGENCY_VIEW_COLUMNS = [
  'rec.id',
  'rec.number',
  'rec.text',
  'rec.themes',
  'rec.review_id',
  'rec.level',
  'rec.triaged_at',
  'r.reference',
  'r.pseudonym',
  'c.name as csp_name',
];

export function createRecommendations(db: Db, clock: Clock, deps: StatusDeps) {
  const restatus = createStatusChanges(clock, deps);

  const dueFrom = (conn: Conn, today: string) => responseDueFrom(deps, conn, today);
  async function audit(
    trx: Conn,
    e: {
      reviewId: number;
      recommendationId?: number | null;
      organisationId?: number | null;
      type: string;
      payload?: object;
      actor: User;
    },
  ) {
    await trx('recommendation_events').insert({
      review_id: e.reviewId,
      recommendation_id: e.recommendationId ?? null,
      organisation_id: e.organisationId ?? null,
      type: e.type,
      payload: JSON.stringify(e.payload ?? {}),
      actor_id: e.actor.id,
      at: clock.now(),
    });
  }

  async function reviewFor(user: User, reviewId: number, conn: Conn = db) {
    const review = await visibleReviews(conn, user)
      .where('r.id', reviewId)
      .first('r.id', 'r.reference', 'r.csp_id', 'r.state');
    if (!review) throw new NotFoundError('No review with this id');
    return review as { id: number; reference: string; csp_id: number; state: ReviewState };
  }

  /** 409 unless the review is approved or published (see IMPORT_STATES). */
  function mayImport(state: ReviewState) {
    if (!IMPORT_STATES.includes(state)) {
      throw new ConflictError(
        `Recommendations can be imported once the review is approved or published; this review is ${stateLabel(state)}. Nothing was changed.`,
      );
    }
  }

  /** The list read, or a 422 naming each line that is wrong (the first MAX_LISTED_PROBLEMS of them). */
  async function readList(user: User, format: 'text' | 'csv', content: string) {
    // Read on a worker thread: a 1 MB list takes a few hundred milliseconds.
    const { rows, errors } = await parseForUser(user.id, format, content);
    if (errors.length) {
      const listed = errors.slice(0, MAX_LISTED_PROBLEMS).map((e) => ({ field: `line ${e.line}`, message: e.message }));
      if (errors.length > MAX_LISTED_PROBLEMS)
        listed.push({ field: 'content', message: `has ${errors.length - MAX_LISTED_PROBLEMS} more problems` });
      throw new ValidationError(listed);
    }
    if (rows.length === 0) throw ValidationError.field('content', 'holds no recommendations');
    if (rows.length > LIMITS.recommendations)
      throw ValidationError.field(
        'content',
        `holds ${rows.length} recommendations: at most ${LIMITS.recommendations} can be imported at once`,
      );
    return rows;
  }

  /**
   * The organisations named, matched to existing ones or (when saving) created: one query per
   * thousand names to find them. An organisation another import creates at the same moment is
   * taken, not made twice: the insert waits for the other and does nothing.
   */
  async function organisations(conn: Conn, names: string[], create: boolean) {
    const wanted = new Map<string, string>();
    for (const name of names) if (!wanted.has(nameKey(name))) wanted.set(nameKey(name), name);
    const found = new Map<string, { id: number | null; name: string }>();
    const keys = [...wanted.keys()];
    for (let i = 0; i < keys.length; i += 1000) {
      const rows = await conn('organisations')
        .whereIn('name_key', keys.slice(i, i + 1000))
        .select('id', 'name', 'name_key');
      for (const row of rows) found.set(row.name_key, { id: row.id, name: row.name });
    }
    // In the order of their keys, so that two imports making the same organisations wait for
    // each other at the first one rather than each holding one the other needs (a deadlock).
    for (const [key, name] of [...wanted].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      if (found.has(key)) continue;
      if (!create) {
        found.set(key, { id: null, name });
        continue;
      }
      let [row] = await conn('organisations')
        .insert({ name, name_key: key, kind: organisationKind(name) })
        .onConflict('name_key')
        .ignore()
        .returning(['id', 'name']);
      row ??= await conn('organisations').where({ name_key: key }).first('id', 'name');
      found.set(key, { id: row.id, name: row.name });
    }
    return found;
  }

  /** What an import would do to the review's recommendations, row by row. */
  async function compare(conn: Conn, reviewId: number, rows: ParsedRecommendation[]) {
    const existing = await conn('recommendations')
      .where({ review_id: reviewId })
      .select('id', 'number', 'text', 'level', 'triaged_at');
    const links = await conn('recommendation_agencies as ra')
      .join('organisations as o', 'o.id', 'ra.organisation_id')
      .whereIn(
        'ra.recommendation_id',
        existing.map((r) => r.id),
      )
      .select('ra.recommendation_id', 'o.name_key');
    const byNumber = new Map(existing.map((r) => [r.number as string, r]));
    const keysOf = new Map<number, string[]>();
    for (const l of links) {
      const keys = keysOf.get(l.recommendation_id);
      if (keys) keys.push(l.name_key);
      else keysOf.set(l.recommendation_id, [l.name_key]);
    }
    const orgs = await organisations(
      conn,
      rows.flatMap((r) => r.agencies),
      false,
    );
    const preview = rows.map((row) => {
      const old = byNumber.get(row.number);
      const oldKeys = old ? [...(keysOf.get(old.id) ?? [])].sort() : [];
      const newKeys = [...new Set(row.agencies.map(nameKey))].sort();
      // A national recommendation's owners are the secretariat's once it has triaged it, whatever the list names.
      const ownersKept = old?.level === 'national' && old.triaged_at !== null;
      const change = !old
        ? 'new'
        : old.text !== row.text || (!ownersKept && oldKeys.join() !== newKeys.join())
          ? 'changed'
          : 'unchanged';
      return {
        line: row.line,
        number: row.number,
        text: row.text,
        agencies: row.agencies.map((name) => {
          const org = orgs.get(nameKey(name))!;
          return { name: org.name, organisationId: org.id };
        }),
        ...(row.warning ? { warning: row.warning } : {}),
        change,
        ...(old && old.text !== row.text ? { previousText: old.text } : {}),
      };
    });
    const imported = new Set(rows.map((r) => r.number));
    const missing = existing.filter((r) => !imported.has(r.number)).map((r) => r.number as string);
    return { preview, missing };
  }

  /**
   * Responses, actions and progress are an agency's own: any other role hears so (403)
   * before its input is read or anything is looked up, so the answer says nothing about ids.
   */
  const NO_ACTION = 'No action of yours with this id';

  function agencyOnly(user: User) {
    if (user.role !== 'agency') throw new ForbiddenError('Only an agency user records its response and actions');
  }

  async function linkFor(user: User, linkId: number, trx: Conn = db, notFound = 'No response of yours with this id') {
    const link = await trx('recommendation_agencies as ra')
      .join('recommendations as rec', 'rec.id', 'ra.recommendation_id')
      .where('ra.id', linkId)
      .first('ra.*', 'rec.review_id', trx.raw(`${LIVE_PART} as live`));
    // An agency acts only for its own organisation; anyone else is told it does not exist.
    // A national recommendation waiting for triage is not yet anyone's.
    if (!link || user.role !== 'agency' || link.organisation_id !== user.organisationId || !link.live) {
      throw new NotFoundError(notFound);
    }
    return link as LinkRow & { review_id: number };
  }

  /**
   * The agencies a recommendation (`rec`) is addressed to, each with its organisation's name and
   * its actions, each action with its updates, as JSON: a list of recommendations is read whole
   * in one statement. With `onlyOrganisation`, just that organisation's part (bound as `?`).
   */
  const agenciesJson = (onlyOrganisation: boolean) =>
    `(select coalesce(json_agg(json_build_object(
         'id', ra.id, 'recommendation_id', ra.recommendation_id, 'organisation_id', ra.organisation_id, 'name', o.name,
         'response', ra.response, 'rationale', ra.rationale, 'responded_at', ra.responded_at,
         'implemented_at', ra.implemented_at, 'implementation_evidence', ra.implementation_evidence,
         'reopened_reason', ra.reopened_reason, 'assigned_on', ra.assigned_on, 'response_due_on', ra.response_due_on,
         'extension_reason', ra.extension_reason, 'acknowledged_at', ra.acknowledged_at, 'status', ra.status,
         'actions', (select coalesce(json_agg(json_build_object(
               'id', a.id, 'description', a.description, 'owner', a.owner, 'target_date', a.target_date,
               'status', a.status,
               'updates', (select coalesce(json_agg(json_build_object('id', u.id, 'on', u."on", 'text', u.text,
                             'evidence_filename', u.evidence_filename) order by u."on", u.id), '[]'::json)
                             from action_updates u where u.action_id = a.id)) order by a.id), '[]'::json)
             from recommendation_actions a where a.recommendation_agency_id = ra.id)) order by ra.id), '[]'::json)
        from recommendation_agencies ra join organisations o on o.id = ra.organisation_id
       where ra.recommendation_id = rec.id${onlyOrganisation ? ` and ra.organisation_id = ? and ${LIVE_PART}` : ''})`;

  interface UpdateJson {
    id: number;
    on: string;
    text: string;
    evidence_filename: string | null;
  }
  interface ActionJson {
    id: number;
    description: string;
    owner: string;
    target_date: string;
    status: string;
    updates: UpdateJson[];
  }
  type RecRow = {
    id: number;
    number: string;
    text: string;
    themes: string[];
    review_id: number;
    level: string;
    triaged_at: string | Date | null;
  } & {
    // Built as JSON by the database: its timestamps are text.
    agencies: (Omit<LinkRow, 'responded_at' | 'implemented_at' | 'acknowledged_at'> & {
      responded_at: string | null;
      implemented_at: string | null;
      acknowledged_at: string | null;
      actions: ActionJson[];
    })[];
  };

  /** Recommendations read with `agenciesJson`, as the pages and the API show them. */
  function describe(recs: RecRow[]) {
    const today = dayOf(clock.now());
    return recs.map((rec) => {
      /** A national recommendation whose owners the secretariat has not yet assigned: nothing of it is due. */
      const awaitingTriage = rec.level === 'national' && !rec.triaged_at;
      return {
        id: rec.id,
        reviewId: rec.review_id,
        number: rec.number,
        text: rec.text,
        themes: rec.themes,
        level: rec.level,
        awaitingTriage,
        agencies: rec.agencies.map((l) => ({
          id: l.id,
          organisationId: l.organisation_id,
          name: l.name,
          response: l.response,
          rationale: l.rationale,
          respondedAt: isoFromJson(l.responded_at),
          /** On the Domestic Abuse Commissioner's scale. */
          status: l.status,
          /** What the organisation may do next (see agencyStage). */
          stage: agencyStage(l.response, l.implemented_at !== null),
          assignedOn: awaitingTriage ? null : l.assigned_on,
          responseDueOn: awaitingTriage ? null : l.response_due_on,
          responseOverdue: !awaitingTriage && !l.response && l.response_due_on !== null && l.response_due_on < today,
          extensionReason: l.extension_reason,
          acknowledgedAt: isoFromJson(l.acknowledged_at),
          actionsDone: l.actions.filter((a) => a.status === 'completed').length,
          /** The outcome achieved, which the organisation records with evidence. */
          implementedAt: isoFromJson(l.implemented_at),
          evidence: l.implementation_evidence,
          reopenedReason: l.reopened_reason,
          actions: l.actions.map((a) => ({
            id: a.id,
            description: a.description,
            owner: a.owner,
            targetDate: a.target_date,
            status: a.status,
            overdue: a.status !== 'completed' && a.target_date < today,
            updates: a.updates.map((u) => ({
              id: u.id,
              on: u.on,
              text: u.text,
              evidence: u.evidence_filename ?? null,
            })),
          })),
        })),
      };
    });
  }

  /**
   * Every recommendation addressed to an organisation, across every review, with only that
   * organisation's part, its review and the review's CSP: one statement.
   */
  async function addressedTo(organisationId: number) {
    const recs = (await db('recommendations as rec')
      .join('reviews as r', 'r.id', 'rec.review_id')
      .join('csps as c', 'c.id', 'r.csp_id')
      .whereExists(
        db('recommendation_agencies as ra')
          .whereRaw('ra.recommendation_id = rec.id')
          .where('ra.organisation_id', organisationId)
          .whereRaw(LIVE_PART),
      )
      .orderBy(['r.reference', 'rec.position'])
      .select(...AGENCY_VIEW_COLUMNS, db.raw(`${agenciesJson(true)} as agencies`, [organisationId]))) as (RecRow & {
      reference: string;
      pseudonym: string;
      csp_name: string;
    })[];
    return describe(recs).map((d, i) => ({
      ...d,
      reference: recs[i]!.reference,
      pseudonym: recs[i]!.pseudonym,
      cspName: recs[i]!.csp_name,
    }));
  }

  /** A recommendation with the review it belongs to and one agency's part in it (a link already checked as theirs). */
  async function agencyPart(link: LinkRow & { review_id: number }) {
    const rec = await db('recommendations as rec')
      .join('reviews as r', 'r.id', 'rec.review_id')
      .join('csps as c', 'c.id', 'r.csp_id')
      .where('rec.id', link.recommendation_id)
      .first(...AGENCY_VIEW_COLUMNS, db.raw(`${agenciesJson(true)} as agencies`, [link.organisation_id]));
    const [described] = describe([rec]);
    return {
      ...described!,
      reference: rec.reference as string,
      pseudonym: rec.pseudonym as string,
      cspName: rec.csp_name as string,
      mine: described!.agencies.find((a) => a.id === link.id)!,
    };
  }

  /**
   * Saves a read list. The review's row is locked first: imports into one review, and the
   * lifecycle's events (a withdrawal, say), take turns, so two identical imports at the same
   * moment save the list once and find it unchanged the second time, and a review withdrawn
   * meanwhile is not imported into.
   */
  async function save(user: User, reviewId: number, rows: ParsedRecommendation[]) {
    return db.transaction(async (trx) => {
      const locked = await trx('reviews').where({ id: reviewId }).forUpdate().first('state');
      if (!locked) throw new NotFoundError('No review with this id');
      mayImport(locked.state);
      const result = await compare(trx, reviewId, rows);
      const orgs = await organisations(
        trx,
        rows.flatMap((r) => r.agencies),
        true,
      );
      const now = clock.now();
      const today = dayOf(now);
      const dueOn = await dueFrom(trx, today);
      for (const [position, row] of rows.entries()) {
        const change = result.preview[position]!.change;
        if (change === 'unchanged') continue;
        let rec = await trx('recommendations')
          .where({ review_id: reviewId, number: row.number })
          .first('id', 'level', 'triaged_at');
        if (rec) await trx('recommendations').where({ id: rec.id }).update({ text: row.text, position });
        else {
          [rec] = await trx('recommendations')
            .insert({ review_id: reviewId, number: row.number, text: row.text, position, imported_at: now })
            .returning('id');
        }
        // A national recommendation's owners are assigned in triage, not by the list: those the list
        // names wait for triage unassigned, and once triaged the list adds none.
        const national = rec.level === 'national';
        const assigned = !national;
        for (const name of national && rec.triaged_at ? [] : row.agencies) {
          await trx('recommendation_agencies')
            .insert({
              recommendation_id: rec.id,
              organisation_id: orgs.get(nameKey(name))!.id,
              created_at: now,
              assigned_on: assigned ? today : null,
              response_due_on: assigned ? dueOn : null,
            })
            .onConflict(['recommendation_id', 'organisation_id'])
            .ignore();
        }
        await audit(trx, {
          reviewId,
          recommendationId: rec.id,
          type: change === 'new' ? 'IMPORTED' : 'CHANGED_BY_IMPORT',
          payload: { number: row.number },
          actor: user,
        });
      }
      return { saved: true, ...result };
    });
  }

  return {
    /** Reads a list (DHR Library text, markdown table or CSV); saves it unless dryRun. */
    async import(user: User, reviewId: number, input: unknown) {
      if (user.role !== 'secretariat' && user.role !== 'csp') {
        throw new ForbiddenError('Only the CSP or the panel secretariat can import recommendations');
      }
      const review = await reviewFor(user, reviewId);
      mayImport(review.state);
      const { format, content, dryRun } = parse(importSchema, input);
      const rows = await readList(user, format, content);
      if (dryRun) return { saved: false, ...(await compare(db, review.id, rows)) };
      try {
        return await save(user, review.id, rows);
      } catch (err) {
        // The review's lock makes imports into it take turns; this is the backstop for any other
        // unique key two requests reach at the same moment.
        if ((err as { code?: unknown }).code === '23505') {
          throw new ConflictError(
            'These recommendations were being saved by another request at the same moment. Nothing was changed by this one: reload the recommendations and check before importing again.',
          );
        }
        throw err;
      }
    },

    /** A review's recommendations with every agency's response and progress. */
    async forReview(user: User, reviewId: number) {
      return (await this.ofReview(user, reviewId)).recommendations;
    },

    /** The same with the review they belong to (its reference, pseudonym and CSP), read in one statement. */
    async ofReview(user: User, reviewId: number) {
      const row = await visibleReviews(db, user)
        .where('r.id', reviewId)
        .first(
          'r.reference',
          'r.pseudonym',
          'r.chair_name',
          'r.chair_email',
          'c.name as csp_name',
          db.raw(
            `(select coalesce(json_agg(x order by x.position), '[]'::json) from (
                select rec.id, rec.number, rec.text, rec.themes, rec.review_id, rec.position, rec.level, rec.triaged_at,
                       ${agenciesJson(false)} as agencies
                  from recommendations rec where rec.review_id = r.id) x) as recs`,
          ),
        );
      if (!row) throw new NotFoundError('No review with this id');
      return {
        reference: row.reference as string,
        pseudonym: row.pseudonym as string,
        cspName: row.csp_name as string,
        /** The review's chair, copied into emails about changes of status (see owners.ts). */
        chair: { name: (row.chair_name as string | null) ?? '', email: (row.chair_email as string | null) ?? '' },
        recommendations: describe(row.recs as RecRow[]),
      };
    },

    /** An agency's own: every recommendation addressed to its organisation, across every CSP. */
    async forAgency(user: User) {
      if (user.role !== 'agency') throw new ForbiddenError('This list is for agency users');
      return addressedTo(user.organisationId!);
    },

    /** Every recommendation addressed to an organisation, with its part only: for its reports. */
    addressedTo,

    /**
     * One recommendation as the agency it is addressed to sees it: the review, the text and its
     * own part (response, actions, updates). Any other role is refused (403); another
     * organisation's part, or one that does not exist, is not found (404).
     */
    async forAgencyLink(user: User, linkId: number) {
      agencyOnly(user);
      return agencyPart(await linkFor(user, linkId));
    },

    /** The same, found from one of the agency's actions, with that action. */
    async forAgencyAction(user: User, actionId: number) {
      agencyOnly(user);
      const link = await db('recommendation_actions as act')
        .join('recommendation_agencies as ra', 'ra.id', 'act.recommendation_agency_id')
        .join('recommendations as rec', 'rec.id', 'ra.recommendation_id')
        .where('act.id', actionId)
        .first('ra.*', 'rec.review_id');
      // Another organisation's action reads exactly as one that does not exist.
      if (!link || link.organisation_id !== user.organisationId) throw new NotFoundError(NO_ACTION);
      const part = await agencyPart(link);
      return { ...part, action: part.mine.actions.find((a) => a.id === actionId)! };
    },

    async respond(user: User, linkId: number, input: unknown) {
      agencyOnly(user);
      const data = parse(responseSchema, input);
      return db.transaction(async (trx) => {
        const link = await linkFor(user, linkId, trx);
        const now = clock.now();
        // A response is also the acknowledgement of a recommendation not acknowledged before.
        await trx('recommendation_agencies')
          .where({ id: link.id })
          .update({
            response: data.response,
            rationale: data.rationale || null,
            responded_at: now,
            ...(link.acknowledged_at ? {} : { acknowledged_at: now, acknowledged_by: user.id }),
          });
        await audit(trx, {
          reviewId: link.review_id,
          recommendationId: link.recommendation_id,
          organisationId: link.organisation_id,
          type: 'RESPONDED',
          payload: data,
          actor: user,
        });
        await restatus(trx, link.id, user, link.response);
      });
    },

    async addAction(user: User, linkId: number, input: unknown) {
      agencyOnly(user);
      const data = parse(actionSchema, input);
      return db.transaction(async (trx) => {
        const link = await linkFor(user, linkId, trx);
        if (!link.response || link.response === 'not_accepted' || link.response === 'already_in_place') {
          throw new ConflictError(
            'Record that the recommendation is accepted (in full or in part) before adding actions',
          );
        }
        const now = clock.now();
        const [row] = await trx('recommendation_actions')
          .insert({
            recommendation_agency_id: link.id,
            description: data.description,
            owner: data.owner,
            target_date: data.targetDate,
            status: 'not_started',
            created_at: now,
            updated_at: now,
          })
          .returning('id');
        await audit(trx, {
          reviewId: link.review_id,
          recommendationId: link.recommendation_id,
          organisationId: link.organisation_id,
          type: 'ACTION_ADDED',
          payload: { actionId: row.id },
          actor: user,
        });
        return row.id as number;
      });
    },

    async setActionStatus(user: User, actionId: number, input: unknown) {
      agencyOnly(user);
      const data = parse(actionStatusSchema, input);
      return db.transaction(async (trx) => {
        const action = await trx('recommendation_actions').where({ id: actionId }).first();
        // Another organisation's action reads exactly as one that does not exist.
        if (!action) throw new NotFoundError(NO_ACTION);
        const link = await linkFor(user, action.recommendation_agency_id, trx, NO_ACTION);
        await trx('recommendation_actions')
          .where({ id: actionId })
          .update({ status: data.status, updated_at: clock.now() });
        await audit(trx, {
          reviewId: link.review_id,
          recommendationId: link.recommendation_id,
          organisationId: link.organisation_id,
          type: 'ACTION_STATUS',
          payload: { actionId, ...data },
          actor: user,
        });
        await restatus(trx, link.id, user);
      });
    },

    /** A dated progress update, with an optional document as evidence. */
    async addUpdate(user: User, actionId: number, input: unknown, file?: { filename: string; bytes: Buffer }) {
      agencyOnly(user);
      const data = parse(updateSchema, input);
      let evidence: { evidence_filename: string; evidence_content_type: string; evidence: Buffer } | undefined;
      if (file && file.bytes.length > 0) {
        const doc = acceptDocument(file.bytes, file.filename);
        evidence = { evidence_filename: doc.filename, evidence_content_type: doc.contentType, evidence: file.bytes };
      }
      return db.transaction(async (trx) => {
        const action = await trx('recommendation_actions').where({ id: actionId }).first();
        // Another organisation's action reads exactly as one that does not exist.
        if (!action) throw new NotFoundError(NO_ACTION);
        const link = await linkFor(user, action.recommendation_agency_id, trx, NO_ACTION);
        await trx('action_updates').insert({
          action_id: actionId,
          on: data.on,
          text: data.text,
          author_id: user.id,
          created_at: clock.now(),
          ...evidence,
        });
        await audit(trx, {
          reviewId: link.review_id,
          recommendationId: link.recommendation_id,
          organisationId: link.organisation_id,
          type: 'PROGRESS_UPDATE',
          payload: { actionId },
          actor: user,
        });
      });
    },

    /** Implemented: every action completed, and the agency says so with evidence. */
    async markImplemented(user: User, linkId: number, input: unknown) {
      agencyOnly(user);
      const { evidence } = parse(evidenceSchema, input);
      return db.transaction(async (trx) => {
        const link = await linkFor(user, linkId, trx);
        const actions = await trx('recommendation_actions')
          .where({ recommendation_agency_id: link.id })
          .select('status');
        if (!link.response || link.response === 'not_accepted' || link.response === 'already_in_place')
          throw new ConflictError('Only an accepted recommendation can have its outcome achieved');
        if (actions.length === 0 || actions.some((a) => a.status !== 'completed')) {
          throw new ConflictError('Every action must be completed before the recommendation is marked implemented');
        }
        await trx('recommendation_agencies')
          .where({ id: link.id })
          .update({ implemented_at: clock.now(), implementation_evidence: evidence, reopened_reason: null });
        await audit(trx, {
          reviewId: link.review_id,
          recommendationId: link.recommendation_id,
          organisationId: link.organisation_id,
          type: 'IMPLEMENTED',
          payload: { evidence },
          actor: user,
        });
        await restatus(trx, link.id, user);
      });
    },

    /** The CSP (or the secretariat) is not satisfied: the recommendation is open again for that agency. */
    async reopen(user: User, linkId: number, input: unknown) {
      const { reason } = parse(reasonSchema, input);
      if (user.role !== 'csp' && user.role !== 'secretariat')
        throw new ForbiddenError('Only the CSP or the panel secretariat can reopen');
      return db.transaction(async (trx) => {
        const link = await trx('recommendation_agencies as ra')
          .join('recommendations as rec', 'rec.id', 'ra.recommendation_id')
          .where('ra.id', linkId)
          .first('ra.*', 'rec.review_id');
        // A response on a review out of scope reads exactly as one that does not exist.
        const visible = link && (await visibleReviews(trx, user).where('r.id', link.review_id).first('r.id'));
        if (!visible) throw new NotFoundError('No response with this id');
        if (!link.implemented_at) throw new ConflictError('Only an implemented recommendation can be reopened');
        await trx('recommendation_agencies')
          .where({ id: linkId })
          .update({ implemented_at: null, reopened_reason: reason });
        await audit(trx, {
          reviewId: link.review_id,
          recommendationId: link.recommendation_id,
          organisationId: link.organisation_id,
          type: 'REOPENED',
          payload: { reason },
          actor: user,
        });
        await restatus(trx, linkId, user);
      });
    },

    /** The evidence document of a progress update, for whoever may see the recommendation. */
    async evidence(user: User, updateId: number) {
      const row = await db('action_updates as u')
        .join('recommendation_actions as a', 'a.id', 'u.action_id')
        .join('recommendation_agencies as ra', 'ra.id', 'a.recommendation_agency_id')
        .join('recommendations as rec', 'rec.id', 'ra.recommendation_id')
        .where('u.id', updateId)
        .whereNotNull('u.evidence')
        .first('u.evidence_filename', 'u.evidence_content_type', 'u.evidence', 'ra.organisation_id', 'rec.review_id');
      const mine = row && user.role === 'agency' && row.organisation_id === user.organisationId;
      if (!row || (!mine && !(await visibleReviews(db, user).where('r.id', row.review_id).first('r.id')))) {
        throw new NotFoundError('No evidence with this id');
      }
      return {
        filename: row.evidence_filename as string,
        contentType: row.evidence_content_type as string,
        content: row.evidence as Buffer,
      };
    },

    async organisationsList(user: User) {
      if (!isHomeOffice(user)) throw new ForbiddenError('Only the panel and its secretariat can list organisations');
      return db('organisations').orderBy('name').select('id', 'name');
    },
  };
}

export type Recommendations = ReturnType<typeof createRecommendations>;
