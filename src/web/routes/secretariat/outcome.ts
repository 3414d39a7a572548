import type express from 'express';
import type { Request, Response } from 'express';
import { longDate } from '../../../core/dates';
import { AppError, ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../../core/errors';
import type { FieldError } from '../../../core/errors';
import { isHomeOffice } from '../../../core/scope';
import { stateLabel } from '../../../workflow/lifecycle';
import type { Area } from '../../../workflow/types';
import type { PageError } from '../../forms';
import { inGovukWords, render } from '../../forms';
import type { WebContext } from '../../context';
import { splitAreas } from '../../pasteAreas';
import { idParam } from '../../../http';
import { formText, linesOf } from './common';
import { MARK_LABELS } from '../../../qa/checklist';

/** Empty rows offered after the areas, to add ones the paste missed. */
const SPARE_ROWS = 3;
/** The most areas a letter may have (the service refuses more), and the most rows the form carries. */
const MAX_AREAS = 200;
const MAX_ROWS = 250;

const OUTCOME_OPTIONS = [
  {
    value: 'publish',
    text: 'Publish',
    hint: 'The report may be published as it is. There are no areas for development.',
  },
  {
    value: 'publish_after_changes',
    text: 'Publish after changes',
    hint: 'The report may be published once the areas for final development are made. It does not come back to the panel.',
  },
  {
    value: 'resubmit',
    text: 'Revise and resubmit',
    hint: 'The report must be revised in the areas listed and come back to the panel.',
  },
];

interface Row {
  heading: string;
  text: string;
  /** The area's points, one per line. */
  points: string;
  remove: boolean;
}

interface Draft {
  outcome: string;
  commendations: string;
  pasted: string;
  rows: Row[];
}

/** The rows of the confirmation step as the form sent them, in order, empty ones included. */
function rowsFrom(body: Record<string, unknown>): Row[] {
  const count = Math.min(Math.max(Number(body.rows) || 0, 0), MAX_ROWS);
  return Array.from({ length: count }, (_, i) => ({
    heading: formText(body[`areas-${i}-heading`]).trim(),
    text: formText(body[`areas-${i}-text`]).trim(),
    points: formText(body[`areas-${i}-points`]).trim(),
    remove: body[`areas-${i}-remove`] === 'yes',
  }));
}

/** The areas to save: rows neither removed nor empty, and for each the row it came from (for errors). */
function areasFrom(rows: Row[]): { areas: Area[]; rowOf: number[] } {
  const areas: Area[] = [];
  const rowOf: number[] = [];
  rows.forEach((row, i) => {
    if (row.remove || (!row.heading && !row.text && !row.points)) return;
    areas.push({ heading: row.heading || null, text: row.text, points: linesOf(row.points) });
    rowOf.push(i);
  });
  return { areas, rowOf };
}

const spare = (): Row[] =>
  Array.from({ length: SPARE_ROWS }, () => ({ heading: '', text: '', points: '', remove: false }));

const rowOfArea = (a: { heading?: string | null; text: string; points?: string[] }): Row => ({
  heading: a.heading ?? '',
  text: a.text,
  points: (a.points ?? []).join('\n'),
  remove: false,
});

/**
 * The service's errors in the words of this page, each at its field: the areas'
 * errors name the row as numbered on screen, not the position in what was saved.
 */
function outcomeErrors(errors: FieldError[], draft: Draft, rowOf: number[]): PageError[] {
  const kind = draft.outcome === 'resubmit' ? 'revision' : 'final development';
  const worded = errors.map((e): PageError => {
    const area = /^areas\.(\d+)\.(heading|text|points)(?:\.(\d+))?$/.exec(e.field);
    if (area) {
      const row = rowOf[Number(area[1])] ?? 0;
      const field = `areas-${row}-${area[2]}`;
      if (area[2] === 'text' && /must not be empty|is required/.test(e.message)) {
        return { field, message: `Enter the text of area ${row + 1}, or tick Remove`, href: `#${field}` };
      }
      const what =
        area[2] === 'heading'
          ? 'The heading'
          : area[2] === 'points'
            ? area[3] !== undefined
              ? `Point ${Number(area[3]) + 1}`
              : 'The points'
            : 'The text';
      return { field, message: inGovukWords(`${what} of area ${row + 1}`, e.message), href: `#${field}` };
    }
    switch (e.field) {
      case 'outcome':
        return { field: 'outcome', message: "Select the panel's outcome", href: '#outcome' };
      case 'commendations':
        return { field: 'commendations', message: inGovukWords('Commendations', e.message), href: '#commendations' };
      case 'areas': {
        const message =
          draft.outcome === 'publish'
            ? 'A report published as it is has no areas for development: remove them, or choose another outcome'
            : /at least one/.test(e.message)
              ? `Add at least one area for ${kind}`
              : `The list of areas ${e.message}`;
        // Shown at the text of the first area (or of the first row, when there is none).
        const field = `areas-${rowOf[0] ?? 0}-text`;
        return { field, message, href: `#${field}` };
      }
      default:
        return { field: 'body', message: e.message, href: '#main-content' };
    }
  });
  // One error for each field: the first the service gave (an area's points may have several).
  return worded.filter((e, i) => e.field === 'body' || worded.findIndex((o) => o.field === e.field) === i);
}

/**
 * Recording (or correcting) the panel's outcome for a review on a meeting's agenda:
 * the outcome, the commendations and the list of areas pasted from the panel's notes,
 * split into items (src/web/pasteAreas.ts) that the secretary confirms before saving.
 */
export function outcomeRoutes(router: express.Router, { services }: WebContext) {
  const PATH = '/meetings/:meetingId/reviews/:reviewId/outcome';

  /** The meeting and the review, refusing what is not on its agenda or past its outcome. */
  async function load(req: Request) {
    const user = req.user!;
    if (!isHomeOffice(user)) throw new ForbiddenError('Only the panel and its secretariat can record outcomes');
    const meeting = await services.meetings.get(user, idParam(req, 'meetingId'));
    const reviewId = idParam(req, 'reviewId');
    // On the agenda: scheduled for this meeting now (or assessed at it and still waiting for its letter).
    if (!meeting.reviews.some((r) => r.id === reviewId && r.currentMeeting)) throw new NotFoundError();
    const review = await services.reviews.view(user, reviewId);
    const type = review.allowedEvents.includes('AMEND_OUTCOME')
      ? 'AMEND_OUTCOME'
      : review.allowedEvents.includes('RECORD_OUTCOME')
        ? 'RECORD_OUTCOME'
        : null;
    if (!type && review.state === 'scheduled' && !meeting.held) {
      throw new ConflictError(
        `The panel meeting on ${longDate(meeting.date)} has not taken place yet: its outcomes can be recorded from the day of the meeting`,
      );
    }
    if (!type) {
      throw new ConflictError(
        `The outcome cannot be recorded or corrected now: the review is ${stateLabel(review.state)}`,
      );
    }
    return { meeting, review, type } as const;
  }

  type Loaded = Awaited<ReturnType<typeof load>>;

  async function show(
    req: Request,
    res: Response,
    { meeting, review, type }: Loaded,
    step: 'paste' | 'confirm',
    draft: Draft,
    extra: { notes?: string[]; unused?: { text: string; reason: string }[]; errors?: PageError[] } = {},
    status = 200,
  ) {
    const amend = type === 'AMEND_OUTCOME';
    // The criteria the panel marked not met or partly met, each offered as an area in one click.
    const unmet =
      step === 'confirm'
        ? (await services.qaChecklist.unmet(req.user!, review.id)).map((m) => ({
            ...m,
            label: MARK_LABELS[m.mark],
            added: draft.rows.some((r) => !r.remove && r.heading === m.title && r.text === m.areaText),
          }))
        : [];
    render(
      req,
      res,
      'secretariat/meetings/outcome',
      {
        title: `${amend ? 'Correct' : 'Record'} the outcome – ${review.reference}`,
        meeting,
        review,
        amend,
        step,
        action: `/meetings/${meeting.id}/reviews/${review.id}/outcome`,
        outcomeOptions: OUTCOME_OPTIONS,
        values: { outcome: draft.outcome, commendations: draft.commendations, pasted: draft.pasted },
        rows: draft.rows.map((row, i) => ({
          ...row,
          number: i + 1,
          headingName: `areas-${i}-heading`,
          textName: `areas-${i}-text`,
          pointsName: `areas-${i}-points`,
          removeName: `areas-${i}-remove`,
        })),
        rowCount: draft.rows.length,
        notes: extra.notes ?? [],
        unused: extra.unused ?? [],
        unmet,
        errors: extra.errors,
        backLink: { href: `/meetings/${meeting.id}`, text: `Panel meeting of ${longDate(meeting.date)}` },
      },
      status,
    );
  }

  router.get(PATH, async (req, res) => {
    const loaded = await load(req);
    const round = loaded.type === 'AMEND_OUTCOME' ? loaded.review.rounds.at(-1) : undefined;
    if (!round) return show(req, res, loaded, 'paste', { outcome: '', commendations: '', pasted: '', rows: [] });
    // Correcting: start from what was recorded, as rows to change, or paste afresh.
    const draft: Draft = {
      outcome: round.outcome ?? '',
      commendations: round.commendations ?? '',
      pasted: '',
      rows: [...round.items.map(rowOfArea), ...spare()],
    };
    show(req, res, loaded, req.query.paste ? 'paste' : 'confirm', draft);
  });

  router.post(PATH, async (req, res) => {
    const loaded = await load(req);
    const body = req.body as Record<string, unknown>;
    const draft: Draft = {
      outcome: formText(body.outcome),
      commendations: formText(body.commendations),
      pasted: formText(body.pasted),
      rows: rowsFrom(body),
    };

    if (body.action === 'split') {
      const { areas, unused, notes } = splitAreas(draft.pasted);
      if (areas.length > MAX_AREAS) {
        // More than a letter may hold: the paste is not a list of areas, and drawing it all would be no help.
        const message = `The pasted text reads as ${areas.length.toLocaleString('en-GB')} areas, and a letter can have at most ${MAX_AREAS}. Paste only the panel's list of areas`;
        return show(req, res, loaded, 'paste', draft, { errors: [{ field: 'pasted', message, href: '#pasted' }] }, 422);
      }
      if (!draft.pasted.trim()) {
        notes.push(
          draft.outcome === 'publish'
            ? 'Nothing was pasted: a report published as it is has no areas.'
            : 'Nothing was pasted. Type the areas below.',
        );
      }
      return show(
        req,
        res,
        loaded,
        'confirm',
        { ...draft, rows: [...areas.map(rowOfArea), ...spare()] },
        { notes, unused },
      );
    }
    // Back to the pasted text, with the outcome and commendations as typed.
    if (body.action === 'paste') return show(req, res, loaded, 'paste', draft);
    if (body.action === 'more') {
      return show(req, res, loaded, 'confirm', { ...draft, rows: [...draft.rows, ...spare()] });
    }
    // "Add as an area": a criterion the panel did not find met, drafted as an area (once).
    if (String(body.action ?? '').startsWith('criterion:')) {
      const criterion = String(body.action).slice('criterion:'.length);
      const mark = (await services.qaChecklist.unmet(req.user!, loaded.review.id)).find(
        (m) => m.criterion === criterion,
      );
      const filled = draft.rows.filter((r) => r.heading || r.text || r.points || r.remove);
      const already = mark && filled.some((r) => !r.remove && r.heading === mark.title && r.text === mark.areaText);
      const added: Row[] =
        mark && !already ? [{ heading: mark.title, text: mark.areaText, points: mark.note, remove: false }] : [];
      return show(req, res, loaded, 'confirm', { ...draft, rows: [...filled, ...added, ...spare()] });
    }

    const { areas, rowOf } = areasFrom(draft.rows);
    try {
      const after = await services.reviews.sendEvent(req.user!, loaded.review.id, {
        type: loaded.type,
        outcome: draft.outcome || undefined,
        commendations: draft.commendations,
        areas,
        expectedVersion: Number(body.expectedVersion) || undefined,
      });
      const letter = after.letters.filter((l) => l.status === 'draft').at(-1);
      res.redirect(letter ? `/letters/${letter.id}?done=${loaded.type}` : `/reviews/${after.id}?done=${loaded.type}`);
    } catch (err) {
      if (err instanceof ValidationError) {
        return show(req, res, loaded, 'confirm', draft, { errors: outcomeErrors(err.errors, draft, rowOf) }, 422);
      }
      if (err instanceof AppError && err.status === 409) {
        const errors = [{ field: 'body', message: err.message, href: '#main-content' }];
        return show(req, res, loaded, 'confirm', draft, { errors }, 409);
      }
      throw err;
    }
  });
}
