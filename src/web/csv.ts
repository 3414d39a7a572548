/**
 * CSV as RFC 4180 writes it: fields separated by commas, records by CRLF, a field
 * quoted when it holds a comma, a double quote or a line break, and a double quote
 * inside doubled. A text that a spreadsheet would run as a formula (starting with
 * = + - @, or a tab or carriage return that some spreadsheets skip before one) is
 * prefixed with a single quote, so it is shown as typed and never run.
 */

const FORMULA = /^[=+\-@\t\r]/;

export function csvCell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  // Numbers are the app's own counts; only text can carry a formula.
  let text = typeof value === 'number' ? String(value) : value;
  if (typeof value === 'string' && FORMULA.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The records, header first, each ending with CRLF. */
export function toCsv(records: (string | number | null | undefined)[][]): string {
  return records.map((r) => `${r.map(csvCell).join(',')}\r\n`).join('');
}
