/**
 * Splits the QA Panel's list of "areas for final development", pasted by a panel secretary
 * from Word, an email or a PDF, into items for the secretary to confirm before saving.
 *
 * The rules are few and predictable on purpose, since the secretary checks every item:
 * - a line that starts with a marker ("1." "(a)" "ii)" "-" "•" "o" ...) starts an item, and
 *   the marker is dropped;
 * - any other line continues the item before it, because PDFs and emails break lines
 *   anywhere, page breaks included;
 * - with no marker anywhere, each paragraph is an item;
 * - a heading ("Structure:") gives its name to the sub-items under it, until the next
 *   top-level item or the next heading.
 * Text is otherwise kept as typed: HTML escaping is for whoever renders it.
 */

export interface PastedArea {
  heading: string | null;
  text: string;
}

type Style = 'number' | 'letter' | 'roman' | 'bullet' | 'subBullet' | 'paragraph';

interface Line {
  indent: number;
  /** null for a blank line or one that continues an item. */
  style: Style | null;
  /** Without its marker, whitespace collapsed. */
  text: string;
}

interface Draft {
  heading: string | null;
  top: boolean;
  parts: string[];
}

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

/** "Areas of final development include:", "Areas for final development", "The Panel noted the following areas:". */
const INTRO = /^(?:areas? (?:of|for) (?:final )?development\b.*|.*\b(?:areas?|following)\b.*:)$/i;

const MAX_SHORT_HEADING = 60;

/** A line ending in a colon, or a short one that is not a sentence. */
const looksLikeHeading = (text: string) =>
  text.endsWith(':') || (text.length <= MAX_SHORT_HEADING && !text.endsWith('.'));

const clip = (text: string) => (text.length > 40 ? `${text.slice(0, 40).trimEnd()}…` : text);

function parseLines(text: string): Line[] {
  let lastLetter = '';
  // Word's manual line break can arrive as a vertical tab. JS's \s and trim() cover
  // non-breaking spaces and a byte order mark, so they need no special case.
  return text.split(/\r\n?|[\n\v\f\u2028\u2029]/).map((raw) => {
    const indent = /^\s*/.exec(raw)![0].replace(/\t/g, '    ').length;
    let rest = raw.trim();
    let style: Style | null = null;
    for (const [candidate, pattern] of MARKERS) {
      const found = pattern.exec(rest);
      if (!found) continue;
      const mark = found[0].replace(/[^a-z]/gi, '').toLowerCase();
      // "i", "v" and "x" are letters when they follow "h", "u" and "w" in a lettered list.
      const nextLetter = mark.length === 1 && mark.charCodeAt(0) === lastLetter.charCodeAt(0) + 1;
      style = candidate === 'roman' && nextLetter ? 'letter' : candidate;
      if (style === 'letter') lastLetter = mark;
      rest = rest.slice(found[0].length);
      break;
    }
    return { indent, style, text: rest.replace(/\s+/g, ' ') };
  });
}

/** With no marker anywhere, each paragraph's first line starts an item, unless it is an intro or heading line. */
function markParagraphs(lines: Line[]): void {
  let startsParagraph = true;
  for (const line of lines) {
    if (!line.text) startsParagraph = true;
    else if (startsParagraph && (line.text.endsWith(':') || INTRO.test(line.text))) continue;
    else {
      if (startsParagraph) line.style = 'paragraph';
      startsParagraph = false;
    }
  }
}

/** The items in the order pasted, and notes on any text left out, for the secretary to check. */
export function splitAreas(text: string): { areas: PastedArea[]; notes: string[] } {
  const lines = parseLines(text);
  if (!lines.some((l) => l.style)) markParagraphs(lines);

  // The main list is the numbered one if there is one (its sub-items being lettered or
  // bulleted), else whichever comes first; sub-items may also be shown by indenting.
  const marked = lines.filter((l) => l.style);
  const topStyle = marked.some((l) => l.style === 'number') ? 'number' : marked[0]?.style;
  const topIndent = Math.min(...marked.filter((l) => l.style === topStyle).map((l) => l.indent));
  const isTop = (line: Line) => line.style === topStyle && line.indent <= topIndent;
  const textOf = (draft: Draft) => draft.parts.filter(Boolean).join(' ');

  const drafts: Draft[] = [];
  const notes: string[] = [];
  const preamble: string[] = [];
  let current: Draft | undefined;
  let heading: string | null = null;
  // A heading over sub-items ends at the next top-level item; one over top-level items
  // ("Structure:" then "- ...") lasts until the next heading.
  let headingEndsAtTop = false;

  lines.forEach((line, i) => {
    if (!line.style) {
      if (!line.text) return;
      const next = lines.find((l, j) => j > i && (l.style || l.text));
      if (!drafts.length && INTRO.test(line.text)) {
        notes.push(`Skipped the introduction: "${clip(line.text)}"`);
      } else if (
        // A colon announces a list; a short line without one could be a wrapped line's
        // tail, so it heads only sub-items ("Structure" then "a. ...").
        next?.style &&
        (line.text.endsWith(':') || (looksLikeHeading(line.text) && !isTop(next)))
      ) {
        heading = line.text.replace(/\s*:$/, '');
        headingEndsAtTop = !isTop(next);
        current = undefined;
      } else if (current) current.parts.push(line.text);
      else preamble.push(line.text);
      return;
    }
    const top = isTop(line);
    if (!top && current?.top && looksLikeHeading(textOf(current))) {
      // "3. Structure:" followed by "a. ...": the item was the sub-items' heading.
      drafts.pop();
      heading = textOf(current).replace(/\s*:$/, '') || null;
      headingEndsAtTop = true;
    } else if (top && headingEndsAtTop) heading = null;
    current = { heading, top, parts: [line.text] };
    drafts.push(current);
  });

  if (preamble.length) notes.unshift(`Ignored the text before the first item: "${clip(preamble.join(' '))}"`);
  const areas = drafts.map((d) => ({ heading: d.heading, text: textOf(d) })).filter((a) => a.text);
  return { areas, notes };
}
