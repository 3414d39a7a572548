import fs from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';
import { longDate } from '../core/dates';

const TEMPLATES = path.join(__dirname, '..', '..', 'templates');

/**
 * Reports the service writes about recommendations (progress reports, agency
 * responses): documents of the service's own, not house templates the secretariat
 * edits. A private Handlebars, strict, every value escaped.
 */
function createHandlebars(): typeof Handlebars {
  const hbs = Handlebars.create();
  hbs.registerHelper('longDate', (value: string) => longDate(value));
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
  return hbs;
}

const hbs = createHandlebars();

export type Template = (model: object) => string;

/** A report in templates/reports, compiled once with the private, strict Handlebars: every value escaped. */
export function compileReport(name: string): Template {
  const template = hbs.compile(fs.readFileSync(path.join(TEMPLATES, 'reports', `${name}.hbs`), 'utf8'), {
    strict: true,
  });
  return (model) => template(model);
}
