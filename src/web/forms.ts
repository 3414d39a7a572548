import type { Request, Response } from 'express';
import type { User } from '../core/user';
import { AppError, ValidationError, type FieldError } from '../core/errors';
import { views } from './views';

export interface PageError extends FieldError {
  href: string;
  /** What the service said, before it was put in the page's words: what a route's own wording matches on. */
  said?: string;
}

/** What a form's error messages need to know of its fields beyond their labels. */
export interface FieldKinds {
  /** What was sent: a field sent empty is asked for ("Enter …", "Select …"), whatever the service said. */
  values?: Record<string, unknown>;
  /** Fields answered by choosing (radios, a select): "Select …" rather than "Enter …". */
  choices?: readonly string[];
  /** Date inputs (day, month and year boxes): their errors link to the day box. */
  dates?: readonly string[];
}

const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
/** A label inside a sentence: "Enter the DHR mailbox", "Select the kind of document" (an acronym keeps its capitals). */
const inSentence = (label: string) => (/^.[A-Z]/.test(label) ? label : label.charAt(0).toLowerCase() + label.slice(1));

/** The service's words for a field left empty, and for a date that cannot be one. */
const EMPTY = /^(must not be empty|is required|is needed)\b/;
const NOT_A_DATE = /^(must be a date written YYYY-MM-DD|is not a real calendar date)$/;
/** A message that already tells the user what to do ("choose a file to upload"). */
const INSTRUCTION = /^(choose|enter|select|upload|add|paste|write|tick) /;

const blank = (value: unknown) =>
  value === undefined || value === null || (typeof value === 'string' && value.trim() === '');

/**
 * A service's message about one field in the words GOV.UK uses, for the field's label as
 * a sentence names it ("The DHR mailbox"): "Enter …" or "Select …" for a field left empty,
 * "… must be a real date", "… must be 200 characters or fewer", "Enter … in the correct
 * format"; otherwise the label before the service's message.
 */
export function inGovukWords(
  label: string,
  said: string,
  how: { empty?: boolean; choice?: boolean; date?: boolean } = {},
): string {
  const choice = how.choice || /^must be one of\b/.test(said);
  if (how.empty || EMPTY.test(said)) {
    // "is required for a CSP user": the condition stays.
    const when = /^is required (.+)$/.exec(said)?.[1];
    return `${choice ? 'Select' : 'Enter'} ${inSentence(label)}${when ? ` ${when}` : ''}`;
  }
  if (INSTRUCTION.test(said)) return capital(said);
  if (choice && /^(must be (one of|a whole number|positive|true or false)|is not the id of any record)\b/.test(said))
    return `Select ${inSentence(label)}`;
  if (how.date && !/between|before|after|future|past/.test(said)) return `${capital(label)} must be a real date`;
  if (NOT_A_DATE.test(said)) return `${capital(label)} must be a real date`;
  const length = /^must be at (most|least) (\d+) characters$/.exec(said);
  if (length) {
    const n = Number(length[2]).toLocaleString('en-GB');
    return `${capital(label)} must be ${n} characters or ${length[1] === 'most' ? 'fewer' : 'more'}`;
  }
  if (/^must be an email address\b/.test(said))
    return `Enter ${inSentence(label)} in the correct format, like name@example.org`;
  const web = /^must be a web address starting with (.+)$/.exec(said);
  if (web) return `${capital(label)} must start with ${web[1]}`;
  if (said === 'must be a number of days') return `${capital(label)} must be a number`;
  return `${capital(label)} ${said}`;
}

/**
 * Field errors as the GOV.UK error summary shows them: one for each field (the first the
 * service gave), in GOV.UK's words for the field's label ("Enter a pseudonym", "Date notified
 * must be a real date"), linked to the field, and a date to its day box.
 */
export function pageErrors(
  errors: FieldError[],
  labels: Record<string, string> = {},
  kinds: FieldKinds = {},
): PageError[] {
  const seen = new Set<string>();
  return errors
    .filter((e) => !seen.has(e.field) && seen.add(e.field))
    .map((e) => {
      const label =
        labels[e.field] ??
        (e.field.charAt(0).toUpperCase() + e.field.slice(1)).replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
      const date = kinds.dates?.includes(e.field) || NOT_A_DATE.test(e.message);
      const values = kinds.values;
      const sent = date ? ['day', 'month', 'year'].map((p) => values?.[`${e.field}-${p}`]) : [values?.[e.field]];
      const empty = values !== undefined && (date || e.field in values) && sent.every(blank);
      const href = `#${e.field.replace(/\./g, '-')}${date ? '-day' : ''}`;
      // An error about the form as a whole is a sentence of its own.
      if (e.field === 'body') return { field: e.field, message: e.message, href, said: e.message };
      const message = inGovukWords(label, e.message, { empty, date, choice: kinds.choices?.includes(e.field) });
      return { field: e.field, message, href, said: e.message };
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
    { href: '/time-taken', text: 'Time taken' },
    { href: '/mail', text: 'Mail' },
    { href: '/admin', text: 'Administration' },
  ],
  panel: [
    { href: '/dashboard', text: 'Dashboard' },
    { href: '/reviews', text: 'Reviews' },
    { href: '/meetings', text: 'Panel meetings' },
    { href: '/national', text: 'Recommendations' },
    { href: '/time-taken', text: 'Time taken' },
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
  commissioner: [
    { href: '/reviews', text: 'Published reviews' },
    { href: '/national', text: 'Recommendations' },
    { href: '/time-taken', text: 'Time taken' },
  ],
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
  kinds: FieldKinds = {},
): Promise<void> {
  try {
    await action();
  } catch (err) {
    if (err instanceof ValidationError) return redraw(pageErrors(err.errors, labels, kinds), 422);
    if (err instanceof AppError && err.status === 409)
      return redraw([{ field: 'body', message: err.message, href: '#main-content' }], 409);
    throw err;
  }
}
