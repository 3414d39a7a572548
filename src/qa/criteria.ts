import { z } from 'zod';
import type { Conn, Db } from '../db/connect';
import type { Clock } from '../core/clock';
import type { User } from '../core/user';
import { ConflictError, ForbiddenError, ValidationError } from '../core/errors';
import { oneLine, optionalText, parse, printable, text } from '../core/validation';

/** One criterion reports are judged against, with the wording of the area the panel may draft from it. */
export interface Criterion {
  /** Stable across versions, so marks and national figures follow a criterion whose words change. */
  key: string;
  title: string;
  description: string;
  /** The draft area's text when the panel turns this criterion, not met, into an area of its letter. */
  areaText: string;
}

export interface CriteriaVersion {
  version: number;
  criteria: Criterion[];
  savedAt: string | null;
  savedBy: string | null;
}

/**
 * What ships: the criteria the panel's letters most often come back to. The secretariat's own
 * list replaces it from the first save; this stays version 0.
 */
export const SHIPPED_CRITERIA: readonly Criterion[] = [
  {
    key: 'anonymity',
    title: 'Anonymity',
    description: 'Real names, dates of birth and other details that could identify anyone are removed or replaced.',
    areaText:
      'Remove or replace every real name, date of birth and other detail that could identify the victim, their family or the perpetrator.',
  },
  {
    key: 'terms_of_reference',
    title: 'Terms of reference',
    description: 'The terms of reference and key lines of enquiry are set out, and the report answers each.',
    areaText: 'Set out the terms of reference and the key lines of enquiry, and show where the report answers each.',
  },
  {
    key: 'panel_membership',
    title: 'Review panel membership',
    description: "The panel's members are listed by role and agency, and the chair's independence is stated.",
    areaText:
      "List the review panel's members by role and agency, and explain how the chair is independent of the agencies involved.",
  },
  {
    key: 'agency_information',
    title: "Use of the agencies' information",
    description: "The agencies' individual management reviews and chronologies are analysed, not only summarised.",
    areaText:
      "Analyse what the agencies' individual management reviews and chronologies show, rather than only summarising them.",
  },
  {
    key: 'family',
    title: 'Family engagement and a tribute',
    description:
      'The family and friends were invited to contribute, their views are reflected, and a tribute is included if they wish.',
    areaText:
      'Describe how the family and friends were invited to contribute, reflect their views, and include a tribute to the victim if the family wish.',
  },
  {
    key: 'coercive_control',
    title: 'Coercive control and economic abuse',
    description: 'Coercive and controlling behaviour and economic abuse are defined and analysed against the facts.',
    areaText:
      'Define coercive and controlling behaviour and economic abuse, and analyse the facts of the case against them.',
  },
  {
    key: 'equality',
    title: 'Equality and diversity',
    description:
      'The protected characteristics of those involved, and any barriers they met in getting help, are considered.',
    areaText:
      'Consider the protected characteristics of the victim and the perpetrator, and any barriers these raised to getting help.',
  },
  {
    key: 'covid',
    title: 'The Covid-19 context',
    description:
      'Where events fall in the pandemic, the effect of the restrictions on the victim and on services is considered.',
    areaText: 'Consider how the pandemic restrictions affected the victim, the perpetrator and the services involved.',
  },
  {
    key: 'smart_recommendations',
    title: 'SMART recommendations',
    description:
      'Recommendations follow from the analysis, each specific, measurable, achievable, relevant, time-bound and owned.',
    areaText:
      'Make each recommendation specific, measurable, achievable, relevant and time-bound, with an owner, and show how it follows from the analysis.',
  },
];

/** The list as shipped, in force until the secretariat saves its own. */
export const SHIPPED_VERSION = { version: 0, criteria: SHIPPED_CRITERIA } as const;

/** The most criteria one list may hold. */
export const MAX_CRITERIA = 40;

/** A key from a title: room is left for a suffix ("_2") within the 60 characters a key may have. */
const keyOf = (title: string) =>
  title
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 50)
    .replace(/_+$/, '') || 'criterion';

const criterionSchema = z.strictObject({
  key: z
    .string({ error: 'must be text' })
    .regex(/^[a-z0-9_]{1,60}$/, { error: 'must be lower-case letters, digits and underscores' })
    .optional(),
  title: printable(oneLine(text(120))),
  description: printable(optionalText(1000)).default(''),
  areaText: printable(text(2000)),
});

const listSchema = z.strictObject({
  /** The version the list was read at: a save from an older one is refused, not silently laid over another's. */
  expectedVersion: z.number({ error: 'must be a whole number' }).int({ error: 'must be a whole number' }).optional(),
  criteria: z
    .array(criterionSchema, { error: 'must be a list of criteria' })
    .min(1, { error: 'must have at least one criterion' })
    .max(MAX_CRITERIA, { error: `must have at most ${MAX_CRITERIA} criteria` }),
});

