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

/**
 * What one import may hold. A longer number, text or agency name is refused on its line, not
 * cut: it is almost always a list that was read wrongly (or not a list at all).
 */
export const LIMITS = {
  /** Characters of a recommendation's number. */
  number: 50,
  /** Characters of a recommendation's text. */
  text: 5000,
  /** Characters of an agency's (organisation's) name. */
  agency: 200,
  /** Agencies one recommendation is addressed to. */
  agencies: 50,
  /** Recommendations in one import. */
  recommendations: 500,
} as const;

/**
 * Linear in the size of the content (n log n at worst, sorting the names a page states): a
 * line is looked at a bounded number of times, and nothing accumulated is scanned again per line.
 */
export function parseRecommendations(format: 'text' | 'csv', content: string): ParseResult {
  // A byte order mark (Excel's "CSV UTF-8") would otherwise stick to the first heading.
  const source = content.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  if (!source.trim()) return { rows: [], errors: [] };
  const lines = source.split('\n');
  const unsaveable = badCharacters(lines);
  if (unsaveable.length) return { rows: [], errors: unsaveable };
  if (format === 'csv') return fromCells(readCsv(source), 'CSV');
  const table = readTable(lines);
  return table ? fromCells({ records: table, errors: [] }, 'table') : fromFreeLines(lines);
}

/**
 * Control characters other than whitespace (NUL, which PostgreSQL cannot store in text, among
 * them) and half of a surrogate pair (which would be saved as "\uFFFD"): refused on their line,
 * wherever they are, since the list cannot be saved as pasted. Tabs, vertical tabs and form
 * feeds (a page break copied from a PDF) are whitespace and become spaces.
 */
const UNSAVEABLE = /[\u0000-\u0008\u000e-\u001f\u007f]|\p{Cs}/u;

