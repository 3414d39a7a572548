import type express from 'express';
import type { Request, Response } from 'express';
import { isOrganisationKind, KIND_LABELS, ORGANISATION_KINDS } from '../../recommendations/kinds';
import type { Figures, NationalFilters } from '../../services/national';
import { RESPONSE_LABELS } from '../../recommendations/labels';
import { SCALE_LABELS } from '../../recommendations/status';
import { OTHER_THEME } from '../../recommendations/themes';
import { toIsoDate } from '../../core/clock';
import { toCsv } from '../csv';
import { handleForm, render, type PageError } from '../forms';
import type { WebContext } from '../context';
import { shareChart } from '../shareChart';
import { allowRoles } from '../roles';
import { NATIONAL_READERS } from '../../core/scope';
import { formText, queryText } from './secretariat/common';

const KIND_OPTIONS = ORGANISATION_KINDS.map((k) => ({ value: k, text: KIND_LABELS[k] }));

/**
 * The filters as the GET form (or a bookmarked link) sent them. As on the list of
 * reviews, a value that cannot be one is dropped, as if left empty.
 */
function filtersFrom(query: Record<string, unknown>, themes: string[]) {
  const theme = queryText(query.theme);
  const kind = queryText(query.kind);
  const cspId = queryText(query.cspId);
  return {
    theme: theme === OTHER_THEME || themes.includes(theme) ? theme : '',
    kind: isOrganisationKind(kind) ? kind : '',
    cspId: /^\d{1,9}$/.test(cspId) ? cspId : '',
    overdue: queryText(query.overdue) === 'true' ? 'true' : '',
  };
}
type PageFilters = ReturnType<typeof filtersFrom>;

const given = (filters: PageFilters) =>
  Object.fromEntries(Object.entries(filters).filter(([, v]) => v !== '')) as Record<string, string>;

const serviceFilters = (filters: PageFilters): NationalFilters => ({
  ...(filters.theme ? { theme: filters.theme } : {}),
  ...(filters.kind ? { kind: filters.kind as NationalFilters['kind'] } : {}),
  ...(filters.cspId ? { cspId: Number(filters.cspId) } : {}),
  ...(filters.overdue ? { overdue: true } : {}),
});

/** A link to the page (or the CSV) with these filters. */
function hrefWith(path: string, filters: Record<string, string>) {
  const qs = new URLSearchParams(filters).toString();
  return qs ? `${path}?${qs}` : path;
}

const share = (p: number | null) => (p === null ? '–' : `${p}%`);

/** A row of figures as the tables show them: each count with its share. */
const shown = (f: Figures) => ({
  ...f,
  respondedShare: share(f.respondedPercent),
  acceptedShare: share(f.acceptedPercent),
  implementedShare: share(f.implementedPercent),
});

