import type { Knex } from 'knex';
import { z } from 'zod';
import type { Db } from '../db/connect';
import { KIND_LABELS, ORGANISATION_KINDS, type OrganisationKind } from '../recommendations/kinds';
import { LIVE_PART, type ScaleStatus } from '../recommendations/status';
import { OTHER_THEME, THEMES } from '../recommendations/themes';
import type { User } from '../core/user';
import { toIsoDate, type Clock } from '../core/clock';
import { ForbiddenError, NotFoundError, ValidationError } from '../core/errors';
import { PUBLISHED_STATES, readsNational } from '../core/scope';
import { id, parse, searchText } from '../core/validation';

/** The theme of a recommendation tagged with none. */

const kindSchema = z.enum(ORGANISATION_KINDS, { error: `must be one of ${ORGANISATION_KINDS.join(', ')}` });

/** Filters as the API and the page send them: text from a query string, or JSON values. Empty means absent. */
const filtersSchema = z.strictObject({
  theme: searchText(100).optional(),
  kind: kindSchema.optional(),
  cspId: z.coerce.number({ error: 'must be a whole number' }).pipe(id).optional(),
  overdue: z
    .union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')], {
      error: 'must be true or false',
    })
    .optional(),
});
export type NationalFilters = z.infer<typeof filtersSchema>;

const kindInputSchema = z.strictObject({ kind: kindSchema });

/** What was sent, without the keys left empty ("?theme=&kind=police"). */
function parseFilters(input: unknown): NationalFilters {
  const given =
    input && typeof input === 'object' && !Array.isArray(input)
      ? Object.fromEntries(Object.entries(input).filter(([, v]) => v !== '' && v !== undefined && v !== null))
      : input;
  const filters = parse(filtersSchema, given ?? {});
  if (filters.theme === '') delete filters.theme;
  return filters;
}

/** n out of d as a whole percentage; null when there is nothing to take a share of. */
const percent = (n: number, d: number) => (d === 0 ? null : Math.round((n / d) * 100));

export interface Figures {
  /** Recommendations with at least one agency link in the selection. */
  recommendations: number;
  /** (recommendation, agency) pairs: each is one response expected. */
  links: number;
  /** Links whose agency has recorded a response. */
  responded: number;
  /** Links accepted in full or in part. */
  accepted: number;
  /** Accepted links the agency has marked implemented. */
  implemented: number;
  /** Actions not completed whose target date has passed. */
  overdueActions: number;
  respondedPercent: number | null;
  acceptedPercent: number | null;
  implementedPercent: number | null;
}

interface AggregateRow {
  recommendations: number;
  links: number;
  responded: number;
  accepted: number;
  implemented: number;
  overdue_actions: number;
}

function figuresOf(row: AggregateRow | undefined): Figures {
  const n = (v: unknown) => Number(v ?? 0);
  const f = {
    recommendations: n(row?.recommendations),
    links: n(row?.links),
    responded: n(row?.responded),
    accepted: n(row?.accepted),
    implemented: n(row?.implemented),
    overdueActions: n(row?.overdue_actions),
  };
  return {
    ...f,
    respondedPercent: percent(f.responded, f.links),
    acceptedPercent: percent(f.accepted, f.responded),
    implementedPercent: percent(f.implemented, f.accepted),
  };
}

const ACCEPTED = "('accepted', 'partially_accepted')";
const AGGREGATES = [
  'count(distinct rec_id)::int as recommendations',
  'count(*)::int as links',
  'count(response)::int as responded',
  `(count(*) filter (where response in ${ACCEPTED}))::int as accepted`,
  `(count(*) filter (where response in ${ACCEPTED} and implemented_at is not null))::int as implemented`,
  'coalesce(sum(overdue_actions), 0)::int as overdue_actions',
].join(', ');

/** The themes in the list's order, then any others alphabetically, "Other" last. */
function themeOrder(a: string, b: string) {
  const rank = (t: string) => {
    if (t === OTHER_THEME) return Number.MAX_SAFE_INTEGER;
    const i = (THEMES as readonly string[]).indexOf(t);
    return i === -1 ? THEMES.length : i;
  };
  return rank(a) - rank(b) || a.localeCompare(b);
}

/**
 * The national view of recommendations, for the panel and its secretariat: how
 * agencies respond to and implement them, by theme, kind of agency and CSP.
 */
