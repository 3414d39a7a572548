import PDFDocument from 'pdfkit';
import { parse, NodeType, type HTMLElement, type Node, type TextNode } from 'node-html-parser';
import { fontsForOnePdf, pieces, type Face } from './fonts';
import { longDate } from '../core/dates';

export { describeCharacters, unprintableCharacters } from './fonts';

/**
 * Lays a rendered letter out as an A4 PDF: pure JavaScript, nothing to download, and the text
 * stays searchable and copyable. It is set in embedded DejaVu Sans (see fonts.ts), so Welsh,
 * Polish, Greek or Cyrillic print as written. It reads the small vocabulary the letter templates
 * use: header.letterhead (with an optional p.letterhead-org), address, p, h2, h3, ol/ul (nested,
 * type="a", an li holding text and lists in turn), li, strong/b, em/i, u, a and br. Any other
 * element is treated as a container and its children laid out in turn.
 */

const MARGIN = 64;
const SIZE = 11;
const GAP = 8;
const INDENT = 24;

interface Style {
  bold: boolean;
  italic: boolean;
  underline: boolean;
}

interface Run extends Style {
  text: string;
}

const PLAIN: Style = { bold: false, italic: false, underline: false };
const BOLD: Style = { ...PLAIN, bold: true };

function face({ bold, italic }: Style): Face {
  if (bold) return italic ? 'boldItalic' : 'bold';
  return italic ? 'italic' : 'regular';
}

/**
 * Text as it should be printed. Composing to NFC turns "e" + U+0301 into the one character "é",
 * which the font has a glyph for: a lone combining mark would otherwise be laid out apart from
 * its letter and garble the words after it. Runs of HTML whitespace (the template's newlines and
 * indentation) become one space; a no-break space is not HTML whitespace, so it stays.
 */
function printable(text: string): string {
  return text.normalize('NFC').replace(/[ \t\n\f\r]+/g, ' ');
}

const isElement = (node: Node): node is HTMLElement => node.nodeType === NodeType.ELEMENT_NODE;
const tagOf = (el: HTMLElement) => el.tagName.toLowerCase();
const isList = (el: HTMLElement) => ['ol', 'ul'].includes(tagOf(el));

/**
 * Inline content as runs of styled text; <br> becomes a line break. Lists are skipped: list()
 * lays out the lists within an item between the runs of text around them.
 */
function runs(nodes: Node[], style: Style = PLAIN, out: Run[] = []): Run[] {
  for (const child of nodes) {
    if (child.nodeType === NodeType.TEXT_NODE) {
      // .text decodes every HTML entity, named or numeric (&amp; &#x27; &nbsp; &#8217; …).
      const text = printable((child as TextNode).text);
      if (text) out.push({ text, ...style });
    } else if (isElement(child)) {
      const tag = tagOf(child);
      if (tag === 'br') out.push({ text: '\n', ...style });
      else if (isList(child)) continue;
      else
        runs(
          child.childNodes,
          {
            bold: style.bold || tag === 'strong' || tag === 'b',
            italic: style.italic || tag === 'em' || tag === 'i',
            underline: style.underline || tag === 'u',
          },
          out,
        );
    }
  }
  return out;
}

/**
 * Drops the spaces that template indentation leaves at the edges of a block and around line
 * breaks, and the second of two spaces that meet where one inline element ends and another
 * begins, as a browser would.
 */
function clean(list: Run[]): Run[] {
  const out = list.map((r) => ({ ...r }));
  out.forEach((run, i) => {
    const before = out[i - 1];
    const after = out[i + 1];
    if (!before || before.text === '\n' || before.text.endsWith(' ')) run.text = run.text.replace(/^ /, '');
    if (!after || after.text === '\n') run.text = run.text.replace(/ $/, '');
  });
  return out.filter((r) => r.text !== '');
}

/** Splits runs into lines at <br>, so each line can be laid out (and aligned) on its own. */
function lines(list: Run[]): Run[][] {
  const out: Run[][] = [[]];
  for (const run of clean(list)) {
    if (run.text === '\n') out.push([]);
    else out[out.length - 1]!.push(run);
  }
  return out.filter((line) => line.length > 0);
}

