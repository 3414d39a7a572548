import fs from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';
import { longDate } from '../core/dates';
import { historyTitle } from '../workflow/events';
import { stateLabel } from '../workflow/lifecycle';
import type { ReviewState } from '../workflow/types';

const TEMPLATES = path.join(__dirname, '..', '..', 'templates');

/** The colour of each state's tag: grey waiting on others, blue with the Home Office, orange with the CSP. */
const TAG_COLOURS: Record<ReviewState, string> = {
  notified: 'grey',
  decision_submitted: 'blue',
  decision_scheduled: 'blue',
  decision_letter_pending: 'purple',
  submitted: 'blue',
  scheduled: 'blue',
  letter_pending: 'purple',
  revising: 'orange',
  revisions_submitted: 'blue',
  resubmitted: 'blue',
  approved: 'turquoise',
  published: 'green',
  closed: 'grey',
  not_reviewed: 'grey',
  withdrawn: 'red',
  on_hold: 'yellow',
};

const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

function dateTime(value: string | null): string {
  if (!value) return '';
  const d = new Date(value);
  const time = d.toISOString().slice(11, 16);
  return `${longDate(d.toISOString())} at ${time}`;
}

function walk(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? walk(full) : e.name.endsWith('.hbs') ? [full] : [];
  });
}

/**
 * Pages: Handlebars templates in templates/pages, wrapped in templates/layouts/main.hbs,
 * with the GOV.UK components as partials in templates/partials. Compiled once; every
 * value escaped unless a helper builds the markup itself.
 */
const GB_NUMBER = new Intl.NumberFormat('en-GB');

function createViews() {
  const hbs = Handlebars.create();
  const h = (name: string, fn: Handlebars.HelperDelegate) => hbs.registerHelper(name, fn);
  h('eq', (a, b) => a === b);
  h('ne', (a, b) => a !== b);
  h('or', (...args) => args.slice(0, -1).some(Boolean));
  h('and', (...args) => args.slice(0, -1).every(Boolean));
  h('not', (a) => !a);
  h('includes', (list: unknown[] | undefined, value) => Array.isArray(list) && list.includes(value));
  h('inc', (n: number) => n + 1);
  h('concat', (...args) => args.slice(0, -1).join(''));
  h('array', (...args) => args.slice(0, -1));
  h('object', (options: Handlebars.HelperOptions) => options.hash);
  h('toString', (v: unknown) => (v === undefined || v === null ? '' : String(v)));
  h('longDate', (value: string | null) => (value ? longDate(value) : ''));
  h('dateTime', (value: string | null) => dateTime(value));
  h('stateLabel', (state: ReviewState) => capitalise(stateLabel(state)));
  h('stateTag', (state: ReviewState) => {
    const label = hbs.escapeExpression(capitalise(stateLabel(state)));
    return new hbs.SafeString(`<strong class="govuk-tag govuk-tag--${TAG_COLOURS[state] ?? 'grey'}">${label}</strong>`);
  });
  h('ternary', (test: unknown, yes: unknown, no: unknown) => (test ? yes : no));
  h(
    'lastDraft',
    (letters: { status: string }[]) => [...(letters ?? [])].reverse().find((l) => l.status === 'draft') ?? {},
  );
  // The day, month and year boxes of a date field, from what was typed.
  h('dateValue', (values: Record<string, unknown>, name: string) => ({
    day: values?.[`${name}-day`] ?? '',
    month: values?.[`${name}-month`] ?? '',
    year: values?.[`${name}-year`] ?? '',
  }));
  h(
    'eventLabel',
    (type: string, from: unknown) =>
      historyTitle(type, typeof from === 'string' ? from : null) ?? capitalise(type.toLowerCase().replace(/_/g, ' ')),
  );
  h('formatOptions', () => [
    { value: 'text', text: 'A list or table copied from the DHR Library' },
    { value: 'csv', text: 'CSV' },
  ]);
  h('plural', (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`);
  // 2,800 rather than 2800, as GOV.UK writes numbers.
  h('formatNumber', (n: number) => GB_NUMBER.format(n));
  h('humanise', (value: string) => capitalise(String(value ?? '').replace(/_/g, ' ')));
  h(
    'errorFor',
    (errors: { field: string; message: string }[] | undefined, field: string) =>
      errors?.find((e) => e.field === field)?.message ?? '',
  );
  // Markup this application built (letters, charts): every user value inside was escaped when it was made.
  h('trusted', (html: string) => new hbs.SafeString(html ?? ''));

  for (const file of walk(path.join(TEMPLATES, 'partials'))) {
    const name = path.relative(path.join(TEMPLATES, 'partials'), file).replace(/\.hbs$/, '');
    hbs.registerPartial(name, fs.readFileSync(file, 'utf8'));
  }
  // Handlebars indents every line a partial writes by the indentation of its call, which
  // would add spaces to each line of a textarea's value (and to what is saved from it).
  const options = { preventIndent: true };
  const layout = hbs.compile(fs.readFileSync(path.join(TEMPLATES, 'layouts', 'main.hbs'), 'utf8'), options);
  const pages = new Map<string, Handlebars.TemplateDelegate>();
  for (const file of walk(path.join(TEMPLATES, 'pages'))) {
    const name = path.relative(path.join(TEMPLATES, 'pages'), file).replace(/\.hbs$/, '');
    pages.set(name, hbs.compile(fs.readFileSync(file, 'utf8'), options));
  }

  return {
    render(page: string, model: Record<string, unknown>): string {
      const template = pages.get(page);
      if (!template) throw new Error(`No page template ${page}`);
      return layout({ ...model, body: new hbs.SafeString(template(model)) });
    },
  };
}

export const views = createViews();
