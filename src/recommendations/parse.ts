/**
 * Reads a review's recommendations, and the bodies each is addressed to, from what a CSP or
 * the panel secretariat pastes or uploads. Pure: no I/O, so the import can preview before saving.
 *
 * Three layouts:
 * - DHR Library free lines, "<number> <recommendation text> <addressed to>", where nothing marks
 *   where the text ends and the agency begins (see splitTail);
 * - a DHR Library markdown table, one row per (recommendation, agency);
 * - a CSV with a header row.
 * Rows with the same number are one recommendation addressed to several bodies. Text is kept as
 * typed except that runs of whitespace (line breaks included) become one space.
 * `rows` holds what could be read even when there are `errors`; the caller saves nothing then.
 */

export interface ParsedRecommendation {
  /** As the report numbers it: "1", "2a", "11.4.1", "IMR.1", "IPCC.3", "Panel.179". */
  number: string;
  text: string;
  /** Bodies it is addressed to, in order, without duplicates. */
  agencies: string[];
  /** Set when the parser is unsure where the text ends and the agencies begin (text layout only): a sentence saying so. */
  warning?: string;
  /** 1-based line (text) or row (table/CSV) it came from, for row-level messages. */
  line: number;
}
export interface ParseResult {
  rows: ParsedRecommendation[];
  errors: { line: number; message: string }[];
}

type Problem = ParseResult['errors'][number];
/** A row before checking and merging: agencies as found, possibly blank or repeated. */
type Draft = ParsedRecommendation;
/** One table or CSV row: the line it starts on (a quoted CSV field may span lines) and its cells. */
interface Cells {
  line: number;
  cells: string[];
}

export function parseRecommendations(format: 'text' | 'csv', content: string): ParseResult {
  // A byte order mark (Excel's "CSV UTF-8") would otherwise stick to the first heading.
  const source = content.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  if (!source.trim()) return { rows: [], errors: [] };
  if (format === 'csv') return fromCells(readCsv(source), 'CSV');
  const lines = source.split('\n');
  const table = readTable(lines);
  return table ? fromCells({ records: table, errors: [] }, 'table') : fromFreeLines(lines);
}

// ---- Shared -------------------------------------------------------------------------------

/** "1", "2a", "11.4.1", "IMR.1", "IPCC.3", "Panel.179" (a trailing "." or ")" is dropped first). */
const NUMBER = /^(?:\d+(?:\.\d+)*[a-z]?|[A-Za-z]+\.\d+(?:\.\d+)*[a-z]?)$/;
const stripNumber = (token: string) => token.replace(/[.):]$/, '');
const collapse = (s: string) => s.replace(/\s+/g, ' ').trim();
/** The key the service also uses to match organisations: "Harlow CCG" and "harlow c.c.g." are one body. */
const key = (name: string) => name.toLowerCase().replace(/[^a-z0-9]+/g, '');

function unique(names: string[]): string[] {
  const seen = new Set<string>();
  return names.map(collapse).filter((n) => n && !seen.has(key(n)) && seen.add(key(n)));
}

/** Checks each row and merges rows with the same number (Harlow repeats a recommendation per agency). */
function merge(drafts: Draft[], errors: Problem[]): ParseResult {
  const rows: ParsedRecommendation[] = [];
  const byNumber = new Map<string, ParsedRecommendation>();
  for (const d of drafts) {
    if (!d.number) errors.push({ line: d.line, message: 'The recommendation has no number' });
    else if (!d.text) errors.push({ line: d.line, message: `Recommendation ${d.number} has no text` });
    else {
      const first = byNumber.get(d.number);
      if (!first) {
        const row: ParsedRecommendation = {
          number: d.number,
          text: d.text,
          agencies: unique(d.agencies),
          line: d.line,
        };
        if (d.warning) row.warning = d.warning;
        byNumber.set(d.number, row);
        rows.push(row);
      } else if (first.text !== d.text) {
        // Merging would silently drop one of the two texts.
        errors.push({
          line: d.line,
          message: `Recommendation ${d.number} appears again with different text (first on line ${first.line})`,
        });
      } else first.agencies = unique([...first.agencies, ...d.agencies]);
    }
  }
  return { rows, errors };
}

