/**
 * Splits the QA Panel's list of "areas for final development", pasted by a panel secretary
 * from Word, an email or a PDF, into the areas the secretary checks before saving. Each area
 * becomes one revision item that the Community Safety Partnership answers, and one entry in
 * the feedback letter, so a wrong split costs the CSP work. The rules are therefore few and
 * predictable, every assumption is said in `notes`, and no pasted text is ever dropped
 * unseen: what goes into no area is listed in `unused` with a reason.
 *
 * Items
 * - A line starting with a marker ("1." "(a)" "ii)" "-" "•" "o" ...) starts an item and the
 *   marker is dropped. The main list is the numbered one if there is one, else the style that
 *   comes first; items in other styles, or indented further, are its sub-items.
 * - A marker that is really the first word of a wrapped line ("...the family had / o contact",
 *   "...the chair, / J. Smith", "See paragraphs / 12. and 13.") is kept as text, carrying on the
 *   line before, when all of these hold: that line stops mid-sentence, with no blank line
 *   between; one space follows the marker (lists are often laid out with a tab or more); the
 *   line is indented no deeper than the text of the line before; the marker is not the next in
 *   a list (it is not the first, "1." "a." "i.", nor the one after the last marker of its kind,
 *   nor the one before the next; "o" is a sub-bullet next to another bullet); and the text
 *   after it starts in lower case, or is a name after an initial ("J. Smith"). Initials before
 *   initials ("A. N. Other") are a name even where "A." could start a list.
 * - Any other line carries on the item before it, because PDFs and emails break lines
 *   anywhere. With no marker anywhere, each paragraph is an item.
 * - A blank line does not end an item either: the list often continues after a page break.
 *   If the text before the blank stops mid-sentence, the page broke it and the two parts are
 *   joined with a space; if it ends a sentence and the next line starts one, the area has a
 *   new paragraph.
 * - Page numbers ("12", "Page 3 of 10", "- 3 -") and protective markings ("OFFICIAL") come
 *   from page headers and footers. They never join or end an area; they go to `unused`.
 *
 * Headings, introductions and lead-ins: lines that are about the items after them
 * - A heading is short (at most 60 characters, with no sentence end inside) and ends with a
 *   colon or no punctuation: "Structure:", "Equality and diversity". It names the areas under
 *   it: sub-items until the next top-level item, or top-level items until the next heading.
 *   It may be a line of its own or a marked item ("2. Structure:", "• Structure:").
 * - Without a colon, a short line could just as well be the tail of a wrapped line, so it
 *   heads top-level items only when it stands on a line of its own at the list's margin.
 * - A line ending with a colon that reads as a sentence (longer than a heading, or with a
 *   sentence end inside) is a lead-in: "The panel felt that more analysis was needed. In
 *   particular:". The items that follow are its points and the lot is ONE area, since the
 *   panel asks for one thing. Its points are the items under it (sub-items, in another style
 *   or indented further), or items at its own level that start with a lower-case letter,
 *   carrying on its sentence ("• the chronology should ..."); an unmarked lead-in is at the
 *   main list's level. The points end at the first item that is neither, or at a heading.
 *   A colon line followed by neither is no lead-in: before the first item it introduces the
 *   list, later it is an area of its own.
 * - Before the first item, a line announcing the list ("Areas of final development
 *   include:") is its introduction, not a heading; other text there (a greeting, a
 *   sentence from the letter) is left out too.
 *
 * A line "stands on its own" (may be a heading or lead-in rather than carrying on the item
 * before it) when it starts like a sentence and the line before it ended a clause, or came
 * before a blank line, or was not wrapped: it had room for the line's first word (the
 * longest line pasted shows how long a line can be). A short line ending with a colon
 * ("Structure:") stands on its own after any line, since lists often have no full stops.
 *
 * Text is otherwise kept as typed: HTML escaping is for whoever renders it. Each line is
 * looked at a fixed number of times, so the time taken grows in step with the text pasted.
 */