/** Starts a new page unless about `height` points fit on this one. */
function ensureRoom(doc: PDFKit.PDFDocument, height: number) {
  if (doc.y + height > doc.page.height - doc.page.margins.bottom) doc.addPage();
}

type Align = 'left' | 'right' | 'center';

/**
 * Prints one line of runs (the text between two <br>s), each run in its own face, and moves
 * below it.
 *
 * A left-aligned line is one paragraph of consecutive pieces (PDFKit's `continued`), which PDFKit
 * wraps. Only the first piece is placed: PDFKit reads text(s, undefined, undefined, options) as
 * text(s, {}), dropping the options and so ending the paragraph after every second piece.
 * Underline is given every time because PDFKit carries a piece's options over to the next.
 *
 * PDFKit aligns each piece of such a paragraph on its own, so a right-aligned or centred line of
 * several pieces would print them on top of one another: such a line is placed by hand from its
 * measured width. One too long for that is left-aligned and wrapped instead.
 */
function printLine(doc: PDFKit.PDFDocument, line: Run[], x: number, width: number, align: Align = 'left') {
  const all = line.flatMap((run) =>
    pieces(run.text, face(run)).map((piece) => ({ ...piece, underline: run.underline })),
  );
  const widths = all.map((piece) => doc.font(piece.face).widthOfString(piece.text));
  const total = widths.reduce((sum, w) => sum + w, 0);
  if (align !== 'left' && total <= width) {
    const y = doc.y;
    let at = x + (align === 'right' ? width - total : (width - total) / 2);
    all.forEach((piece, i) => {
      doc.font(piece.face).text(piece.text, at, y, { lineBreak: false, underline: piece.underline });
      at += widths[i]!;
    });
    doc.x = x;
    doc.y = y + doc.currentLineHeight(true);
    return;
  }
  all.forEach((piece, i) => {
    const options = { width, underline: piece.underline, continued: i < all.length - 1 };
    doc.font(piece.face);
    if (i === 0) doc.text(piece.text, x, doc.y, options);
    else doc.text(piece.text, options);
  });
}

/** Prints runs line by line, and says how many lines there were. */
function write(doc: PDFKit.PDFDocument, list: Run[], x: number, width: number, align: Align = 'left') {
  const all = lines(list);
  for (const line of all) {
    const plain = line.map((r) => r.text).join('');
    ensureRoom(doc, Math.min(doc.heightOfString(plain, { width }), doc.currentLineHeight(true) * 2));
    printLine(doc, line, x, width, align);
  }
  return all.length;
}

const ALPHA = 'abcdefghijklmnopqrstuvwxyz';

function list(doc: PDFKit.PDFDocument, el: HTMLElement, indent: number) {
  const ordered = tagOf(el) === 'ol';
  const alpha = el.getAttribute('type') === 'a';
  const items = el.childNodes.filter((n): n is HTMLElement => isElement(n) && tagOf(n) === 'li');
  const width = doc.page.width - MARGIN * 2;
  items.forEach((li, i) => {
    const label = ordered ? (alpha ? `${ALPHA[i % 26]}.` : `${i + 1}.`) : '•';
    // Keep a label with the first lines of its item.
    ensureRoom(doc, doc.currentLineHeight(true) * 3);
    const top = doc.y;
    doc.font(face(PLAIN)).text(label, MARGIN + indent, top, { width: INDENT - 2, lineBreak: false });
    doc.y = top;
    // The item's text and the lists within it, in their order: an area's lead-in, then its
    // points, and perhaps a note after them. An item that opens with a list sets that list's
    // first label beside its own.
    let text: Node[] = [];
    const flush = () => {
      if (write(doc, runs(text), MARGIN + indent + INDENT, width - indent - INDENT) > 0) doc.moveDown(0.3);
      text = [];
    };
    for (const child of li.childNodes) {
      if (isElement(child) && isList(child)) {
        flush();
        list(doc, child, indent + INDENT);
      } else text.push(child);
    }
    flush();
  });
  doc.x = MARGIN;
}

