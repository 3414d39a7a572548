import type express from 'express';
import { longDate } from '../../../core/dates';
import { toIsoDate } from '../../../core/clock';
import { isHomeOffice } from '../../../core/scope';
import { stateLabel } from '../../../workflow/lifecycle';
import { STATES, type ReviewState } from '../../../workflow/types';
import { toCsv } from '../../csv';
import { render } from '../../forms';
import type { WebContext } from '../../context';
import { allowRoles } from '../../roles';
import { queryText, searchQuery } from './common';
import { paginate } from './pagination';

export const PAGE_SIZE = 25;

const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/**
 * The filters as the GET form sent them. A value that cannot be one (a state that
 * does not exist, an id that is not a number) is dropped, as if left empty: a
 * list filter has nothing to correct, and a bookmarked link keeps working.
 */
function filtersFrom(query: Record<string, unknown>, homeOffice: boolean) {
  const state = queryText(query.state);
  const cspId = queryText(query.cspId);
  const meetingId = queryText(query.meetingId);
  const page = queryText(query.page);
  return {
    state: (STATES as readonly string[]).includes(state) ? (state as ReviewState) : '',
    cspId: /^\d{1,9}$/.test(cspId) ? cspId : '',
    // Meetings are the Home Office's: a PCC neither sees nor filters by them.
    meetingId: homeOffice && /^\d{1,9}$/.test(meetingId) ? meetingId : '',
    overdue: queryText(query.overdue) === 'true' ? 'true' : '',
    q: searchQuery(query.q),
    page: /^\d{1,6}$/.test(page) && Number(page) >= 1 ? Number(page) : 1,
  };
}

/** The list of reviews: the Home Office's working list, the PCC's home page (its own area only) and oversight's (published reviews only). */
export function reviewListRoutes(router: express.Router, { services }: WebContext) {
  router.get('/reviews', async (req, res) => {
    const user = allowRoles(
      req,
      ['secretariat', 'panel', 'pcc', 'commissioner'],
      "A CSP's reviews are listed under My reviews: this list is for the Home Office, PCCs and oversight",
    );
    // Oversight sees published reviews alone: no state to choose, nothing overdue.
    const publishedOnly = user.role === 'commissioner';
    const homeOffice = isHomeOffice(user);
    const { page: asked, ...filters } = filtersFrom(req.query as Record<string, unknown>, homeOffice);
    const given = Object.fromEntries(Object.entries(filters).filter(([, v]) => v !== '')) as Record<string, string>;
    const search = (page: number) =>
      services.reviews.search(user, { ...given, limit: String(PAGE_SIZE), offset: String((page - 1) * PAGE_SIZE) });

    let page = asked;
    let { reviews, total } = await search(page);
    const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
    // A page past the end (the list shrank since the link was made) shows the last one.
    if (page > pages) {
      page = pages;
      ({ reviews, total } = await search(page));
    }
    const href = (p: number) => {
      const params = new URLSearchParams(given);
      if (p > 1) params.set('page', String(p));
      const qs = params.toString();
      return qs ? `/reviews?${qs}` : '/reviews';
    };

    const [csps, meetings] = await Promise.all([
      services.directory.cspNames(user),
      homeOffice
        ? services.meetings.recent(user, filters.meetingId ? Number(filters.meetingId) : null)
        : Promise.resolve([]),
    ]);
    render(req, res, 'secretariat/reviews', {
      title: `${publishedOnly ? 'Published reviews' : 'Reviews'}${page > 1 ? ` (page ${page} of ${pages})` : ''}`,
      publishedOnly,
      reviews,
      total,
      from: total === 0 ? 0 : (page - 1) * PAGE_SIZE + 1,
      to: (page - 1) * PAGE_SIZE + reviews.length,
      filtered: Object.keys(given).length > 0,
      values: filters,
      homeOffice,
      stateOptions: [
        { value: '', text: 'Any state' },
        ...STATES.map((s) => ({ value: s, text: capitalise(stateLabel(s)) })),
      ],
      cspOptions: [{ value: '', text: 'Any CSP' }, ...csps.map((c) => ({ value: c.id, text: c.name }))],
      meetingOptions: [
        { value: '', text: 'Any meeting' },
        ...meetings.map((m) => ({ value: m.id, text: longDate(m.date) })),
      ],
      pagination: paginate(page, pages, href),
      csvHref: `/reviews.csv${href(1).slice('/reviews'.length)}`,
    });
  });

  /** Every review the list's filters match (not just one page), for a spreadsheet. */
  router.get('/reviews.csv', async (req, res) => {
    const user = allowRoles(
      req,
      ['secretariat', 'panel', 'pcc', 'commissioner'],
      'This download is for the Home Office, PCCs and oversight',
    );
    const { page: _page, ...filters } = filtersFrom(req.query as Record<string, unknown>, isHomeOffice(user));
    const given = Object.fromEntries(Object.entries(filters).filter(([, v]) => v !== '')) as Record<string, string>;
    const rows: Awaited<ReturnType<typeof services.reviews.list>> = [];
    // A thousand at a time, the most one query of the list returns.
    for (let offset = 0; ; offset += 1000) {
      const batch = await services.reviews.list(user, { ...given, limit: '1000', offset: String(offset) });
      rows.push(...batch);
      if (batch.length < 1000) break;
    }
    const csv = toCsv([
      ['Reference', 'Pseudonym', 'CSP', 'State', 'Notified on', 'Last changed'],
      ...rows.map((r) => [
        r.reference,
        r.pseudonym,
        r.csp.name,
        capitalise(stateLabel(r.state)),
        r.notifiedOn,
        r.updatedAt ? r.updatedAt.slice(0, 10) : '',
      ]),
    ]);
    res
      .type('text/csv; charset=utf-8')
      .attachment(`dhr-reviews-${toIsoDate(services.clock.now())}.csv`)
      // The byte order mark tells spreadsheets the file is UTF-8.
      .send(`\uFEFF${csv}`);
  });
}