function badCharacters(lines: string[]): Problem[] {
  const problems: Problem[] = [];
  for (const [i, line] of lines.entries()) {
    const found = UNSAVEABLE.exec(line)?.[0];
    if (found === undefined) continue;
    const code = `U+${found.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
    const message = /\p{Cs}/u.test(found)
      ? `The line holds a broken character (${code}, half of an emoji or of another character): retype or remove it`
      : `The line holds a control character (${code}), which cannot be saved: remove it`;
    problems.push({ line: i + 1, message });
  }
  return problems;
}

// ---- Shared -------------------------------------------------------------------------------

/** "1", "2a", "11.4.1", "IMR.1", "IPCC.3", "Panel.179" (a trailing "." or ")" is dropped first). */
const NUMBER = /^(?:\d+(?:\.\d+)*[a-z]?|[A-Za-z]+\.\d+(?:\.\d+)*[a-z]?)$/;
const stripNumber = (token: string) => token.replace(/[.):]$/, '');
const collapse = (s: string) => s.replace(/\s+/g, ' ').trim();
/** The key the service also uses to match organisations: "Harlow CCG" and "harlow c.c.g." are one body. */
const key = (name: string) => name.toLowerCase().replace(/[^a-z0-9]+/g, '');

/** A value quoted in a message, shortened: the message must not repeat a 100,000-character name. */
const quote = (s: string) => `"${s.length > 60 ? `${s.slice(0, 57)}...` : s}"`;

/** What is wrong with a row's number, text and agencies (already collapsed) on their own. */
function rowProblems(number: string, text: string, agencies: string[]): string[] {
  if (!number) return ['The recommendation has no number'];
  if (number.length > LIMITS.number)
    return [`The recommendation number ${quote(number)} is longer than ${LIMITS.number} characters`];
  const problems: string[] = [];
  if (!text) problems.push(`Recommendation ${number} has no text`);
  else if (text.length > LIMITS.text)
    problems.push(
      `The text of recommendation ${number} is ${text.length} characters long: at most ${LIMITS.text} are allowed`,
    );
  for (const name of agencies)
    if (name.length > LIMITS.agency)
      problems.push(
        `The agency name ${quote(name)} (recommendation ${number}) is ${name.length} characters long: at most ${LIMITS.agency} are allowed`,
      );
  return problems;
}

/**
 * Checks each row and merges rows with the same number (Harlow repeats a recommendation per
 * agency). Each row keeps the keys of its agencies, so merging a repeated row costs its own size.
 */
function merge(drafts: Draft[], errors: Problem[]): ParseResult {
  const rows: ParsedRecommendation[] = [];
  const byNumber = new Map<string, { row: ParsedRecommendation; keys: Set<string> }>();
  const add = (into: { row: ParsedRecommendation; keys: Set<string> }, names: string[]) => {
    for (const name of names) {
      const k = key(name);
      if (!name || into.keys.has(k)) continue;
      into.keys.add(k);
      into.row.agencies.push(name);
    }
  };
  for (const d of drafts) {
    const agencies = d.agencies.map(collapse);
    const problems = rowProblems(d.number, d.text, agencies);
    if (problems.length) {
      for (const message of problems) errors.push({ line: d.line, message });
      continue;
    }
    const first = byNumber.get(d.number);
    if (!first) {
      const row: ParsedRecommendation = { number: d.number, text: d.text, agencies: [], line: d.line };
      if (d.warning) row.warning = d.warning;
      const merged = { row, keys: new Set<string>() };
      add(merged, agencies);
      byNumber.set(d.number, merged);
      rows.push(row);
    } else if (first.row.text !== d.text) {
      // Merging would silently drop one of the two texts.
      errors.push({
        line: d.line,
        message: `Recommendation ${d.number} appears again with different text (first on line ${first.row.line})`,
      });
    } else add(first, agencies);
  }
  for (const row of rows)
    if (row.agencies.length > LIMITS.agencies)
      errors.push({
        line: row.line,
        message: `Recommendation ${row.number} is addressed to ${row.agencies.length} agencies: at most ${LIMITS.agencies} are allowed`,
      });
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
  // Whether the field so far is only whitespace: kept as it grows, not found by trimming it again at each quote.
  let blank = true;
  const append = (ch: string) => {
    field += ch;
    if (blank && !/\s/.test(ch)) blank = false;
  };
  const endField = () => {
    cells.push(field);
    field = '';
    blank = true;
  };
  let quoted = false;
  let line = 1;
  let recordLine = 1;
  let quoteLine = 0;
  for (let i = 0; i < source.length; i++) {
    const ch = source[i]!;
    if (ch === '\n') line++;
    if (quoted) {
      if (ch !== '"') append(ch);
      else if (source[i + 1] === '"') append(source[i++]!);
      else quoted = false;
    } else if (ch === '"' && blank) {
      // Spaces before an opening quote are forgiven: spreadsheets never write them, people do.
      quoted = true;
      field = '';
      quoteLine = line;
    } else if (ch === ',') endField();
    else if (ch === '\n') {
      endField();
      records.push({ line: recordLine, cells });
      cells = [];
      recordLine = line;
    } else append(ch);
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

/**
 * The bodies a page names without doubt (see knownNames), indexed once by their lower-case
 * form, so that finding one at the end of a line costs a few lookups of that line's last words
 * (a name has at most MAX_NAME_WORDS words), however many names the page states.
 */
interface KnownNames {
  /** Lower-case name → the name as the page first writes it (the longest spelling first). */
  byKey: Map<string, string>;
  /** The names' last words, lower-case: a line ending in another word ends in no name. */
  lastWords: Set<string>;
  /** How many words the names have, most first: only those many last words are looked up. */
  wordCounts: number[];
  /** No name is longer than this: words beyond it are not looked at. */
  maxChars: number;
}

/**
 * The last words of a text held as parts joined by single spaces (the lines of a record, or a
 * single line), last word last: at most `count`, and none that would take them past `maxChars`
 * characters. `more` says whether text comes before the first of them. Only those words are read.
 */
function lastWords(parts: readonly string[], count: number, maxChars: number): { words: string[]; more: boolean } {
  const words: string[] = [];
  let chars = 0;
  for (let p = parts.length - 1; p >= 0; p--) {
    const part = parts[p]!;
    // The words of part.split(' '), from the last, without splitting the rest of it.
    for (let end = part.length; ;) {
      const space = end === 0 ? -1 : part.lastIndexOf(' ', end - 1);
      const word = part.slice(space + 1, end);
      if (words.length === count || chars + word.length > maxChars) return { words: words.reverse(), more: true };
      words.push(word);
      chars += word.length + 1;
      if (space < 0) break;
      end = space;
    }
  }
  return { words: words.reverse(), more: false };
}

/**
 * The longest name the page states that ends the text after a space (so some text stays before
 * it), whatever its case, with the length it has in the text.
 */
function knownSuffix(parts: readonly string[], known: KnownNames): { name: string; length: number } | undefined {
  if (known.byKey.size === 0) return undefined;
  const last = lastWords(parts, 1, known.maxChars).words[0];
  if (last === undefined || !known.lastWords.has(last.toLowerCase())) return undefined;
  const { words, more } = lastWords(parts, MAX_NAME_WORDS + 1, known.maxChars);
  // Each word on its own lower-cases as it does in the line: case mappings do not reach across a space.
  const lower = words.map((w) => w.toLowerCase());
  const usable = more ? words.length : words.length - 1;
  for (const k of known.wordCounts) {
    if (k > usable) continue;
    const name = known.byKey.get(lower.slice(-k).join(' '));
    if (name !== undefined) return { name, length: words.slice(-k).join(' ').length };
  }
  return undefined;
}

/**
 * Bodies the page names unambiguously: after a " | " (each part is a whole name) or after a
 * sentence's closing full stop. Most Hackney lines have no full stop ("... be recorded
 * Metropolitan Police Service"), but the same body is named this way on another line, so
 * recognising it at the end of those lines is a sure split rather than a guess.
 */
function knownNames(lines: string[], names = new Set<string>()): Set<string> {
  for (const line of lines) {
    const [first, ...others] = line.split(/\s+\|\s+/);
    for (const name of others) if (looksLikeName(name)) names.add(name);
    const stop = lastStop(first!);
    if (stop >= 0 && looksLikeName(first!.slice(stop).trim())) names.add(first!.slice(stop).trim());
  }
  return names;
}

function indexNames(names: Iterable<string>): KnownNames {
  const byKey = new Map<string, string>();
  const lastWords = new Set<string>();
  const wordCounts = new Set<number>();
  let longest = 0;
  for (const name of names) {
    const lower = name.toLowerCase();
    // The longest spelling of a name, or the first of equally long ones.
    if ((byKey.get(lower)?.length ?? -1) < name.length) byKey.set(lower, name);
    const words = lower.split(' ');
    lastWords.add(words[words.length - 1]!);
    wordCounts.add(words.length);
    longest = Math.max(longest, name.length, lower.length);
  }
  // Lower-casing may lengthen a word (İ becomes i̇), never more than twice over.
  return { byKey, lastWords, wordCounts: [...wordCounts].sort((a, b) => b - a), maxChars: 2 * longest + 1 };
}

const CHECK = 'Check where the recommendation ends and the agency begins';

/**
 * Splits "<text> <first agency>" (the part of a line before any " | "). In order:
 * 1. after the last full stop followed by a capitalised word, if what follows reads as a name;
 * 2. before a name the page states elsewhere (knownNames);
 * 3. otherwise a guess, with a warning: the run of capitalised words ending the line, or else
 *    what follows the last full stop.
 */
function splitTail(s: string, known: KnownNames): { text: string; agency: string; warning?: string } {
  const stop = lastStop(s);
  const tail = stop >= 0 ? s.slice(stop).trim() : '';
  if (tail && looksLikeName(tail)) return { text: s.slice(0, stop), agency: tail };
  const name = knownSuffix([s], known);
  if (name) return { text: s.slice(0, s.length - name.length).trim(), agency: name.name };

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
  const page = lines.slice(heading + 1);
  const stated = knownNames(page);
  const known = indexNames(stated);
  // Finished when it ends in a body's name, or at least in a capitalised word (not "and", not
  // "planning."); a line after an unfinished one was wrapped from it. Only the record's last
  // words are read, so a record of many wrapped lines costs no more per line than a short one.
  const finished = (parts: readonly string[]) => {
    if (knownSuffix(parts, known)) return true;
    const last = lastWords(parts, 1, Infinity).words[0] ?? '';
    return /^["“‘'(]*\p{Lu}/u.test(last) && !last.endsWith('.');
  };

  // A record's lines are kept apart and joined once at the end: never rebuilt line by line.
  const records: { line: number; number: string; parts: string[] }[] = [];
  let open: (typeof records)[number] | null = null;
  for (const [i, line] of lines.entries()) {
    if (i <= heading) continue;
    const start = recommendationStart(line);
    if (start) {
      open = { line: i + 1, number: start.number, parts: start.body ? [start.body] : [] };
      records.push(open);
    } else if (
      open &&
      line &&
      // A wrapped line: the recommendation so far is unfinished, or this line clearly goes on
      // with it (starts in lower case, lists agencies, ends in a known body). Anything else,
      // like the page's closing "Recommendations extracted from ...", is page text.
      (!finished(open.parts) || /^[\p{Ll}\d]/u.test(line) || line.includes(' | ') || knownSuffix([line], known))
    )
      open.parts.push(line);
    else open = null;
  }

  // Joined lines may state more names: "Metropolitan Police Service (Hackney Borough) | ..." on a
  // line of its own after "... harm (see recommendation 4)." reads as a name only once joined.
  const bodies = records.map((r) => r.parts.join(' '));
  // (A one-line record's body is part of a line already read, and states nothing new.)
  const joined = bodies.filter((_, i) => records[i]!.parts.length > 1);
  const allKnown = indexNames(knownNames(joined, new Set(stated)));
  const drafts = records.map(({ line, number }, i): Draft => {
    const body = bodies[i]!;
    if (!body) return { number, text: '', agencies: [], line };
    const [first, ...others] = body.split(/\s+\|\s+/);
    const { text, agency, warning } = splitTail(first!, allKnown);
    return { number, text: text.trim(), agencies: [agency, ...others], line, ...(warning ? { warning } : {}) };
  });
  return merge(drafts, []);
}