// ---- Tables and CSV ----------------------------------------------------------------------------

const normalise = (heading: string) => collapse(heading.replace(/_/g, ' ')).toLowerCase().replace(/:$/, '');
const HEADINGS = {
  number: ['number', '#', 'no', 'no.', 'ref', 'reference', 'recommendation number', 'recommendation no', 'rec no'],
  recommendation: ['recommendation', 'recommendations', 'recommendation text', 'text'],
  'addressed to': ['addressed to', 'agency', 'agencies', 'organisation', 'organisations'],
};
type Column = keyof typeof HEADINGS;

/** The first non-blank row names the columns, in any order; the rest are recommendations. */
function fromCells({ records, errors }: { records: Cells[]; errors: Problem[] }, kind: 'CSV' | 'table'): ParseResult {
  const [header, ...body] = records.filter((r) => r.cells.some((c) => c.trim()));
  if (!header) return { rows: [], errors };
  const names = header.cells.map(normalise);
  const at = (column: Column) => names.findIndex((n) => HEADINGS[column].includes(n));
  const columns = { number: at('number'), text: at('recommendation'), agencies: at('addressed to') };
  const missing = (Object.keys(HEADINGS) as Column[]).filter((c) => at(c) < 0);
  if (missing.length) {
    const list = missing.map((c) => `"${c}"`).join(' or ');
    const message = `The ${kind} has no ${list} column: its header row must name the columns number, recommendation and addressed to`;
    return { rows: [], errors: [...errors, { line: header.line, message }] };
  }

  const drafts: Draft[] = [];
  for (const { line, cells } of body) {
    const cell = (i: number) => collapse(cells[i] ?? '');
    const number = stripNumber(cell(columns.number));
    const text = cell(columns.text);
    // Several bodies in one cell: "A | B", "A; B", or one per line in a spreadsheet cell.
    const agencies = (cells[columns.agencies] ?? '').split(/[|;\n]/);
    // A web page's caption row ("| Recommendations extracted from ... | ||") is not a recommendation.
    if (kind === 'table' && !NUMBER.test(number) && !text && !agencies.some((a) => a.trim())) continue;
    drafts.push({ number, text, agencies, line });
  }
  return merge(drafts, errors);
}

