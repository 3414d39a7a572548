import type { Request, Response } from 'express';
import type { User } from '../services/accounts';
import { AppError, ValidationError, type FieldError } from '../services/errors';
import { views } from './views';

export interface PageError extends FieldError {
  href: string;
}

/**
 * Field errors as the GOV.UK error summary shows them: the field's label before
 * the service's message ("Pseudonym must not be empty"), linked to the field.
 */
export function pageErrors(errors: FieldError[], labels: Record<string, string> = {}): PageError[] {
  return errors.map((e) => {
    const label =
      labels[e.field] ??
      (e.field.charAt(0).toUpperCase() + e.field.slice(1)).replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
    const sentence = e.field === 'body' ? e.message : `${label.charAt(0).toUpperCase()}${label.slice(1)} ${e.message}`;
    return { field: e.field, message: sentence, href: `#${e.field.replace(/\./g, '-')}` };
  });
}

/** A GOV.UK date input (name-day, name-month, name-year) as YYYY-MM-DD; left as typed when it is not a date, so validation names it. */
export function dateFrom(body: Record<string, unknown>, name: string): string | undefined {
  const part = (p: string) => String(body[`${name}-${p}`] ?? '').trim();
  const [day, month, year] = [part('day'), part('month'), part('year')];
  if (!day && !month && !year) return undefined;
  if (!/^\d{1,2}$/.test(day) || !/^\d{1,2}$/.test(month) || !/^\d{4}$/.test(year)) return `${year}-${month}-${day}`;
  return `${year}-${month.padStart(2, '0')}-${day.padStart(2, '0')}`;
}

/** The one way a page is drawn: the signed-in user, navigation, CSRF token and CSP nonce come with every page. */
export function render(req: Request, res: Response, page: string, model: Record<string, unknown>, status = 200) {
  res
    .status(status)
    .type('html')
    .send(
      views.render(page, {
        ...model,
        user: req.user,
        nav: req.user ? navigation(req.user, req.path) : [],
        csrfToken: res.locals.csrfToken,
        cspNonce: res.locals.cspNonce,
        // The timeout warning counts down from here (see templates/partials/timeout-warning.hbs).
        sessionSecondsLeft: req.user ? req.sessionSecondsLeft : undefined,
      }),
    );
}

const NAV: Record<User['role'], { href: string; text: string }[]> = {
  secretariat: [
    { href: '/dashboard', text: 'Dashboard' },
    { href: '/reviews', text: 'Reviews' },
    { href: '/meetings', text: 'Panel meetings' },
    { href: '/national', text: 'Recommendations' },
    { href: '/mail', text: 'Mail' },
    { href: '/admin', text: 'Administration' },
  ],
  panel: [
    { href: '/dashboard', text: 'Dashboard' },
    { href: '/reviews', text: 'Reviews' },
    { href: '/meetings', text: 'Panel meetings' },
    { href: '/national', text: 'Recommendations' },
  ],
  csp: [
    { href: '/my-reviews', text: 'My reviews' },
    { href: '/reviews/new', text: 'Notify a review' },
    { href: '/letters', text: 'Letters' },
  ],
  pcc: [
    { href: '/reviews', text: 'Reviews' },
    { href: '/letters', text: 'Letters' },
  ],
  agency: [{ href: '/recommendations', text: 'Recommendations' }],
};

/** Pages that belong under a navigation item without sharing its path. */
const UNDER: Record<string, RegExp> = { '/recommendations': /^\/(recommendation-agencies|actions)\// };

function navigation(user: User, path: string) {
  return [...NAV[user.role], { href: '/account', text: 'Your account' }].map((item) => ({
    ...item,
    current:
      path === item.href ||
      path.startsWith(`${item.href}/`) ||
      (user.role === 'agency' && UNDER[item.href]?.test(path) === true),
  }));
}

/**
 * Runs a form's action; on bad input draws the form again with the errors and what
 * was typed (422), on a refusal (409) with the reason in the summary.
 */
export async function handleForm(
  action: () => Promise<void>,
  redraw: (errors: PageError[], status: number) => Promise<void> | void,
  labels: Record<string, string> = {},
): Promise<void> {
  try {
    await action();
  } catch (err) {
    if (err instanceof ValidationError) return redraw(pageErrors(err.errors, labels), 422);
    if (err instanceof AppError && err.status === 409)
      return redraw([{ field: 'body', message: err.message, href: '#main-content' }], 409);
    throw err;
  }
}