/** The letterhead: the organisation large on the left (if given), its address lines small on the right. */
function letterhead(doc: PDFKit.PDFDocument, el: HTMLElement) {
  const width = doc.page.width - MARGIN * 2;
  const top = doc.y;
  const org = el.querySelector('p.letterhead-org');
  if (org) {
    doc.fontSize(20);
    write(doc, runs(org.childNodes, BOLD), MARGIN, width);
  }
  const orgBottom = doc.y;
  doc.fontSize(9);
  doc.y = top;
  for (const p of el.querySelectorAll('p')) if (p !== org) write(doc, runs(p.childNodes), MARGIN, width, 'right');
  doc.y = Math.max(doc.y, orgBottom);
  doc.fontSize(SIZE).moveDown(2);
}

function heading(doc: PDFKit.PDFDocument, el: HTMLElement, size: number) {
  // Keep a heading with the first lines after it.
  ensureRoom(doc, doc.currentLineHeight(true) * 4);
  doc.fontSize(size);
  write(doc, runs(el.childNodes, BOLD), MARGIN, doc.page.width - MARGIN * 2);
  doc.fontSize(SIZE).moveDown(0.4);
}

function block(doc: PDFKit.PDFDocument, el: HTMLElement) {
  const width = doc.page.width - MARGIN * 2;
  const tag = tagOf(el);
  if (tag === 'header' && el.classList.contains('letterhead')) {
    letterhead(doc, el);
  } else if (tag === 'address') {
    for (const p of el.querySelectorAll('p')) write(doc, runs(p.childNodes), MARGIN, width);
    doc.moveDown(1);
  } else if (tag === 'p') {
    write(doc, runs(el.childNodes), MARGIN, width);
    doc.moveDown(GAP / SIZE);
  } else if (tag === 'h2') {
    heading(doc, el, 13);
  } else if (tag === 'h3') {
    heading(doc, el, 12);
  } else if (isList(el)) {
    list(doc, el, 0);
    doc.moveDown(0.4);
  } else {
    for (const child of el.childNodes) if (isElement(child)) block(doc, child);
  }
}

export function letterPdf(html: string, meta: { title: string; date: string }): Promise<Buffer> {
  const title = printable(meta.title);
  const doc = new PDFDocument({
    size: 'A4',
    margins: { top: MARGIN, bottom: MARGIN + 16, left: MARGIN, right: MARGIN },
    bufferPages: true,
    info: {
      Title: title,
      Author: 'Home Office',
      Subject: 'Domestic Homicide Review',
      CreationDate: new Date(meta.date),
    },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve) => doc.on('end', () => resolve(Buffer.concat(chunks))));

  // PDFKit embeds a face only if the letter uses it. Its type definitions (@types/pdfkit 0.17)
  // predate PDFKit 0.20 accepting an already-parsed fontkit font, hence the cast.
  for (const [name, font] of Object.entries(fontsForOnePdf())) {
    doc.registerFont(name, font as unknown as PDFKit.Mixins.PDFFontSource);
  }
  doc.font(face(PLAIN)).fontSize(SIZE);
  const root = parse(html);
  for (const child of root.childNodes) if (isElement(child)) block(doc, child);

  const range = doc.bufferedPageRange();
  for (let i = 0; i < range.count; i++) {
    doc.switchToPage(range.start + i);
    const bottom = doc.page.height - MARGIN;
    // Writing inside the bottom margin would otherwise start a new page.
    const saved = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    doc.fontSize(8);
    doc.y = bottom;
    const footer = `${title} · ${longDate(meta.date)} · Page ${i + 1} of ${range.count}`;
    printLine(doc, [{ text: footer, ...PLAIN }], MARGIN, doc.page.width - MARGIN * 2, 'center');
    doc.page.margins.bottom = saved;
  }
  doc.end();
  return done;
}