export interface PastedArea {
  /** The heading the area was listed under ("Structure"), without its colon. */
  heading: string | null;
  /** The area's own text; for a lead-in and points, the lead-in with its colon. */
  text: string;
  /** The points after a lead-in, each an item of the list; empty for other areas. */
  points: string[];
}

/** Pasted text that went into no area, and why. */
export interface UnusedLine {
  text: string;
  reason: string;
}

type Style = 'number' | 'letter' | 'roman' | 'bullet' | 'subBullet' | 'paragraph';

interface Line {
  /** Position in the pasted text, to list unused text in pasted order. */
  at: number;
  indent: number;
  /** How the line's item is marked; null for a line that does not start an item. */
  style: Style | null;
  /** Without its marker, whitespace collapsed. Empty only for a marker on a line of its own. */
  text: string;
  /** Indent, marker and text, to tell whether the line was wrapped. */
  width: number;
  /** Its first word ("12." "o" "J.") looked like a marker, but the line carries on the line before it; else empty. */
  wraps: string;
  afterBlank: boolean;
  /** A page number, protective marking or form feed came before it. */
  afterPageBreak: boolean;
}

/** An area's text, or one of its points, as it builds up line by line. */
interface Piece {
  text: string;
  /** The line added last, to see how the text ends without rescanning all of it. */
  lastLine: string;
}

interface Heading {
  name: string;
  /** As pasted, for `unused` if no area ends up under it. */
  source: string;
  at: number;
}

interface Draft {
  heading: Heading | null;
  /** 0 for the main list, 1 for its sub-items. */
  level: number;
  at: number;
  body: Piece;
  points: Piece[];
  pageBreak: boolean;
  paragraphs: number;
  /** The first words of its lines that looked like markers but were kept as text. */
  wrapped: string[];
}

/** Unmarked lines read as one: a line standing on its own and the lines carrying it on. */
interface Unit {
  lines: Line[];
  standsAlone: boolean;
}

interface Unused extends UnusedLine {
  at: number;
}

const LINE_BREAK = /\r\n?|[\n\v\u2028\u2029]/;

/** A marker spelt "1." "1)" or "(1)", then spaces or the end of the line (PDFs often give the marker a line of its own). */
const marker = (core: string) => new RegExp(`^(?:\\((?:${core})\\)|(?:${core})[.)])(?:\\s+|$)`, 'i');

/** In order: "i." is tried as a roman numeral before a letter. */
const MARKERS: [Style, RegExp][] = [
  // At most three digits, so a wrapped line starting "2019. " stays text.
  ['number', marker('\\d{1,3}')],
  // i to xxxix only, so a wrapped line starting "civil. " stays text.
  ['roman', marker('(?=[ivx])x{0,3}(?:ix|iv|v?i{0,3})')],
  ['letter', marker('[a-z]')],
  // Word's first-level bullet copies as "•", "·" or U+F0B7 (Symbol font); dashes are typed.
  // Text characters (not glyphs) must be followed by a space, so "-based" or "o'clock" stay text.
  ['bullet', /^(?:[•·●‣\uf0b7]|[-*–—](?=\s|$))\s*/],
  // The second and third levels: "o" and "▪" from Word, "◦" and "▪" from web pages.
  ['subBullet', /^(?:[◦○▪]|o(?=\s|$))\s*/],
];

// Matched against a line with its whitespace collapsed, so " ?" is all the spacing needed.
const PAGE_NUMBER =
  /^(?:(?:page ?)?\d{1,3}(?: ?(?:of|\/) ?\d{1,4})?|[-–—] ?\d{1,3} ?[-–—]|\d{1,3} ?\| ?page|page ?\| ?\d{1,3})$/i;
const PROTECTIVE_MARKING = /^(?:official(?: ?[-–—:]? ?sensitive)?|not protectively marked)$/i;