/** The national view of recommendations, and the secretariat's list of organisations and their kinds. */
export function nationalRoutes(router: express.Router, { services }: WebContext) {
  const { national, directory } = services;

  router.get('/national', async (req, res) => {
    const user = allowRoles(req, NATIONAL_READERS, 'Only the panel, its secretariat and oversight can see this page');
    const themes = await national.themes(user);
    const filters = filtersFrom(req.query as Record<string, unknown>, themes);
    const current = given(filters);
    const [figures, csps] = await Promise.all([
      national.figures(user, serviceFilters(filters)),
      directory.cspNames(user),
    ]);
    // The filters always in the form's order, whichever one a link adds.
    const drill = (extra: Partial<PageFilters>) => hrefWith('/national', given({ ...filters, ...extra }));
    render(req, res, 'national/index', {
      title: 'Recommendations across England and Wales',
      values: filters,
      filtered: Object.keys(current).length > 0,
      themeOptions: [
        { value: '', text: 'Any theme' },
        ...themes.map((t) => ({ value: t, text: t })),
        { value: OTHER_THEME, text: `${OTHER_THEME} (no theme yet)` },
      ],
      kindOptions: [{ value: '', text: 'Any type of agency' }, ...KIND_OPTIONS],
      cspOptions: [{ value: '', text: 'Any CSP' }, ...csps.map((c) => ({ value: c.id, text: c.name }))],
      today: figures.today,
      totals: shown(figures.totals),
      // Built by the app from figures and labels, every text escaped: see shareChart.ts.
      chart: shareChart(
        figures.byTheme.map((t) => ({
          label: t.theme,
          percent: t.implementedPercent,
          detail: `${t.implemented} of ${t.accepted} accepted`,
        })),
        {
          id: 'implemented-chart',
          title: 'Share of accepted recommendations implemented, by theme',
          none: 'none accepted yet',
        },
      ),
      byTheme: figures.byTheme.map((t) => ({ ...shown(t), name: t.theme, href: drill({ theme: t.theme }) })),
      byKind: figures.byKind.map((k) => ({ ...shown(k), name: k.label, href: drill({ kind: k.kind }) })),
      byCsp: figures.byCsp.map((c) => ({ ...shown(c), name: c.csp, href: drill({ cspId: String(c.cspId) }) })),
      csvHref: hrefWith('/national.csv', current),
      canAdminister: user.role === 'secretariat',
    });
  });

  router.get('/national.csv', async (req, res) => {
    const user = allowRoles(req, NATIONAL_READERS, 'Only the panel, its secretariat and oversight can download this');
    const filters = filtersFrom(req.query as Record<string, unknown>, await national.themes(user));
    const rows = await national.rows(user, serviceFilters(filters));
    const csv = toCsv([
      [
        'Review',
        'CSP',
        'Recommendation number',
        'Recommendation',
        'Themes',
        'Agency',
        'Type of agency',
        'Response',
        'Status',
        'Actions completed',
        'Actions',
        'Overdue actions',
      ],
      ...rows.map((r) => [
        r.reference,
        r.csp,
        r.number,
        r.text,
        r.themes.join('; '),
        r.agency,
        KIND_LABELS[r.kind] ?? r.kind,
        r.response ? (RESPONSE_LABELS[r.response] ?? r.response) : '',
        SCALE_LABELS[r.status],
        r.actionsDone,
        r.actionsTotal,
        r.overdueActions,
      ]),
    ]);
    res
      .type('text/csv; charset=utf-8')
      .attachment(`dhr-recommendations-${toIsoDate(services.clock.now())}.csv`)
      // The byte order mark tells spreadsheets the file is UTF-8 ("Children’s", not "Childrenâ€™s").
      .send(`\uFEFF${csv}`);
  });

  // ---- The kinds of the organisations recommendations are addressed to

  async function organisationsPage(
    req: Request,
    res: Response,
    extra: { errors?: PageError[]; values?: Record<string, string> } = {},
    status = 200,
  ) {
    const user = allowRoles(req, ['secretariat'], 'Only the panel secretariat can administer the service');
    const organisations = await national.organisations(user);
    const saved = queryText(req.query.saved);
    render(
      req,
      res,
      'national/organisations',
      {
        title: 'Organisations',
        organisations: organisations.map((o) => ({
          ...o,
          field: `kind-${o.id}`,
          value: extra.values?.[`kind-${o.id}`] ?? o.kind,
          error: extra.errors?.find((e) => e.field === `kind-${o.id}`)?.message,
        })),
        kindOptions: KIND_OPTIONS,
        errors: extra.errors,
        banner:
          /^\d{1,6}$/.test(saved) && !extra.errors
            ? {
                success: true,
                text: saved === '0' ? 'No types changed' : `${saved === '1' ? '1 type' : `${saved} types`} changed`,
              }
            : null,
        backLink: { href: '/admin', text: 'Administration' },
      },
      status,
    );
  }

  router.get('/admin/organisations', async (req, res) => {
    await organisationsPage(req, res);
  });

  router.post('/admin/organisations', async (req, res) => {
    const user = allowRoles(req, ['secretariat'], 'Only the panel secretariat can administer the service');
    const body = (req.body ?? {}) as Record<string, unknown>;
    const values: Record<string, string> = {};
    const changes: { id: number; kind: string }[] = [];
    for (const [key, value] of Object.entries(body)) {
      const match = /^kind-(\d{1,9})$/.exec(key);
      if (!match) continue;
      values[key] = formText(value);
      changes.push({ id: Number(match[1]), kind: formText(value) });
    }
    const names = new Map((await national.organisations(user)).map((o) => [`kind-${o.id}`, o.name]));
    const labels = Object.fromEntries(Object.keys(values).map((k) => [k, `The type of ${names.get(k) ?? 'agency'}`]));
    await handleForm(
      async () => {
        const changed = await national.setOrganisationKinds(user, changes);
        res.redirect(`/admin/organisations?saved=${changed}`);
      },
      (errors, status) => organisationsPage(req, res, { errors, values }, status),
      labels,
      { values, choices: Object.keys(values) },
    );
  });
}