export function createNational(db: Db, clock: Clock) {
  const allow = (user: User) => {
    if (!readsNational(user))
      throw new ForbiddenError('Only the panel, its secretariat and oversight can see the national figures');
  };
  const today = () => toIsoDate(clock.now());

  /** Overdue actions of the link `ra`: not completed, past their target date. */
  const overdueActions = (date: string) =>
    db('recommendation_actions as a')
      .whereRaw('a.recommendation_agency_id = ra.id')
      .whereNot('a.status', 'completed')
      .where('a.target_date', '<', date);

  /** One row per (recommendation, agency) in the selection. */
  function links(user: User, filters: NationalFilters, date: string): Knex.QueryBuilder {
    const q = db('recommendation_agencies as ra')
      .join('recommendations as rec', 'rec.id', 'ra.recommendation_id')
      .join('reviews as r', 'r.id', 'rec.review_id')
      .join('csps as c', 'c.id', 'r.csp_id')
      .join('organisations as o', 'o.id', 'ra.organisation_id')
      // A national recommendation waiting for triage is no organisation's yet.
      .whereRaw(LIVE_PART);
    if (filters.theme === OTHER_THEME) q.whereRaw("(jsonb_typeof(rec.themes) <> 'array' or rec.themes = '[]'::jsonb)");
    else if (filters.theme) q.whereRaw('rec.themes @> ?::jsonb', [JSON.stringify([filters.theme])]);
    if (filters.kind) q.where('o.kind', filters.kind);
    if (filters.cspId) q.where('r.csp_id', filters.cspId);
    if (filters.overdue) q.whereExists(overdueActions(date));
    // Oversight counts the recommendations of published reviews, as it reads them.
    if (user.role === 'commissioner') q.whereIn('r.state', PUBLISHED_STATES);
    return q;
  }

  function linkFigures(user: User, filters: NationalFilters, date: string) {
    return links(user, filters, date).select(
      'ra.id',
      'rec.id as rec_id',
      'rec.themes',
      'r.csp_id',
      'c.name as csp_name',
      'o.kind',
      'ra.response',
      'ra.implemented_at',
      overdueActions(date).count('*').as('overdue_actions'),
    );
  }

  return {
    /** Totals, and the same by theme, by kind of agency and by CSP. */
    async figures(user: User, input: unknown = {}) {
      allow(user);
      const filters = parseFilters(input);
      const date = today();
      // The selection is read once, and the four tables made from it, in one statement.
      const from = () => db.from('links');
      const json = (q: Knex.QueryBuilder) => db.raw(`(select coalesce(json_agg(x), '[]'::json) from (?) x)`, [q]);
      const [figures] = (await db.with('links', linkFigures(user, filters, date)).select({
        totals: db.raw('(select row_to_json(x) from (?) x)', [from().select(db.raw(AGGREGATES))]),
        // A recommendation counts once under each of its themes; untagged ones under "Other".
        byTheme: json(
          from()
            .joinRaw(
              `cross join lateral (select distinct value as theme from jsonb_array_elements_text(
                 case when jsonb_typeof(links.themes) <> 'array' or links.themes = '[]'::jsonb then '[null]'::jsonb
                 else links.themes end)) as t`,
            )
            .groupBy('t.theme')
            .select('t.theme', db.raw(AGGREGATES)),
        ),
        byKind: json(from().groupBy('kind').select('kind', db.raw(AGGREGATES))),
        byCsp: json(from().groupBy('csp_id', 'csp_name').select('csp_id', 'csp_name', db.raw(AGGREGATES))),
      })) as {
        totals: AggregateRow;
        byTheme: (AggregateRow & { theme: string | null })[];
        byKind: (AggregateRow & { kind: string })[];
        byCsp: (AggregateRow & { csp_id: number; csp_name: string })[];
      }[];
      const { totals, byTheme, byKind, byCsp } = figures!;
      const kindRank = (k: string) => ORGANISATION_KINDS.indexOf(k as OrganisationKind);
      return {
        filters,
        today: date,
        totals: figuresOf(totals),
        byTheme: byTheme
          .map((row) => ({ theme: (row.theme as string | null) ?? OTHER_THEME, ...figuresOf(row) }))
          .sort((a, b) => themeOrder(a.theme, b.theme)),
        byKind: byKind
          .map((row) => ({
            kind: row.kind as OrganisationKind,
            label: KIND_LABELS[row.kind as OrganisationKind] ?? String(row.kind),
            ...figuresOf(row),
          }))
          .sort((a, b) => kindRank(a.kind) - kindRank(b.kind)),
        byCsp: byCsp
          .map((row) => ({ cspId: row.csp_id as number, csp: row.csp_name as string, ...figuresOf(row) }))
          .sort((a, b) => a.csp.localeCompare(b.csp) || a.cspId - b.cspId),
      };
    },

    /** Every (recommendation, agency) in the selection, as the CSV lists them. */
    async rows(user: User, input: unknown = {}) {
      allow(user);
      const filters = parseFilters(input);
      const date = today();
      const actions = () => db('recommendation_actions as a').whereRaw('a.recommendation_agency_id = ra.id');
      const rows: Record<string, unknown>[] = await links(user, filters, date)
        .orderBy([
          { column: 'c.name' },
          { column: 'r.reference' },
          { column: 'rec.position' },
          { column: 'o.name' },
          { column: 'ra.id' },
        ])
        .select(
          'ra.id',
          'r.id as review_id',
          'r.reference',
          'c.id as csp_id',
          'c.name as csp',
          'rec.number',
          'rec.text',
          'rec.themes',
          'o.name as agency',
          'o.kind',
          'ra.response',
          'ra.status',
          actions().clone().where('a.status', 'completed').count('*').as('actions_done'),
          actions().count('*').as('actions_total'),
          overdueActions(date).count('*').as('overdue_actions'),
        );
      return rows.map((r) => ({
        linkId: r.id as number,
        reviewId: r.review_id as number,
        reference: r.reference as string,
        cspId: r.csp_id as number,
        csp: r.csp as string,
        number: r.number as string,
        text: r.text as string,
        themes: Array.isArray(r.themes) ? (r.themes as string[]) : [],
        agency: r.agency as string,
        kind: r.kind as OrganisationKind,
        response: r.response as string | null,
        status: r.status as ScaleStatus,
        actionsDone: Number(r.actions_done),
        actionsTotal: Number(r.actions_total),
        overdueActions: Number(r.overdue_actions),
      }));
    },

    /** The themes recommendations are tagged with: the standard list and any others in use. */
    async themes(user: User) {
      allow(user);
      const used = await db.raw(
        `select distinct value as theme from recommendations as rec cross join lateral jsonb_array_elements_text(
           case when jsonb_typeof(rec.themes) = 'array' then rec.themes else '[]'::jsonb end)`,
      );
      const all = new Set<string>([...THEMES, ...(used.rows as { theme: string }[]).map((u) => u.theme)]);
      all.delete(OTHER_THEME);
      return [...all].sort(themeOrder);
    },

    /** Every organisation with its kind and how many recommendations are addressed to it. */
    async organisations(user: User) {
      allow(user);
      const rows = await db('organisations as o')
        .leftJoin('recommendation_agencies as ra', 'ra.organisation_id', 'o.id')
        .groupBy('o.id', 'o.name', 'o.kind')
        .orderBy([{ column: 'o.name' }, { column: 'o.id' }])
        .select('o.id', 'o.name', 'o.kind', db.raw('count(ra.id)::int as links'));
      return rows.map((r) => ({
        id: r.id as number,
        name: r.name as string,
        kind: r.kind as OrganisationKind,
        links: Number(r.links),
      }));
    },

    async setOrganisationKind(user: User, organisationId: number, input: unknown) {
      if (user.role !== 'secretariat') throw new ForbiddenError('Only the panel secretariat can change organisations');
      const { kind } = parse(kindInputSchema, input);
      const [row] = await db('organisations')
        .where({ id: organisationId })
        .update({ kind })
        .returning(['id', 'name', 'kind']);
      if (!row) throw new NotFoundError('No organisation with this id');
      return { id: row.id as number, name: row.name as string, kind: row.kind as OrganisationKind };
    },

    /**
     * Several kinds at once (the administration page): all or none. An error names the
     * field `kind-<id>`; an id that is not an organisation is refused as a whole.
     */
    async setOrganisationKinds(user: User, changes: { id: number; kind: unknown }[]) {
      if (user.role !== 'secretariat') throw new ForbiddenError('Only the panel secretariat can change organisations');
      const errors = changes
        .filter((c) => !kindSchema.safeParse(c.kind).success)
        .map((c) => ({ field: `kind-${c.id}`, message: 'must be one of the kinds listed' }));
      if (errors.length) throw new ValidationError(errors);
      const valid = changes as { id: number; kind: OrganisationKind }[];
      return db.transaction(async (trx) => {
        let changed = 0;
        for (const c of valid) {
          const n = await trx('organisations').where({ id: c.id }).whereNot({ kind: c.kind }).update({ kind: c.kind });
          changed += Number(n);
        }
        const ids = changes.map((c) => c.id);
        const found = ids.length ? Number((await trx('organisations').whereIn('id', ids).count('* as n'))[0]!.n) : 0;
        if (found !== new Set(ids).size) throw new NotFoundError('No organisation with this id');
        return changed;
      });
    },
  };
}

export type National = ReturnType<typeof createNational>;
