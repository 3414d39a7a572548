import fs from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';

const TEMPLATES = path.join(__dirname, '..', '..', 'templates');

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/** "2019-11-20" → "20 November 2019", the way Home Office letters write dates. */
export function longDate(iso: string): string {
  const [y, m, d] = iso.slice(0, 10).split('-').map(Number);
  return `${d} ${MONTHS[m! - 1]} ${y}`;
}

/**
 * A private Handlebars with only what letters and emails need. Compilation is
 * strict, so a field missing from the model fails loudly instead of leaving a gap.
 */
function createHandlebars(): typeof Handlebars {
  const hbs = Handlebars.create();
  hbs.registerHelper('longDate', (value: string) => longDate(value));
  hbs.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  // Free text a person typed: paragraphs at blank lines, line breaks kept, everything escaped.
  hbs.registerHelper('paragraphs', (value: string) => {
    const html = value
      .split(/\n\s*\n/)
      .map((p) => p.trim())
      .filter(Boolean)
      .map(
        (p) =>
          `<p>${p
            .split('\n')
            .map((line) => hbs.escapeExpression(line.trim()))
            .join('<br>')}</p>`,
      )
      .join('\n');
    return new hbs.SafeString(html);
  });
  const partials = path.join(TEMPLATES, 'letters', 'partials');
  for (const file of fs.readdirSync(partials)) {
    hbs.registerPartial(path.basename(file, '.hbs'), fs.readFileSync(path.join(partials, file), 'utf8'));
  }
  return hbs;
}

const hbs = createHandlebars();

export type Template = (model: object) => string;

function compile(file: string, options: { noEscape?: boolean } = {}): Template {
  const template = hbs.compile(fs.readFileSync(file, 'utf8'), { strict: true, noEscape: options.noEscape });
  return (model) => template(model);
}

export const LETTER_KINDS = [
  'publish',
  'publish_after_changes',
  'resubmit',
  'acknowledgement',
  'revision_reminder',
  'publication_reminder',
  'publication_confirmation',
] as const;
export type LetterKind = (typeof LETTER_KINDS)[number];

export const EMAIL_NAMES = [
  'outcome_letter',
  'acknowledgement',
  'revision_reminder',
  'publication_reminder',
  'publication_confirmation',
  'draft_letter_alert',
  'recommendation_reminder',
] as const;
export type EmailName = (typeof EMAIL_NAMES)[number];

/** Every template compiled once, when the process starts. */
export const letterTemplates = Object.fromEntries(
  LETTER_KINDS.map((kind) => [kind, compile(path.join(TEMPLATES, 'letters', `${kind}.hbs`))]),
) as Record<LetterKind, Template>;

export const emailTemplates = Object.fromEntries(
  EMAIL_NAMES.map((name) => {
    const dir = path.join(TEMPLATES, 'emails', name);
    return [
      name,
      {
        subject: compile(path.join(dir, 'subject.hbs'), { noEscape: true }),
        html: compile(path.join(dir, 'html.hbs')),
        text: compile(path.join(dir, 'text.hbs'), { noEscape: true }),
      },
    ];
  }),
) as Record<EmailName, { subject: Template; html: Template; text: Template }>;

/**
 * A document in templates/letters beyond the letter kinds above (progress reports, agency
 * responses), compiled with the same private, strict Handlebars: every value escaped.
 */
export function compileLetterDocument(name: string): Template {
  return compile(path.join(TEMPLATES, 'letters', `${name}.hbs`));
}

/** An email's subject (on one line), HTML and text from its template folder. */
export function renderEmail(name: EmailName, model: object): { subject: string; html: string; text: string } {
  const t = emailTemplates[name];
  const subject = t.subject(model).replace(/\s+/g, ' ').trim();
  return { subject, html: t.html({ ...model, subject }), text: t.text(model) };
}

/** Marks HTML this application rendered (with every user value escaped) as safe to embed. */
export function trusted(html: string): object {
  return new hbs.SafeString(html);
}
