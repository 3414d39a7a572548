import { z } from 'zod';
import type { Conn, Db } from '../db/connect';
import type { Clock } from '../core/clock';
import type { User } from '../core/user';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../core/errors';
import { isHomeOffice, PUBLISHED_STATES, readsNational, visibleReviews } from '../core/scope';
import { optionalText, parse, printable } from '../core/validation';
import { stateLabel } from '../workflow/lifecycle';
import type { ReviewState } from '../workflow/types';
import { MAX_CRITERIA, SHIPPED_VERSION, type Criterion, type QaCriteria } from './criteria';

export const MARKS = ['met', 'partly', 'not_met'] as const;
export type Mark = (typeof MARKS)[number];
export const MARK_LABELS: Record<Mark, string> = { met: 'Met', partly: 'Partly met', not_met: 'Not met' };

/** The panel marks a review against the criteria while it is on a meeting's agenda, until its letter goes. */
const PANEL_STATES: readonly ReviewState[] = ['scheduled', 'letter_pending'];
/** The CSP checks its own report before it submits it, first or after revising. */
const SELF_CHECK_STATES: readonly ReviewState[] = ['notified', 'revising'];

const marksSchema = z.strictObject({
  /** When the marks were read (ISO): a save is refused if someone else saved after it, rather than laid over theirs. */
  since: z.iso.datetime({ error: 'must be a date and time such as 2026-03-02T09:00:00Z' }).optional(),
  marks: z
    .array(
      z.strictObject({
        criterion: z.string({ error: 'must be text' }).max(60, { error: 'is not one of the QA criteria' }),
        mark: z.enum(MARKS, { error: `must be one of ${MARKS.join(', ')}` }),
        note: printable(optionalText(2000)).default(''),
      }),
      { error: 'must be a list of marks' },
    )
    .min(1, { error: 'must mark at least one criterion' })
    .max(MAX_CRITERIA, { error: `must have at most ${MAX_CRITERIA} marks` }),
});

export interface MarkRow {
  criterion: string;
  title: string;
  areaText: string;
  mark: Mark;
  note: string;
  recordedAt: string;
  recordedBy: string;
}

/**
 * The QA checklist of one review: the panel's marks for the meeting that assesses it, and the
 * CSP's self-check against the same list. The panel and the secretariat see both; the CSP sees
 * its own self-check (the panel's marks are its working papers, like a draft letter).
 */