const MAX_HEADING = 60;
const SENTENCE_INSIDE = /[.!?…]\s/;
// Closing quotes and brackets may follow the full stop; opening ones may come before a capital.
const ENDS_SENTENCE = /[.!?…][\p{Pf}\p{Pe}"']*$/u;
const ENDS_CLAUSE = /[.!?…:;][\p{Pf}\p{Pe}"']*$/u;
const STARTS_SENTENCE = /^[\p{Pi}\p{Ps}"']*[\p{Lu}\p{Lt}\p{N}]/u;
const STARTS_LOWER_CASE = /^[\p{Pi}\p{Ps}"']*\p{Ll}/u;

const readsAsSentence = (text: string) => text.length > MAX_HEADING || SENTENCE_INSIDE.test(text);
/** "Structure", "Equality and diversity:". */
const isHeading = (text: string) => !readsAsSentence(text) && /[\p{L}\p{N}]/u.test(text) && !/[.!?…;,]$/.test(text);
/** "The panel felt that more analysis was needed. In particular:". */
const isLeadIn = (text: string) => text.endsWith(':') && readsAsSentence(text);
/** "Areas of final development include:", "Areas for final development", "The Panel noted the following areas:". */
const isIntro = (text: string) =>
  /^(?:the )?areas? (?:of|for) (?:final |further )?(?:development|revision|improvement)\b/i.test(text) ||
  (text.endsWith(':') && /\b(?:areas?|following)\b/i.test(text));

const headingName = (text: string) => text.replace(/\s*:$/, '');
const textOf = (unit: Unit) => unit.lines.map((l) => l.text).join(' ');
const wrapsIn = (unit: Unit) => unit.lines.map((l) => l.wraps).filter(Boolean);
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** A marker at the start of a pasted line, before it is judged to start an item or not. */
interface Candidate {
  style: Style;
  /** Its place in its list: 12 for "12.", 4 for "(iv)", 2 for "b)"; 0 for a bullet. */
  value: number;
  /** For a single letter, "i", "v" and "x" included, its place in the alphabet; else 0. */
  letter: number;
  /** "J." and the like: a capital letter and a full stop, as in a name's initials. */
  initial: boolean;
  /** The marker and the spacing after it, as pasted (tabs and all). */
  raw: string;
  /** The line's text after the marker, whitespace collapsed. */
  rest: string;
}

/** A pasted line with text, its marker not yet judged. */
interface RawLine {
  at: number;
  indent: number;
  /** Marker included, whitespace collapsed. */
  text: string;
  candidate: Candidate | null;
  afterBlank: boolean;
  afterPageBreak: boolean;
}

/** Where each kind of list stands: the last number, letter and numeral read as a marker, or the next of each kind pasted. */
interface ListPlace {
  number: number;
  letter: number;
  roman: number;
  /** The last marker read, or the next pasted, is a bullet ("•", "-", "o", ...). */
  bullet: boolean;
}

const ROMAN_DIGITS: Record<string, number> = { i: 1, v: 5, x: 10 };

/** "iv" is 4, "xii" is 12. */
function romanValue(numeral: string): number {
  let value = 0;
  for (let i = 0; i < numeral.length; i++) {
    const digit = ROMAN_DIGITS[numeral[i]!]!;
    value += digit < (ROMAN_DIGITS[numeral[i + 1] ?? ''] ?? 0) ? -digit : digit;
  }
  return value;
}

function findMarker(trimmed: string): Candidate | null {
  for (const [style, pattern] of MARKERS) {
    const found = pattern.exec(trimmed);
    if (!found) continue;
    const mark = found[0].replace(/[\s().]/g, '');
    const lower = mark.toLowerCase();
    const letter = (style === 'letter' || style === 'roman') && lower.length === 1 ? lower.charCodeAt(0) - 96 : 0;
    return {
      style,
      value: style === 'number' ? Number(mark) : style === 'roman' ? romanValue(lower) : letter,
      letter,
      initial: /^[A-Z]\.\s/.test(found[0]),
      raw: found[0],
      rest: trimmed.slice(found[0].length).replace(/\s+/g, ' '),
    };
  }
  return null;
}

/** Whether a marker could be the next in its list: the first ("1." "a)" "(i)"), the one after the last, or the one before the next. */
function inSequence(style: Style, c: Candidate, last: ListPlace, next: ListPlace): boolean {
  if (style === 'number') return c.value === 1 || c.value === last.number + 1 || next.number === c.value + 1;
  if (style === 'roman') return c.value === 1 || c.value === last.roman + 1 || next.roman === c.value + 1;
  if (style === 'letter') return c.letter === 1 || c.letter === last.letter + 1 || next.letter === c.letter + 1;
  // Of the bullets only "o" can be a word; it is a sub-bullet next to other bullets.
  return style !== 'subBullet' || c.raw.trim() !== 'o' || last.bullet || next.bullet;
}

/**
 * Whether a marker is really the first word of a wrapped line ("had / o contact", "the chair, /
 * J. Smith", "paragraphs / 12. and 13.", "the section / 4) of"). All of these must hold: the
 * line before it, with no blank line between, stops mid-sentence; the marker is followed by a
 * single space, not laid out with a tab or spaces as a list's are; the line is indented no
 * deeper than the text of the line before (sub-items usually are); the marker is not the next
 * in a list; and the text after it starts in lower case, or with a name after an initial.
 * Initials followed by more initials ("A. N. Other") are a name even if "a" could start a list.
 */
function wrapsOn(
  style: Style,
  c: Candidate,
  line: RawLine,
  before: Line | undefined,
  column: number,
  last: ListPlace,
  next: ListPlace,
): boolean {
  if (!before?.text || line.afterBlank || ENDS_CLAUSE.test(before.text)) return false;
  if (/\t|\s\s/.test(c.raw) || line.indent > column) return false;
  if (c.initial && /^\p{Lu}\.(?:\s|$)/u.test(c.rest)) return true;
  if (inSequence(style, c, last, next)) return false;
  return STARTS_LOWER_CASE.test(c.rest) || (c.initial && /^\p{Lu}/u.test(c.rest));
}

/** The pasted lines that have text, and the page headers and footers among them. */
function readLines(pasted: string): { lines: Line[]; debris: Unused[] } {
  const raws: RawLine[] = [];
  const debris: Unused[] = [];
  let at = 0;
  let afterBlank = false;
  let afterPageBreak = false;
  // Word's manual line break can arrive as a vertical tab, and a PDF's page break as a form
  // feed. JS's \s and trim() cover non-breaking spaces and a byte order mark.
  for (const physical of pasted.split(LINE_BREAK)) {
    const pieces = physical.split('\f');
    pieces.forEach((piece, i) => {
      if (i > 0) afterPageBreak = true;
      const here = at++;
      const trimmed = piece.trim();
      const text = trimmed.replace(/\s+/g, ' ');
      if (!text) {
        if (pieces.length === 1) afterBlank = true;
        return;
      }
      const reason = PAGE_NUMBER.test(text)
        ? 'Page number'
        : PROTECTIVE_MARKING.test(text)
          ? 'Protective marking from a page header or footer'
          : null;
      if (reason) {
        debris.push({ at: here, text, reason });
        afterPageBreak = true;
        return;
      }
      const indent = /^\s*/.exec(piece)![0].replace(/\t/g, '    ').length;
      raws.push({ at: here, indent, text, candidate: findMarker(trimmed), afterBlank, afterPageBreak });
      afterBlank = false;
      afterPageBreak = false;
    });
  }

  // What each line's lists go on to: one pass from the end, so no line looks ahead further than once.
  const ahead: ListPlace[] = new Array<ListPlace>(raws.length);
  let next: ListPlace = { number: 0, letter: 0, roman: 0, bullet: false };
  for (let i = raws.length - 1; i >= 0; i--) {
    ahead[i] = next;
    const c = raws[i]!.candidate;
    if (!c) continue;
    next = { ...next };
    if (c.style === 'number') next.number = c.value;
    else if (c.style === 'roman') next.roman = c.value;
    if (c.letter) next.letter = c.letter;
    next.bullet = c.style === 'bullet' || c.style === 'subBullet';
  }

  const lines: Line[] = [];
  const last: ListPlace = { number: 0, letter: 0, roman: 0, bullet: false };
  /** Where the text of the line before starts, after its marker: a wrapped line may be indented to it. */
  let column = 0;
  raws.forEach((raw, i) => {
    const { at: here, indent, candidate: c } = raw;
    const width = indent + raw.text.length;
    let style: Style | null = null;
    let text = raw.text;
    let wraps = '';
    if (c) {
      // "i", "v" and "x" are letters when they follow "h", "u" and "w" in a lettered list.
      const marked = c.style === 'roman' && c.letter && c.letter === last.letter + 1 ? 'letter' : c.style;
      if (wrapsOn(marked, c, raw, lines.at(-1), column, last, ahead[i]!)) wraps = c.raw.trim();
      else {
        style = marked;
        text = c.rest;
        if (style === 'number') last.number = c.value;
        else if (style === 'roman') last.roman = c.value;
        else if (style === 'letter') last.letter = c.letter;
        last.bullet = style === 'bullet' || style === 'subBullet';
      }
    }
    column = indent + (style ? c!.raw.replace(/\t/g, '    ').length : 0);
    lines.push({
      at: here,
      indent,
      style,
      text,
      width,
      wraps,
      afterBlank: raw.afterBlank,
      afterPageBreak: raw.afterPageBreak,
    });
  });
  return { lines, debris };
}

/**
 * With no marker anywhere, each paragraph starts an item, and so does the line after one
 * ending with a colon ("Structure:" then the first area). A paragraph carries on the one
 * before when a page break cut that mid-sentence. Lines before the first item that end with
 * a colon, or announce the list, are left unmarked, to be read as its introduction or heading.
 */
function markParagraphs(lines: Line[]): void {
  let marked = false;
  lines.forEach((line, i) => {
    const before = lines[i - 1];
    if (before) {
      const starts = line.afterBlank || (before.text.endsWith(':') && STARTS_SENTENCE.test(line.text));
      if (!starts) return;
      if (!ENDS_CLAUSE.test(before.text) && (line.afterPageBreak || STARTS_LOWER_CASE.test(line.text))) return;
    }
    if (!marked && (line.text.endsWith(':') || isIntro(line.text))) return;
    line.style = 'paragraph';
    marked = true;
  });
}

class Splitter {
  readonly drafts: Draft[] = [];
  readonly headings: Heading[] = [];
  readonly unused: Unused[] = [];
  readonly topStyle: Style | undefined;
  private readonly topIndent: number = Infinity;
  /** The longest line: one that had room for the next line's first word was not wrapped. */
  private readonly maxWidth: number = 0;
  /** The heading over top-level items, until the next heading. */
  private outer: Heading | null = null;
  /** The heading over sub-items, until the next top-level item. */
  private inner: Heading | null = null;
  private leadIn: { draft: Draft; level: number; sameLevel: boolean } | null = null;
  /** The area of the item read last, which the next item may show to be a heading or lead-in. */
  private latest: Draft | null = null;
  /** Where a line carrying on an item goes: the area's text or its last point. */
  private target: { draft: Draft; piece: Piece } | null = null;
  private pendingHeading: Heading | null = null;
  private pendingLeadIn: { text: string; at: number; wrapped: string[] } | null = null;

  constructor(private readonly lines: Line[]) {
    // The main list is the numbered one if there is one (its sub-items being lettered or
    // bulleted), else whichever comes first.
    for (const line of lines) {
      this.maxWidth = Math.max(this.maxWidth, line.width);
      if (line.style && (!this.topStyle || (line.style === 'number' && this.topStyle !== 'number'))) {
        this.topStyle = line.style;
      }
    }
    for (const line of lines) {
      if (line.style === this.topStyle) this.topIndent = Math.min(this.topIndent, line.indent);
    }
  }

  /** 0 for the main list, 1 for sub-items. A PDF may right-align numbers, so " 9." is level with "10.". */
  private level(line: Line): number {
    return line.style === 'paragraph' || (line.style === this.topStyle && line.indent <= this.topIndent + 1) ? 0 : 1;
  }

  split(): void {
    let run: Line[] = [];
    let before: Line | undefined;
    this.lines.forEach((line, i) => {
      if (!line.style) {
        run.push(line);
        return;
      }
      // A marker on a line of its own is judged by the text on the line after it.
      const after = this.lines[i + 1];
      const opening = line.text || (after && !after.style ? after.text : '');
      this.readRun(run, before, line, opening);
      this.readItem(line, opening);
      run = [];
      before = line;
    });
    this.readRun(run, before);
  }

  /** Whether `line` may be a heading or lead-in rather than carrying on the line before. */
  private standsAlone(before: Line | undefined, line: Line): boolean {
    if (!before) return true;
    if (!before.text || line.wraps) return false;
    const space = line.text.indexOf(' ');
    const hadRoom = before.width + 1 + (space < 0 ? line.text.length : space) <= this.maxWidth;
    const namesWhatFollows = line.text.endsWith(':') && isHeading(line.text);
    return (
      STARTS_SENTENCE.test(line.text) &&
      (line.afterBlank || ENDS_CLAUSE.test(before.text) || hadRoom || namesWhatFollows)
    );
  }

  /** Whether the items after a lead-in at `level`, starting with `next`, are its points. */
  private pointsFollow(level: number, nextLevel: number, opening: string): boolean {
    return nextLevel > level || (nextLevel === level && STARTS_LOWER_CASE.test(opening));
  }

  /** Whether an unmarked unit names the items after it. */
  private headsItem(unit: Unit, text: string, next: Line): boolean {
    if (!isHeading(text)) return false;
    if (text.endsWith(':')) return true;
    // Without a colon it could be the tail of a wrapped line: it heads sub-items, or top-level
    // items when it is a line of its own not indented into the list's text.
    if (next.style === 'paragraph') return false;
    return this.level(next) > 0 || (unit.lines.length === 1 && unit.lines[0]!.indent <= next.indent + 1);
  }

  /** The unmarked lines between two items (or before the first, or after the last). */
  private readRun(run: Line[], before: Line | undefined, next?: Line, nextOpening = ''): void {
    if (!run.length) return;
    const units: Unit[] = [];
    let previous = before;
    for (const line of run) {
      const standsAlone = this.standsAlone(previous, line);
      if (standsAlone || !units.length) units.push({ lines: [line], standsAlone });
      else units.at(-1)!.lines.push(line);
      previous = line;
    }

    type Role = 'carryOn' | 'preamble' | 'intro' | 'heading' | 'leadIn' | 'area';
    const inPreamble = !this.target;
    const roles: Role[] = units.map((u) => (!inPreamble ? 'carryOn' : isIntro(textOf(u)) ? 'intro' : 'preamble'));
    const last = units.length - 1;
    const unit = units[last]!;
    if (next && unit.standsAlone && roles[last] !== 'intro') {
      const text = textOf(unit);
      if (this.headsItem(unit, text, next)) roles[last] = 'heading';
      else if (isLeadIn(text)) {
        if (this.pointsFollow(0, this.level(next), nextOpening)) {
          roles[last] = 'leadIn';
          const above = units[last - 1];
          if (above?.standsAlone && roles[last - 1] !== 'intro' && this.headsItem(above, textOf(above), next)) {
            roles[last - 1] = 'heading';
          }
        } else roles[last] = inPreamble ? 'intro' : 'area';
      }
    }

    let preamble: Unit[] = [];
    const flushPreamble = () => {
      if (!preamble.length) return;
      const text = preamble.map(textOf).join(' ');
      this.unused.push({ at: preamble[0]!.lines[0]!.at, text, reason: 'Text before the first area' });
      preamble = [];
    };
    units.forEach((u, i) => {
      const role = roles[i]!;
      if (role === 'preamble') {
        preamble.push(u);
        return;
      }
      flushPreamble();
      const at = u.lines[0]!.at;
      if (role === 'carryOn') u.lines.forEach((line) => this.carryOn(line));
      else if (role === 'intro') this.unused.push({ at, text: textOf(u), reason: 'Introduction to the list' });
      else if (role === 'heading') this.pendingHeading = this.heading(textOf(u), at);
      else if (role === 'leadIn') this.pendingLeadIn = { text: textOf(u), at, wrapped: wrapsIn(u) };
      else {
        // A paragraph of its own between the items ends the list a heading was over.
        this.leadIn = null;
        this.outer = null;
        this.newArea(textOf(u), 0, at, wrapsIn(u));
      }
    });
    flushPreamble();
  }

  private readItem(line: Line, opening: string): void {
    const level = this.level(line);
    if (level === 0) this.inner = null;
    if (this.pendingHeading || this.pendingLeadIn) {
      this.leadIn = null;
      // So does a lead-in of its own, unless a heading stands straight above it.
      if (!this.pendingHeading) this.outer = null;
      if (this.pendingHeading) this.setHeading(this.pendingHeading, level);
      if (this.pendingLeadIn) {
        const { text, at, wrapped } = this.pendingLeadIn;
        const draft = this.newArea(text, 0, at, wrapped);
        this.leadIn = { draft, level: 0, sameLevel: level === 0 };
      }
      this.pendingHeading = null;
      this.pendingLeadIn = null;
    } else this.lookBack(level, opening);

    const lead = this.leadIn;
    const isPoint =
      lead && (level > lead.level || (lead.sameLevel && level === lead.level && STARTS_LOWER_CASE.test(opening)));
    if (isPoint) {
      const point = { text: line.text, lastLine: line.text };
      lead.draft.points.push(point);
      this.target = { draft: lead.draft, piece: point };
      this.latest = null;
    } else {
      this.leadIn = null;
      this.newArea(line.text, level, line.at);
    }
  }

  /** The item before `next` may turn out to be a heading ("2. Structure:") or a lead-in. */
  private lookBack(level: number, opening: string): void {
    const draft = this.latest;
    if (!draft) return;
    const text = draft.body.text;
    if (isLeadIn(text) && this.pointsFollow(draft.level, level, opening)) {
      this.leadIn = { draft, level: draft.level, sameLevel: level === draft.level };
    } else if (isHeading(text) && (level > draft.level || (level === draft.level && text.endsWith(':')))) {
      this.drafts.pop();
      this.setHeading(this.heading(text, draft.at), level);
    }
  }

  private heading(source: string, at: number): Heading {
    const heading = { name: headingName(source), source, at };
    this.headings.push(heading);
    return heading;
  }

  /** A heading read before a top-level item lasts until the next heading; before a sub-item, until the next top-level item. */
  private setHeading(heading: Heading, level: number): void {
    if (level === 0) {
      this.outer = heading;
      this.inner = null;
    } else this.inner = heading;
  }

  private newArea(text: string, level: number, at: number, wrapped: string[] = []): Draft {
    const draft: Draft = {
      heading: this.inner ?? this.outer,
      level,
      at,
      body: { text, lastLine: text },
      points: [],
      pageBreak: false,
      paragraphs: 1,
      wrapped,
    };
    this.drafts.push(draft);
    this.target = { draft, piece: draft.body };
    this.latest = draft;
    return draft;
  }

  /** A line that carries on the item before it, joined as a wrapped line or a new paragraph. */
  private carryOn(line: Line): void {
    const { draft, piece } = this.target!;
    if (line.wraps) draft.wrapped.push(line.wraps);
    if (!piece.text) {
      piece.text = piece.lastLine = line.text;
      return;
    }
    const paragraph = line.afterBlank && ENDS_SENTENCE.test(piece.lastLine) && STARTS_SENTENCE.test(line.text);
    piece.text += (paragraph ? '\n' : ' ') + line.text;
    piece.lastLine = line.text;
    if (paragraph) draft.paragraphs++;
    else if (line.afterBlank || line.afterPageBreak) draft.pageBreak = true;
  }
}

const LIST_NAMES: Record<Style, string> = {
  number: 'from a numbered list',
  letter: 'from a lettered list',
  roman: 'from a list numbered i, ii, iii',
  bullet: 'from a bulleted list',
  subBullet: 'from a bulleted list',
  paragraph: 'from paragraphs, as the text had no numbers or bullets',
};

/** "a", "a and b", "a, b and c". */
const listed = (words: string[]) =>
  words.length > 1 ? `${words.slice(0, -1).join(', ')} and ${words.at(-1)!}` : (words[0] ?? '');

/** "area 3", "areas 3 and 4", "areas 3 to 7", "areas 1, 2 and 5". */
function areaNumbers(numbers: number[]): string {
  const first = numbers[0]!;
  const last = numbers.at(-1)!;
  if (numbers.length === 1) return `area ${first}`;
  if (numbers.length > 2 && last - first === numbers.length - 1) return `areas ${first} to ${last}`;
  return `areas ${numbers.slice(0, -1).join(', ')} and ${last}`;
}

/** The areas in the order pasted, the text left out of them, and what was assumed, for the secretary to check. */
export function splitAreas(text: string): { areas: PastedArea[]; unused: UnusedLine[]; notes: string[] } {
  const { lines, debris } = readLines(text);
  if (!lines.some((l) => l.style)) markParagraphs(lines);
  const splitter = new Splitter(lines);
  splitter.split();

  const drafts = splitter.drafts.filter((d) => d.body.text);
  const areas = drafts.map((d) => ({
    heading: d.heading?.name ?? null,
    text: d.body.text,
    points: d.points.map((p) => p.text).filter(Boolean),
  }));

  const under = new Map<Heading, number[]>();
  drafts.forEach((d, i) => {
    if (!d.heading) return;
    const numbers = under.get(d.heading);
    if (numbers) numbers.push(i + 1);
    else under.set(d.heading, [i + 1]);
  });
  const unused = [...debris, ...splitter.unused];
  for (const heading of splitter.headings) {
    if (!under.has(heading)) {
      unused.push({ at: heading.at, text: heading.source, reason: 'Heading with no areas under it' });
    }
  }
  unused.sort((a, b) => a.at - b.at);

  const notes: string[] = [];
  if (areas.length) notes.push(`Read ${plural(areas.length, 'area')} ${LIST_NAMES[splitter.topStyle!]}.`);
  else if (lines.length || debris.length) notes.push('Found no areas in the pasted text.');
  drafts.forEach((d, i) => {
    const n = i + 1;
    const numbers = d.heading && under.get(d.heading);
    if (numbers?.[0] === n) notes.push(`"${d.heading!.name}" is a heading over ${areaNumbers(numbers)}.`);
    const points = areas[i]!.points.length;
    if (points) notes.push(`Area ${n} has a lead-in and ${plural(points, 'point')}.`);
    if (d.pageBreak) notes.push(`Area ${n} continued after a page break.`);
    if (d.paragraphs > 1) notes.push(`Area ${n} has ${d.paragraphs} paragraphs.`);
    if (d.wrapped.length) {
      const words = listed(d.wrapped.map((w) => `"${w}"`));
      notes.push(
        d.wrapped.length === 1
          ? `In area ${n}, ${words} starts a wrapped line, so it is kept as text, not read as a new item.`
          : `In area ${n}, ${words} start wrapped lines, so they are kept as text, not read as new items.`,
      );
    }
  });

  return { areas, unused: unused.map(({ text, reason }) => ({ text, reason })), notes };
}