/** Markdown's escapes and emphasis, and the <br> that tables use for line breaks. */
const unescapeMarkdown = (cell: string) =>
  cell
    .replace(/<br\s*\/?>/gi, ' ')
    .replace(/\*\*|__/g, '')
    .replace(/\\([\\`*_{}[\]()#+\-.!|<>~])/g, '$1');

/** The table's rows from its header on (the header being a "|" row with a "Recommendation" cell), or null. */
function readTable(lines: string[]): Cells[] | null {
  const cellsOf = (line: string) =>
    line
      .trim()
      .replace(/^\|/, '')
      .replace(/(?<!\\)\|$/, '')
      .split(/(?<!\\)\|/)
      .map(unescapeMarkdown);
  const isRow = (line: string) => line.trim().startsWith('|');
  const start = lines.findIndex(
    (l) => isRow(l) && cellsOf(l).some((c) => HEADINGS.recommendation.includes(normalise(c))),
  );
  if (start < 0) return null;
  return lines
    .map((text, i) => ({ text, line: i + 1 }))
    .slice(start)
    .filter(({ text }) => isRow(text) && !/^\|[\s|:-]*$/.test(text.trim())) // the |---|---| separator
    .map(({ text, line }) => ({ line, cells: cellsOf(text) }));
}

/** RFC 4180: quoted fields may hold commas, doubled quotes and line breaks (line endings are already \n). */
function readCsv(source: string): { records: Cells[]; errors: Problem[] } {
  const records: Cells[] = [];
  let cells: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let recordLine = 1;
  let quoteLine = 0;
  for (let i = 0; i < source.length; i++) {
    const ch = source[i]!;
    if (ch === '\n') line++;
    if (quoted) {
      if (ch !== '"') field += ch;
      else if (source[i + 1] === '"') field += source[i++];
      else quoted = false;
    } else if (ch === '"' && !field.trim()) {
      // Spaces before an opening quote are forgiven: spreadsheets never write them, people do.
      quoted = true;
      field = '';
      quoteLine = line;
    } else if (ch === ',') {
      cells.push(field);
      field = '';
    } else if (ch === '\n') {
      records.push({ line: recordLine, cells: [...cells, field] });
      cells = [];
      field = '';
      recordLine = line;
    } else field += ch;
  }
  if (quoted) {
    const message = 'A quoted field is never closed: a closing double quote (") is missing';
    return { records, errors: [{ line: quoteLine, message }] };
  }
  if (cells.length || field) records.push({ line: recordLine, cells: [...cells, field] });
  return { records, errors: [] };
}

// ---- Free lines ----------------------------------------------------------------------------------

/** Words that may sit inside a body's name in lower case: "City and Hackney", "College of Policing". */
const CONNECTOR = /^(?:and|of|for|the|in|on|at|to|&)$/;
/** A word that can be part of a body's name: capitalised ("(Hackney", "Children's") or a connector. */
const isNameWord = (word: string) => /^["“‘'(]*\p{Lu}/u.test(word) || CONNECTOR.test(word);
const MAX_NAME_WORDS = 12;

/** "Metropolitan Police Service (Hackney Borough)": capitalised words only, not a sentence. */
function looksLikeName(s: string): boolean {
  const words = s.split(' ');
  // Ending in "." or ":" it is a sentence or a label ("Source: Home Office DHR Library.").
  return words.length <= MAX_NAME_WORDS && words.every(isNameWord) && !CONNECTOR.test(words[0]!) && !/[.:]$/.test(s);
}

/** Where the last sentence ends before a capitalised word: after "(NDM)." in "(NDM). College of Policing". */
function lastStop(s: string): number {
  let end = -1;
  for (const m of s.matchAll(/\.\s+(?=["“‘'(]?\p{Lu})/gu)) end = m.index + 1;
  return end;
}

/** The line's tail that names bodies the page states elsewhere without doubt, longest first. */
function knownSuffix(s: string, known: string[]): string | undefined {
  return known.find((name) => s.length > name.length && s.toLowerCase().endsWith(` ${name.toLowerCase()}`));
}

/**
 * Bodies the page names unambiguously: after a " | " (each part is a whole name) or after a
 * sentence's closing full stop. Most Hackney lines have no full stop ("... be recorded
 * Metropolitan Police Service"), but the same body is named this way on another line, so
 * recognising it at the end of those lines is a sure split rather than a guess.
 */
function knownNames(lines: string[]): string[] {
  const names = new Set<string>();
  for (const line of lines) {
    const [first, ...others] = line.split(/\s+\|\s+/);
    for (const name of others) if (looksLikeName(name)) names.add(name);
    const stop = lastStop(first!);
    if (stop >= 0 && looksLikeName(first!.slice(stop).trim())) names.add(first!.slice(stop).trim());
  }
  return [...names].sort((a, b) => b.length - a.length);
}

const CHECK = 'Check where the recommendation ends and the agency begins';

/**
 * Splits "<text> <first agency>" (the part of a line before any " | "). In order:
 * 1. after the last full stop followed by a capitalised word, if what follows reads as a name;
 * 2. before a name the page states elsewhere (knownNames);
 * 3. otherwise a guess, with a warning: the run of capitalised words ending the line, or else
 *    what follows the last full stop.
 */
function splitTail(s: string, known: string[]): { text: string; agency: string; warning?: string } {
  const stop = lastStop(s);
  const tail = stop >= 0 ? s.slice(stop).trim() : '';
  if (tail && looksLikeName(tail)) return { text: s.slice(0, stop), agency: tail };
  const name = knownSuffix(s, known);
  if (name) return { text: s.slice(0, s.length - name.length).trim(), agency: name };

  const words = s.split(' ');
  let from = words.length;
  // At least one word stays text; a word ending in "." ends a sentence, not a name.
  while (from > 1 && isNameWord(words[from - 1]!) && !/\.$/.test(words[from - 1]!)) from--;
  while (from < words.length && CONNECTOR.test(words[from]!)) from++;
  let agency = words.slice(from).join(' ');
  let text = words.slice(0, from).join(' ');
  if (!agency && tail && tail.split(' ').length <= MAX_NAME_WORDS) [text, agency] = [s.slice(0, stop), tail];
  const reason = !tail
    ? 'there is no full stop before the agency'
    : 'the words after the last full stop do not read as an agency name';
  const warning = agency
    ? `${CHECK}: ${reason}, so "${agency}" was taken as the agency.`
    : `${CHECK}: no agency name was found at the end of the line.`;
  return { text, agency, warning };
}

/** "# Recommendation Addressed to": recommendation lines follow it, page text before it is skipped. */
const isHeading = (line: string) =>
  line.split(' ').length <= 6 && /recommendation/i.test(line) && /addressed to|agenc/i.test(line);

/** "2a Any threat to life ..." → number and rest; a number alone also starts one (its text may follow on the next line). */
function recommendationStart(line: string): { number: string; body: string } | null {
  const [token = '', ...rest] = line.split(' ');
  const body = rest.join(' ');
  // The rest must start like a sentence, so "17 recommendations pulled from the report" is page text.
  if (!NUMBER.test(stripNumber(token)) || (body && !/^["“‘'(]?\p{Lu}/u.test(body))) return null;
  return { number: stripNumber(token), body };
}

function fromFreeLines(raw: string[]): ParseResult {
  const lines = raw.map(collapse);
  const heading = lines.findIndex(isHeading);
  const known = knownNames(lines.slice(heading + 1));
  // Finished when it ends in a body's name, or at least in a capitalised word (not "and", not
  // "planning."); a line after an unfinished one was wrapped from it.
  const finished = (body: string) => {
    const last = body.split(' ').pop()!;
    return knownSuffix(body, known) !== undefined || (/^["“‘'(]*\p{Lu}/u.test(last) && !last.endsWith('.'));
  };

  const records: { line: number; number: string; body: string }[] = [];
  let open: (typeof records)[number] | null = null;
  for (const [i, line] of lines.entries()) {
    if (i <= heading) continue;
    const start = recommendationStart(line);
    if (start) {
      open = { line: i + 1, ...start };
      records.push(open);
    } else if (
      open &&
      line &&
      // A wrapped line: the recommendation so far is unfinished, or this line clearly goes on
      // with it (starts in lower case, lists agencies, ends in a known body). Anything else,
      // like the page's closing "Recommendations extracted from ...", is page text.
      (!finished(open.body) || /^[\p{Ll}\d]/u.test(line) || line.includes(' | ') || knownSuffix(line, known))
    )
      open.body = `${open.body} ${line}`.trim();
    else open = null;
  }

  // Joined lines may state more names: "Metropolitan Police Service (Hackney Borough) | ..." on a
  // line of its own after "... harm (see recommendation 4)." reads as a name only once joined.
  const allKnown = knownNames([...lines.slice(heading + 1), ...records.map((r) => r.body)]);
  const drafts = records.map(({ line, number, body }): Draft => {
    if (!body) return { number, text: '', agencies: [], line };
    const [first, ...others] = body.split(/\s+\|\s+/);
    const { text, agency, warning } = splitTail(first!, allKnown);
    return { number, text: text.trim(), agencies: [agency, ...others], line, ...(warning ? { warning } : {}) };
  });
  return merge(drafts, []);
}