export function createQaChecklist(db: Db, clock: Clock, criteria: QaCriteria) {
  async function reviewOf(user: User, reviewId: number, conn: Conn = db) {
    const review = await visibleReviews(conn, user)
      .where('r.id', reviewId)
      .first('r.id', 'r.state', 'r.reference', conn.raw("(r.context->>'meetingId')::int as meeting_id"));
    if (!review) throw new NotFoundError('No review with this id');
    return review as { id: number; state: ReviewState; reference: string; meeting_id: number | null };
  }

  async function marksOf(reviewId: number, source: 'panel' | 'csp', meetingId: number | null): Promise<MarkRow[]> {
    const q = db('qa_marks as m')
      .join('users as u', 'u.id', 'm.recorded_by')
      .where({ 'm.review_id': reviewId, 'm.source': source })
      .orderBy('m.id');
    if (meetingId) q.where('m.panel_meeting_id', meetingId);
    const rows = await q.select('m.criterion', 'm.title', 'm.area_text', 'm.mark', 'm.note', 'm.recorded_at', 'u.name');
    return rows.map((r) => ({
      criterion: r.criterion,
      title: r.title,
      areaText: r.area_text,
      mark: r.mark,
      note: r.note,
      recordedAt: new Date(r.recorded_at).toISOString(),
      recordedBy: r.name,
    }));
  }

  /** Who may mark the review now, and as whom: the panel (for its meeting) or the CSP (a self-check). */
  function markingAs(user: User, review: { state: ReviewState; meeting_id: number | null }) {
    if (isHomeOffice(user)) return PANEL_STATES.includes(review.state) && review.meeting_id ? 'panel' : null;
    if (user.role === 'csp') return SELF_CHECK_STATES.includes(review.state) ? 'csp' : null;
    return null;
  }

  return {
    /** The checklist as the user sees it, read in one statement with the review and the current criteria. */
    async forReview(user: User, reviewId: number) {
      if (!isHomeOffice(user) && user.role !== 'csp')
        throw new ForbiddenError('Only the panel, its secretariat and the CSP use the QA checklist');
      const row = await visibleReviews(db, user)
        .where('r.id', reviewId)
        .first(
          'r.id',
          'r.state',
          db.raw("(r.context->>'meetingId')::int as meeting_id"),
          db.raw(`(select json_build_object('version', v.version, 'criteria', v.criteria)
                     from qa_criteria_versions v order by v.version desc limit 1) as current`),
          db.raw(`(select coalesce(json_agg(json_build_object('source', m.source, 'criterion', m.criterion,
                      'title', m.title, 'areaText', m.area_text, 'mark', m.mark, 'note', m.note,
                      'recordedAt', m.recorded_at, 'recordedBy', u.name) order by m.id), '[]'::json)
                     from qa_marks m join users u on u.id = m.recorded_by
                    where m.review_id = r.id and (m.source = 'csp'
                       or m.panel_meeting_id = (r.context->>'meetingId')::int)) as marks`),
        );
      if (!row) throw new NotFoundError('No review with this id');
      const current = (row.current as { version: number; criteria: readonly Criterion[] } | null) ?? SHIPPED_VERSION;
      const marks = (row.marks as (MarkRow & { source: string })[]).map(({ source, ...m }) => ({
        source,
        mark: { ...m, recordedAt: new Date(m.recordedAt).toISOString() },
      }));
      const of = (source: string) => marks.filter((m) => m.source === source).map((m) => m.mark);
      return {
        version: current.version,
        criteria: current.criteria,
        markingAs: markingAs(user, row),
        meetingId: row.meeting_id as number | null,
        // The panel's marks are its working papers: the CSP sees its own self-check only.
        panel: isHomeOffice(user) ? of('panel') : [],
        selfCheck: of('csp'),
      };
    },

    /**
     * Saves marks: the panel's for the meeting the review is on, or the CSP's self-check. A mark
     * sent again replaces the one before; criteria not sent keep theirs.
     */
    async save(user: User, reviewId: number, input: unknown) {
      if (!isHomeOffice(user) && user.role !== 'csp')
        throw new ForbiddenError('Only the panel, its secretariat and the CSP use the QA checklist');
      const { marks, since } = parse(marksSchema, input);
      const current = await criteria.current();
      const byKey = new Map(current.criteria.map((c) => [c.key, c]));
      const problems = marks.flatMap((m, i) => [
        ...(byKey.has(m.criterion)
          ? []
          : [{ field: `marks.${i}.criterion`, message: 'is not one of the QA criteria' }]),
        ...(marks.findIndex((o) => o.criterion === m.criterion) < i
          ? [{ field: `marks.${i}.criterion`, message: 'is marked twice' }]
          : []),
      ]);
      if (problems.length) throw new ValidationError(problems);
      return db.transaction(async (trx) => {
        // Saves of one review's checklist take turns with each other and with its events.
        const locked = await trx('reviews').where({ id: reviewId }).forUpdate().first('id');
        const review = locked && (await reviewOf(user, reviewId, trx));
        if (!review) throw new NotFoundError('No review with this id');
        const source = markingAs(user, review);
        if (!source) {
          throw new ConflictError(
            isHomeOffice(user)
              ? `The panel marks a review against the QA criteria while it is on a meeting's agenda; this review is ${stateLabel(review.state)}.`
              : `A self-check is made before the report is submitted; this review is ${stateLabel(review.state)}.`,
          );
        }
        const meetingId = source === 'panel' ? review.meeting_id : null;
        if (since) {
          const later = trx('qa_marks as m')
            .join('users as u', 'u.id', 'm.recorded_by')
            .where({ 'm.review_id': review.id, 'm.source': source })
            .where('m.recorded_at', '>', since)
            .whereNot('m.recorded_by', user.id);
          if (meetingId) later.where('m.panel_meeting_id', meetingId);
          const other = await later.first('u.name');
          if (other) {
            throw new ConflictError(
              `${other.name} saved this checklist after you opened it. Nothing was changed by this save: reload the page to see their marks, then make yours.`,
            );
          }
        }
        const scope = trx('qa_marks')
          .where({ review_id: review.id, source })
          .whereIn(
            'criterion',
            marks.map((m) => m.criterion),
          );
        if (meetingId) scope.where('panel_meeting_id', meetingId);
        else scope.whereNull('panel_meeting_id');
        await scope.delete();
        const now = clock.now();
        await trx('qa_marks').insert(
          marks.map((m) => ({
            review_id: review.id,
            source,
            panel_meeting_id: meetingId,
            criteria_version: current.version,
            criterion: m.criterion,
            title: byKey.get(m.criterion)!.title,
            area_text: byKey.get(m.criterion)!.areaText,
            mark: m.mark,
            note: m.note,
            recorded_by: user.id,
            recorded_at: now,
          })),
        );
        await trx('review_events').insert({
          review_id: review.id,
          type: source === 'panel' ? 'QA_CHECKLIST_MARKED' : 'QA_SELF_CHECK_RECORDED',
          payload: JSON.stringify({
            marked: marks.length,
            notMet: marks.filter((m) => m.mark === 'not_met').length,
            partly: marks.filter((m) => m.mark === 'partly').length,
          }),
          from_state: review.state,
          to_state: review.state,
          actor_id: user.id,
          at: now,
        });
        return { source, marked: marks.length };
      });
    },

    /** The criteria the panel marked not met or partly met for the review's meeting: the outcome step offers each as an area. */
    async unmet(user: User, reviewId: number): Promise<MarkRow[]> {
      if (!isHomeOffice(user)) return [];
      const review = await reviewOf(user, reviewId);
      if (!review.meeting_id) return [];
      return (await marksOf(review.id, 'panel', review.meeting_id)).filter((m) => m.mark !== 'met');
    },

    /**
     * Which criteria reports fail most, by the year of the meeting that assessed them: each
     * criterion's panel marks counted as not met, partly met and assessed. Oversight counts
     * those of published reviews.
     */
    async national(user: User) {
      if (!readsNational(user))
        throw new ForbiddenError('Only the panel, its secretariat and oversight can see the national figures');
      const q = db('qa_marks as m')
        .join('panel_meetings as pm', 'pm.id', 'm.panel_meeting_id')
        .join('reviews as r', 'r.id', 'm.review_id')
        .where('m.source', 'panel')
        // Counted for a meeting that assessed the report (recorded its outcome), not one it was taken off.
        .whereExists(
          db('rounds as ro').whereRaw('ro.review_id = m.review_id and ro.panel_meeting_id = m.panel_meeting_id'),
        )
        .groupBy('m.criterion', 'year')
        .select(
          'm.criterion',
          db.raw('extract(year from pm.date)::int as year'),
          db.raw('count(*)::int as assessed'),
          db.raw("(count(*) filter (where m.mark = 'not_met'))::int as not_met"),
          db.raw("(count(*) filter (where m.mark = 'partly'))::int as partly"),
          db.raw('(array_agg(m.title order by m.id desc))[1] as title'),
        );
      if (user.role === 'commissioner') q.whereIn('r.state', PUBLISHED_STATES);
      const rows = await q;
      const current = await criteria.current();
      const titles = new Map(current.criteria.map((c) => [c.key, c.title]));
      const years = [...new Set(rows.map((r) => r.year as number))].sort((a, b) => b - a);
      const byCriterion = new Map<
        string,
        { key: string; title: string; failing: number; years: Map<number, object> }
      >();
      for (const r of rows) {
        const entry = byCriterion.get(r.criterion) ?? {
          key: r.criterion,
          title: titles.get(r.criterion) ?? r.title,
          failing: 0,
          years: new Map(),
        };
        entry.failing += r.not_met + r.partly;
        entry.years.set(r.year, { assessed: r.assessed, notMet: r.not_met, partly: r.partly });
        byCriterion.set(r.criterion, entry);
      }
      const empty = { assessed: 0, notMet: 0, partly: 0 };
      return {
        years,
        criteria: [...byCriterion.values()]
          .sort((a, b) => b.failing - a.failing || a.title.localeCompare(b.title))
          .map((c) => ({
            key: c.key,
            title: c.title,
            failing: c.failing,
            byYear: years.map((year) => ({ year, ...((c.years.get(year) as typeof empty) ?? empty) })),
          })),
      };
    },
  };
}

export type QaChecklist = ReturnType<typeof createQaChecklist>;
