import PDFDocument from 'pdfkit';
import { parse, type HTMLElement, type Node } from 'node-html-parser';
import { longDate } from './templates';

/**
 * Lays a rendered letter out as an A4 PDF with the standard PDF fonts: pure
 * JavaScript, nothing to download, and the text stays extractable. It reads the
 * small vocabulary the letter templates use: header.letterhead, address, p, h2,
 * ol/ul (nested, type="a"), li, strong and br.
 */

const MARGIN = 64;
const FONT = 'Helvetica';
const BOLD = 'Helvetica-Bold';
const SIZE = 11;
const GAP = 8;

interface Run {
  text: string;
  bold: boolean;
}

/** Inline content of an element as runs of plain or bold text; <br> becomes a line break. */
function runs(node: Node, bold = false, out: Run[] = []): Run[] {
  for (const child of node.childNodes) {
    if (child.nodeType === 3) {
      const text = decode(child.rawText).replace(/\s+/g, ' ');
      if (text) out.push({ text, bold });
    } else if (child.nodeType === 1) {
      const el = child as HTMLElement;
      const tag = el.tagName.toLowerCase();
      if (tag === 'br') out.push({ text: '\n', bold });
      else if (tag === 'ol' || tag === 'ul') continue;
      else runs(el, bold || tag === 'strong' || tag === 'b', out);
    }
  }
  return out;
}

function decode(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#x27;|&#39;/g, "'")
    .replace(/&#x60;/g, '`')
    .replace(/&#x3D;/g, '=')
    .replace(/&amp;/g, '&');
}

function clean(list: Run[]): Run[] {
  // Trim the whitespace that template indentation leaves at the edges and around breaks.
  const joined = list.map((r) => ({ ...r }));
  if (joined[0]) joined[0].text = joined[0].text.replace(/^\s+/, '');
  const last = joined[joined.length - 1];
  if (last) last.text = last.text.replace(/\s+$/, '');
  for (let i = 0; i < joined.length; i++) {
    if (joined[i]!.text === '\n') {
      if (joined[i - 1]) joined[i - 1]!.text = joined[i - 1]!.text.replace(/\s+$/, '');
      if (joined[i + 1]) joined[i + 1]!.text = joined[i + 1]!.text.replace(/^\s+/, '');
    }
  }
  return joined.filter((r) => r.text !== '');
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

function write(doc: PDFKit.PDFDocument, list: Run[], x: number, width: number, align: 'left' | 'right' = 'left') {
  for (const line of lines(list)) {
    const plain = line.map((r) => r.text).join('');
    ensureRoom(doc, Math.min(doc.heightOfString(plain, { width }), doc.currentLineHeight(true) * 2));
    line.forEach((run, i) => {
      doc.font(run.bold ? BOLD : FONT).text(run.text, i === 0 ? x : undefined, undefined, {
        width,
        align,
        continued: i < line.length - 1,
      });
    });
  }
}

const ALPHA = 'abcdefghijklmnopqrstuvwxyz';

function list(doc: PDFKit.PDFDocument, el: HTMLElement, indent: number) {
  const ordered = el.tagName.toLowerCase() === 'ol';
  const alpha = el.getAttribute('type') === 'a';
  const items = el.childNodes.filter(
    (n) => n.nodeType === 1 && (n as HTMLElement).tagName.toLowerCase() === 'li',
  ) as HTMLElement[];
  const width = doc.page.width - MARGIN * 2;
  items.forEach((li, i) => {
    const label = ordered ? (alpha ? `${ALPHA[i % 26]}.` : `${i + 1}.`) : '•';
    // Keep a label with the first lines of its item.
    ensureRoom(doc, doc.currentLineHeight(true) * 3);
    const top = doc.y;
    doc.font(FONT).text(label, MARGIN + indent, top, { width: 22, lineBreak: false });
    doc.y = top;
    write(doc, runs(li), MARGIN + indent + 24, width - indent - 24);
    doc.moveDown(0.3);
    for (const nested of li.childNodes) {
      if (nested.nodeType === 1 && ['ol', 'ul'].includes((nested as HTMLElement).tagName.toLowerCase())) {
        list(doc, nested as HTMLElement, indent + 24);
      }
    }
  });
  doc.x = MARGIN;
}

function block(doc: PDFKit.PDFDocument, el: HTMLElement) {
  const width = doc.page.width - MARGIN * 2;
  const tag = el.tagName.toLowerCase();
  if (tag === 'header' && el.classList.contains('letterhead')) {
    const [org, ...rest] = el.querySelectorAll('p');
    doc
      .font(BOLD)
      .fontSize(20)
      .text(decode(org?.text.trim() ?? ''), MARGIN, MARGIN);
    doc.fontSize(9);
    doc.y = MARGIN;
    for (const p of rest) write(doc, runs(p), MARGIN, width, 'right');
    doc.fontSize(SIZE).moveDown(2);
  } else if (tag === 'address') {
    for (const p of el.querySelectorAll('p')) write(doc, runs(p), MARGIN, width);
    doc.moveDown(1);
  } else if (tag === 'p') {
    write(doc, runs(el), MARGIN, width);
    doc.moveDown(GAP / SIZE);
  } else if (tag === 'h2') {
    ensureRoom(doc, doc.currentLineHeight(true) * 4);
    doc.font(BOLD).fontSize(13).text(decode(el.text.trim()), MARGIN, undefined, { width });
    doc.fontSize(SIZE).moveDown(0.4);
  } else if (tag === 'ol' || tag === 'ul') {
    list(doc, el, 0);
    doc.moveDown(0.4);
  } else {
    for (const child of el.childNodes) if (child.nodeType === 1) block(doc, child as HTMLElement);
  }
}

export function letterPdf(html: string, meta: { title: string; date: string }): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4',
    margins: { top: MARGIN, bottom: MARGIN + 16, left: MARGIN, right: MARGIN },
    bufferPages: true,
    info: {
      Title: meta.title,
      Author: 'Home Office',
      Subject: 'Domestic Homicide Review',
      CreationDate: new Date(meta.date),
    },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve) => doc.on('end', () => resolve(Buffer.concat(chunks))));

  doc.font(FONT).fontSize(SIZE);
  const root = parse(html);
  for (const child of root.childNodes) if (child.nodeType === 1) block(doc, child as HTMLElement);

  const range = doc.bufferedPageRange();
  for (let i = 0; i < range.count; i++) {
    doc.switchToPage(range.start + i);
    const bottom = doc.page.height - MARGIN;
    // Writing inside the bottom margin would otherwise start a new page.
    const saved = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    doc
      .font(FONT)
      .fontSize(8)
      .text(`${meta.title} · ${longDate(meta.date)} · Page ${i + 1} of ${range.count}`, MARGIN, bottom, {
        width: doc.page.width - MARGIN * 2,
        align: 'center',
        lineBreak: false,
      });
    doc.page.margins.bottom = saved;
  }
  doc.end();
  return done;
}
