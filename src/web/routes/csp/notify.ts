import type express from 'express';
import type { Request, Response } from 'express';
import { toIsoDate } from '../../../core/clock';
import { dateFrom, handleForm, render, type PageError } from '../../forms';
import type { WebContext } from '../../context';
import { allowRoles } from '../../roles';
import { friendlier } from './common';

/** The review's details, as named on the form that notifies a review and the one that corrects them. */
export const DETAIL_LABELS = {
  cspId: 'Community Safety Partnership',
  pseudonym: 'Pseudonym',
  yearOfDeath: 'Year of death',
  notifiedOn: 'Date notified',
};

export const DETAIL_MESSAGES = {
  cspId: { 'is required': 'Choose the Community Safety Partnership' },
  pseudonym: { 'must not be empty': 'Enter a pseudonym', 'is required': 'Enter a pseudonym' },
  yearOfDeath: { 'must be a year such as 2024': 'Year of death must be a year, for example 2024' },
  notifiedOn: {
    'must be a date written YYYY-MM-DD': 'Date notified must be a real date, for example 27 3 2026',
    'is not a real calendar date': 'Date notified must be a real date, for example 27 3 2026',
  },
};

/** Errors in the words the forms use, the date's linked to its first box. */
export const detailErrors = (errors: PageError[]) =>
  friendlier(errors, DETAIL_MESSAGES).map((e) => (e.field === 'notifiedOn' ? { ...e, href: '#notifiedOn-day' } : e));

const FIELDS = ['cspId', 'pseudonym', 'yearOfDeath', 'notifiedOn-day', 'notifiedOn-month', 'notifiedOn-year'];

/** A year as typed: a number when it is one, otherwise left as text so validation names it. */
export function year(value: unknown): number | string | undefined {
  const typed = String(value ?? '').trim();
  if (!typed) return undefined;
  return /^\d{1,6}$/.test(typed) ? Number(typed) : typed;
}

/** Notifying a review: a CSP for itself, the secretariat for any CSP. */
export function notifyRoutes(router: express.Router, { services }: WebContext) {
  const who = (req: Request) =>
    allowRoles(req, ['csp', 'secretariat'], 'Only a CSP or the panel secretariat can notify a review.');

  async function form(
    req: Request,
    res: Response,
    extra: { errors?: PageError[]; values?: Record<string, string> } = {},
    status = 200,
  ) {
    const user = who(req);
    const csps = user.role === 'secretariat' ? await services.directory.cspNames(user) : [];
    const [y, m, d] = toIsoDate(services.clock.now()).split('-');
    render(
      req,
      res,
      'csp/new-review',
      {
        title: 'Notify a review',
        chooseCsp: user.role === 'secretariat',
        cspOptions: [{ value: '', text: 'Choose a CSP' }, ...csps.map((c) => ({ value: c.id, text: c.name }))],
        values: extra.values ?? {
          'notifiedOn-day': String(Number(d)),
          'notifiedOn-month': String(Number(m)),
          'notifiedOn-year': y,
        },
        errors: extra.errors,
        backLink:
          user.role === 'csp' ? { href: '/my-reviews', text: 'My reviews' } : { href: '/reviews', text: 'Reviews' },
      },
      status,
    );
  }

  router.get('/reviews/new', async (req, res) => {
    await form(req, res);
  });

  router.post('/reviews/new', async (req, res) => {
    const user = who(req);
    const body = req.body as Record<string, unknown>;
    const values = Object.fromEntries(FIELDS.map((f) => [f, String(body[f] ?? '')]));
    const cspId = values.cspId!.trim();
    const input = {
      pseudonym: values.pseudonym,
      yearOfDeath: year(values.yearOfDeath),
      notifiedOn: dateFrom(body, 'notifiedOn'),
      ...(user.role === 'secretariat' && cspId ? { cspId: /^\d{1,9}$/.test(cspId) ? Number(cspId) : cspId } : {}),
    };
    await handleForm(
      async () => {
        const review = await services.reviews.create(user, input);
        res.redirect(`/reviews/${review.id}?notified=1`);
      },
      (errors, status) =>
        form(
          req,
          res,
          {
            errors: detailErrors(errors),
            values,
          },
          status,
        ),
      DETAIL_LABELS,
      { values, choices: ['cspId'], dates: ['notifiedOn'] },
    );
  });
}
