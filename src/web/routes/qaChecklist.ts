import type express from 'express';
import type { Request, Response } from 'express';
import { idParam } from '../../http';
import { MARK_LABELS, MARKS, type MarkRow } from '../../qa/checklist';
import { MAX_CRITERIA, type Criterion } from '../../qa/criteria';
import { NATIONAL_READERS } from '../../core/scope';
import type { WebContext } from '../context';
import { handleForm, render, type PageError } from '../forms';
import { allowRoles } from '../roles';
import { formText } from './secretariat/common';

type Values = Record<string, string>;

/** Empty rows offered after the criteria, to add new ones. */
const SPARE_ROWS = 2;
const MAX_ROWS = 60;

/** "must be at most 2000 characters" in GOV.UK's words. */
const fewer = (said: string) =>
  said.replace(
    /^must be at most (\d+) characters$/,
    (_, n: string) => `must be ${Number(n).toLocaleString('en-GB')} characters or fewer`,
  );

const MARK_OPTIONS = MARKS.map((value) => ({ value, text: MARK_LABELS[value] }));

/**
 * The QA checklist: the secretariat's list of criteria (Administration), the panel's marks and
 * the CSP's self-check on a review's own page, and the national page of the criteria reports
 * fail most.
 */
export function qaChecklistRoutes(router: express.Router, { services }: WebContext) {
  const { qaCriteria, qaChecklist } = services;

  // ---- The review's checklist

  async function checklistPage(
    req: Request,
    res: Response,
    extra: { errors?: PageError[]; values?: Values } = {},
    status = 200,
  ) {
    const review = await services.reviews.view(req.user!, idParam(req));
    const list = await qaChecklist.forReview(req.user!, review.id);
    const mine = list.markingAs === 'panel' ? list.panel : list.selfCheck;
    const byKey = (rows: MarkRow[]) => new Map(rows.map((m) => [m.criterion, m]));
    const saved = byKey(mine);
    const self = byKey(list.selfCheck);
    const panel = byKey(list.panel);
    const values: Values = extra.values ?? {
      ...Object.fromEntries(
        list.criteria.flatMap((c) => [
          [`mark-${c.key}`, saved.get(c.key)?.mark ?? ''],
          [`note-${c.key}`, saved.get(c.key)?.note ?? ''],
        ]),
      ),
      // When these marks were read: a save after someone else's is refused rather than laid over it.
      since: services.clock.now().toISOString(),
    };
    const labelled = (m: MarkRow | undefined, c?: Criterion) =>
      m ? { ...m, label: MARK_LABELS[m.mark], renamed: c !== undefined && m.title !== c.title } : null;
    const listed = new Set(list.criteria.map((c) => c.key));
    render(
      req,
      res,
      'reviews/qa-checklist',
      {
        title: `${list.markingAs === 'csp' ? 'Check your report against the QA criteria' : 'QA checklist'} – ${review.reference}`,
        review,
        markingAs: list.markingAs,
        homeOffice: req.user!.role !== 'csp',
        criteria: list.criteria.map((c: Criterion) => ({
          ...c,
          markName: `mark-${c.key}`,
          noteName: `note-${c.key}`,
          mark: values[`mark-${c.key}`] ?? '',
          note: values[`note-${c.key}`] ?? '',
          selfCheck: labelled(self.get(c.key), c),
          panel: labelled(panel.get(c.key), c),
        })),
        // Marks on criteria since removed from the list stay readable, in the words they were made with.
        removed: [
          ...list.panel.map((m) => ({ ...m, by: 'Panel' })),
          ...list.selfCheck.map((m) => ({ ...m, by: 'Self-check' })),
        ]
          .filter((m) => !listed.has(m.criterion))
          .map((m) => ({ ...m, label: MARK_LABELS[m.mark] })),
        since: values.since,
        markOptions: MARK_OPTIONS,
        selfCheckedAt: list.selfCheck.at(-1)?.recordedAt ?? null,
        errors: extra.errors,
        banner: req.query.saved && !extra.errors ? { success: true, text: 'Checklist saved' } : null,
        backLink: { href: `/reviews/${review.id}`, text: `Back to ${review.reference}` },
      },
      status,
    );
  }

  router.get('/reviews/:id/qa-checklist', async (req, res) => {
    allowRoles(
      req,
      ['secretariat', 'panel', 'csp'],
      'Only the panel, its secretariat and the CSP use the QA checklist',
    );
    await checklistPage(req, res);
  });

  router.post('/reviews/:id/qa-checklist', async (req, res) => {
    const id = idParam(req);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const values: Values = Object.fromEntries(
      Object.keys(body)
        .filter((k) => /^(mark|note)-[a-z0-9_]{1,60}$/.test(k))
        .map((k) => [k, formText(body[k])]),
    );
    const since = formText(body.since);
    values.since = since;
    const keys = [...new Set(Object.keys(values).flatMap((k) => /^(?:mark|note)-(.+)$/.exec(k)?.[1] ?? []))];
    const marks = keys
      .filter((key) => values[`mark-${key}`])
      .map((criterion) => ({ criterion, mark: values[`mark-${criterion}`], note: values[`note-${criterion}`] ?? '' }));
    // A note on a criterion left unmarked would be lost: ask for its mark instead.
    const orphan = keys.find((key) => !values[`mark-${key}`] && values[`note-${key}`]?.trim());
    const redraw = async (errors: PageError[], status: number) => {
      const list = await qaChecklist.forReview(req.user!, id);
      const first = list.criteria[0]?.key ?? '';
      const title = (key: string | undefined) => list.criteria.find((c) => c.key === key)?.title;
      const placed = errors.map((e): PageError => {
        // A refusal of the whole form (409) keeps its reason.
        if (e.field === 'body') return e;
        const at = /^marks\.(\d+)\.(mark|note|criterion)$/.exec(e.field);
        const key = at ? marks[Number(at[1])]?.criterion : undefined;
        if (at && !title(key)) {
          const message =
            'The list of criteria changed after you opened this page: reload it, then mark the report again';
          return { field: 'body', message, href: '#main-content' };
        }
        if (!at) {
          const message = 'Select met, partly met or not met for at least one criterion';
          return { field: `mark-${first}`, message, href: `#mark-${first}` };
        }
        const field = at[2] === 'note' ? `note-${key}` : `mark-${key}`;
        const message =
          at[2] === 'note'
            ? `The note on ${title(key)} ${fewer(e.said ?? e.message)}`
            : `Select met, partly met or not met for ${title(key)}`;
        return { field, message, href: `#${field}` };
      });
      await checklistPage(req, res, { errors: placed, values }, status);
    };
    if (orphan) {
      const list = await qaChecklist.forReview(req.user!, id);
      const name = list.criteria.find((c) => c.key === orphan)?.title ?? 'this criterion';
      const field = `mark-${orphan}`;
      const message = `Select met, partly met or not met for ${name}, or clear its note`;
      return checklistPage(req, res, { errors: [{ field, message, href: `#${field}` }], values }, 422);
    }
    await handleForm(async () => {
      await qaChecklist.save(req.user!, id, { marks, ...(since ? { since } : {}) });
      res.redirect(`/reviews/${id}/qa-checklist?saved=1`);
    }, redraw);
  });

  // ---- The criteria (the secretariat)

  interface Row {
    key: string;
    title: string;
    description: string;
    areaText: string;
    remove: boolean;
  }

  async function criteriaPage(
    req: Request,
    res: Response,
    extra: { errors?: PageError[]; rows?: Row[]; expectedVersion?: string } = {},
    status = 200,
  ) {
    const versions = await qaCriteria.versions(req.user!);
    const current = versions[0]!;
    const rows: Row[] = extra.rows ?? [
      ...current.criteria.map((c) => ({ ...c, remove: false })),
      ...Array.from({ length: SPARE_ROWS }, () => ({
        key: '',
        title: '',
        description: '',
        areaText: '',
        remove: false,
      })),
    ];
    render(
      req,
      res,
      'secretariat/admin/qa-criteria',
      {
        title: 'QA criteria',
        current,
        versions,
        rows: rows.map((r, i) => ({ ...r, number: i + 1, prefix: `criteria-${i}` })),
        rowCount: rows.length,
        moreRows: rows.length + SPARE_ROWS <= MAX_ROWS,
        // The version the rows were read at, kept through a page drawn again with errors.
        expectedVersion: extra.expectedVersion ?? String(current.version),
        errors: extra.errors,
        banner:
          req.query.saved && !extra.errors
            ? { success: true, text: `QA criteria saved as version ${current.version}` }
            : null,
        backLink: { href: '/admin', text: 'Administration' },
      },
      status,
    );
  }

  router.get('/admin/qa-criteria', async (req, res) => {
    await criteriaPage(req, res);
  });

  router.post('/admin/qa-criteria', async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const count = Math.min(Math.max(Number(body.rows) || 0, 0), MAX_ROWS);
    const rows: Row[] = Array.from({ length: count }, (_, i) => ({
      key: formText(body[`criteria-${i}-key`]).trim(),
      title: formText(body[`criteria-${i}-title`]).trim(),
      description: formText(body[`criteria-${i}-description`]).trim(),
      areaText: formText(body[`criteria-${i}-areaText`]).trim(),
      remove: body[`criteria-${i}-remove`] === 'yes',
    }));
    const expectedVersion = formText(body.expectedVersion);
    if (body.action === 'more') {
      const more = Array.from({ length: SPARE_ROWS }, () => ({
        key: '',
        title: '',
        description: '',
        areaText: '',
        remove: false,
      }));
      // At most MAX_ROWS rows: past that, the page is drawn again as it was.
      return criteriaPage(req, res, {
        rows: count + SPARE_ROWS <= MAX_ROWS ? [...rows, ...more] : rows,
        expectedVersion,
      });
    }
    // Rows kept: neither removed nor left empty; each remembers its row on the page for errors.
    const kept = rows
      .map((r, i) => ({ r, i }))
      .filter(({ r }) => !r.remove && (r.title || r.description || r.areaText));
    await handleForm(
      async () => {
        await qaCriteria.save(req.user!, {
          ...(/^\d{1,9}$/.test(expectedVersion) ? { expectedVersion: Number(expectedVersion) } : {}),
          criteria: kept.map(({ r }) => ({
            ...(r.key ? { key: r.key } : {}),
            title: r.title,
            description: r.description,
            areaText: r.areaText,
          })),
        });
        res.redirect('/admin/qa-criteria?saved=1');
      },
      (errors, status) =>
        criteriaPage(
          req,
          res,
          {
            rows,
            expectedVersion,
            errors: errors.map((e): PageError => {
              if (e.field === 'body') return e;
              const at = /^criteria\.(\d+)\.(title|description|areaText|key)$/.exec(e.field);
              if (!at) {
                const field = 'criteria-0-title';
                const message = /at most/.test(e.said ?? '')
                  ? `There can be at most ${MAX_CRITERIA} criteria: remove some`
                  : 'Enter at least one criterion';
                return { field, message, href: rows.length ? `#${field}` : '#main-content' };
              }
              const row = kept[Number(at[1])]?.i ?? 0;
              const part = at[2] === 'key' ? 'title' : at[2]!;
              const field = `criteria-${row}-${part}`;
              const label = { title: 'The title', description: 'The description', areaText: 'The draft area' }[part];
              const said = e.said ?? e.message;
              const message = /must not be empty|is required/.test(said)
                ? `Enter ${label!.replace(/^The /, 'the ')} of criterion ${row + 1}, or tick Remove`
                : `${label} of criterion ${row + 1} ${fewer(said)}`;
              return { field, message, href: `#${field}` };
            }),
          },
          status,
        ),
    );
  });

  // ---- Nationally: which criteria reports fail most

  router.get('/national/qa-criteria', async (req, res) => {
    const user = allowRoles(req, NATIONAL_READERS, 'Only the panel, its secretariat and oversight can see this page');
    const figures = await qaChecklist.national(user);
    render(req, res, 'national/qa-criteria', {
      title: 'QA criteria not met, by year',
      ...figures,
      backLink: { href: '/national', text: 'Recommendations across England and Wales' },
    });
  });
}