/** Two lists alike, field by field (a list read back from jsonb has its keys in another order). */
const same = (a: readonly Criterion[], b: readonly Criterion[]) =>
  a.length === b.length &&
  a.every(
    (c, i) =>
      c.key === b[i]!.key &&
      c.title === b[i]!.title &&
      c.description === b[i]!.description &&
      c.areaText === b[i]!.areaText,
  );

/**
 * The QA criteria, versioned: the secretariat edits the list (a new version each save), the
 * panel marks reports against the newest, and marks keep the words they were made with.
 */
export function createQaCriteria(db: Db, clock: Clock) {
  /** Every key any saved version has had. */
  async function keysEverUsed(): Promise<string[]> {
    const { rows } = await db.raw(
      "select distinct c->>'key' as key from qa_criteria_versions v cross join lateral jsonb_array_elements(v.criteria) c",
    );
    return (rows as { key: string }[]).map((r) => r.key);
  }

  async function current(conn: Conn = db): Promise<CriteriaVersion> {
    const row = await conn('qa_criteria_versions as v')
      .leftJoin('users as u', 'u.id', 'v.saved_by')
      .orderBy('v.version', 'desc')
      .first('v.version', 'v.criteria', 'v.saved_at', 'u.name');
    if (!row) return { version: 0, criteria: [...SHIPPED_VERSION.criteria], savedAt: null, savedBy: null };
    return {
      version: row.version,
      criteria: row.criteria,
      savedAt: new Date(row.saved_at).toISOString(),
      savedBy: row.name ?? null,
    };
  }

  return {
    current,

    /** Every version, newest first, the shipped list last. */
    async versions(user: User): Promise<CriteriaVersion[]> {
      if (user.role !== 'secretariat') throw new ForbiddenError('Only the panel secretariat edits the QA criteria');
      const rows = await db('qa_criteria_versions as v')
        .leftJoin('users as u', 'u.id', 'v.saved_by')
        .orderBy('v.version', 'desc')
        .select('v.version', 'v.criteria', 'v.saved_at', 'u.name');
      return [
        ...rows.map((r) => ({
          version: r.version as number,
          criteria: r.criteria as Criterion[],
          savedAt: new Date(r.saved_at).toISOString(),
          savedBy: (r.name as string | null) ?? null,
        })),
        { version: 0, criteria: [...SHIPPED_CRITERIA], savedAt: null, savedBy: null },
      ];
    },

    /**
     * Saves the list as a new version. A criterion keeps its key (so its marks stay together);
     * a new one gets a key from its title. The same list again saves nothing.
     */
    async save(user: User, input: unknown): Promise<{ version: number; changed: boolean }> {
      if (user.role !== 'secretariat') throw new ForbiddenError('Only the panel secretariat edits the QA criteria');
      const data = parse(listSchema, input);
      // Keys given stay theirs; a new criterion never takes a key any version has used, so it
      // never inherits the marks of another criterion, even one since removed.
      const given = data.criteria.map((c) => c.key).filter((k): k is string => Boolean(k));
      const used = new Set<string>([...SHIPPED_CRITERIA.map((c) => c.key), ...(await keysEverUsed()), ...given]);
      const taken = new Set<string>();
      const criteria: Criterion[] = data.criteria.map((c, i) => {
        let key = c.key;
        if (!key) {
          const base = keyOf(c.title);
          key = base;
          for (let n = 2; used.has(key); n++) key = `${base}_${n}`;
          used.add(key);
        }
        if (taken.has(key)) throw ValidationError.field(`criteria.${i}.key`, 'is used by another criterion');
        taken.add(key);
        return { key, title: c.title, description: c.description, areaText: c.areaText };
      });
      const titles = new Set<string>();
      criteria.forEach((c, i) => {
        if (titles.has(c.title.toLowerCase()))
          throw ValidationError.field(`criteria.${i}.title`, "is the same as another criterion's");
        titles.add(c.title.toLowerCase());
      });
      return db.transaction(async (trx) => {
        const now = await current(trx);
        if (same(now.criteria, criteria)) return { version: now.version, changed: false };
        if (data.expectedVersion !== undefined && data.expectedVersion !== now.version) {
          throw new ConflictError(
            `The criteria were saved by someone else (now version ${now.version}) after you opened them. Nothing was changed by this save: reload the page and make your changes again.`,
          );
        }
        try {
          await trx('qa_criteria_versions').insert({
            version: now.version + 1,
            criteria: JSON.stringify(criteria),
            saved_by: user.id,
            saved_at: clock.now(),
          });
        } catch (err) {
          if ((err as { code?: string }).code === '23505')
            throw new ConflictError(
              'Someone saved the criteria at the same moment. Nothing was changed by this save: reload the page and check before saving again.',
            );
          throw err;
        }
        return { version: now.version + 1, changed: true };
      });
    },
  };
}

export type QaCriteria = ReturnType<typeof createQaCriteria>;
