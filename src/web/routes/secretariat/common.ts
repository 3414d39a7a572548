import { ValidationError, type FieldError } from '../../../core/errors';

/** A query-string value as one string: repeated or nested parameters count as absent. */
export function queryText(value: unknown): string {
  return typeof value === 'string' ? value.trim() : '';
}

/**
 * What a search box sent, as a search: control characters (a pasted NUL, a tab) and broken
 * characters are dropped rather than refused, since a list page has no form to show an error on.
 */
export function searchQuery(value: unknown, max = 100): string {
  return queryText(value)
    .replace(/[\x00-\x1f\x7f]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '')
    .slice(0, max)
    .trim();
}

/** A form value as text, whatever was (or was not) sent. */
export const formText = (value: unknown): string => (typeof value === 'string' ? value : '');

/** The named fields of a form as text: a field sent twice (a crafted form) counts as empty, never as its values joined. */
export const formTexts = (body: Record<string, unknown>, fields: readonly string[]): Record<string, string> =>
  Object.fromEntries(fields.map((f) => [f, formText(body[f])]));

/** A whole number typed in a form; anything else is passed on as typed so the service names the problem. */
export function formNumber(value: unknown): number | string | null {
  const text = formText(value).trim();
  if (text === '') return null;
  return /^\d{1,9}$/.test(text) ? Number(text) : text;
}

/** The non-empty lines of a textarea, trimmed: addresses and lists are typed one item per line. */
export function linesOf(value: unknown): string[] {
  return formText(value)
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean);
}

/**
 * Errors on the items of a list typed one per line ("addressLines.2", "contacts.0.email")
 * belong to the textarea: they are moved to its field and say which line is wrong.
 * `explain` may give a line's error in other words (a contact line that could not be read).
 */
export function atLines(
  errors: FieldError[],
  fields: string[],
  explain: (field: string, line: number) => string | undefined = () => undefined,
): FieldError[] {
  return errors.map((e) => {
    const match = /^([A-Za-z]+)\.(\d+)(?:\.([A-Za-z]+))?$/.exec(e.field);
    if (!match || !fields.includes(match[1]!)) return e;
    const [, field, index, part] = match;
    const line = Number(index) + 1;
    const message = explain(field!, Number(index)) ?? `${part ? `${part} ` : ''}${e.message}`;
    return { field: field!, message: `on line ${line}: ${message}` };
  });
}

/** Runs a service call, giving its errors the page's field names: `rename` returns an error as the page names it. */
export async function withFieldsRenamed<T>(call: () => Promise<T>, rename: (e: FieldError) => FieldError): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    throw new ValidationError(err.errors.map(rename));
  }
}

/** Runs a service call, moving line errors to their textarea (see atLines). */
export async function withLineErrors<T>(
  call: () => Promise<T>,
  fields: string[],
  explain?: (field: string, line: number) => string | undefined,
): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof ValidationError) {
      // A line that could not be read fails on each of its parts: say so once.
      const errors = atLines(err.errors, fields, explain);
      const once = errors.filter(
        (e, i) => errors.findIndex((o) => o.field === e.field && o.message === e.message) === i,
      );
      // One error for each box, as GOV.UK has it: its lines' problems in one message.
      const merged: FieldError[] = [];
      for (const e of once) {
        const before = merged.find((m) => m.field === e.field);
        if (before && /^on line /.test(before.message) && /^on line /.test(e.message)) {
          before.message = `${before.message}; ${e.message}`;
        } else merged.push({ ...e });
      }
      throw new ValidationError(merged);
    }
    throw err;
  }
}
