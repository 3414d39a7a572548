import { parse, type HTMLElement } from 'node-html-parser';
import { groupAreas, type AreaItem } from './areas';
import type { BlockName } from './catalogue';
import { longDate, type DateStyle } from '../core/dates';
import { escapeHtml } from './engine';

/**
 * A letter as the secretariat edits it before sending. The template is rendered once,
 * when the draft is made, and cut into its parts: paragraphs (which can be edited,
 * removed or added to), blocks (the letterhead, addressee, date, salutation, the
 * panel's commendations and areas, the signature: drawn from the draft's own
 * addressing and from the review's round when the letter is shown or sent), and any
 * other markup the template wrote. Each paragraph remembers what the template said,
 * so the page can show where the draft departs from it.
 */

export const AREA_STYLES = ['numbered', 'bulleted'] as const;
export type AreaStyle = (typeof AREA_STYLES)[number];

export interface HouseStyle {
  areaStyle: AreaStyle;
  dateStyle: DateStyle;
}

export interface Letterhead {
  title: string;
  lines: string[];
}

export interface Addressee {
  name: string;
  jobTitle: string;
  lines: string[];
}

export interface Signatory {
  name: string;
  title: string;
}

/** What addressing a draft takes from the CSP's contact and the settings when it is made. */
export interface Addressing {
  letterhead: Letterhead;
  addressee: Addressee;
  salutation: string;
  signatory: Signatory;
  style: HouseStyle;
}

export const PARAGRAPH_TAGS = ['p', 'h2', 'h3'] as const;
export type ParagraphTag = (typeof PARAGRAPH_TAGS)[number];

export type Part =
  | { type: 'block'; name: BlockName }
  | {
      type: 'paragraph';
      id: number;
      tag: ParagraphTag;
      className: string | null;
      html: string;
      /** What the template wrote here; null for a paragraph the secretariat added. */
      origin: string | null;
    }
  /** Anything else the template wrote, such as a list of its own: kept as written. */
  | { type: 'fixed'; id: number; html: string };

export type Paragraph = Extract<Part, { type: 'paragraph' }>;

export interface Draft extends Addressing {
  template: { kind: string; version: number };
  /** The letter's date, YYYY-MM-DD; null means the day it is sent. */
  date: string | null;
  parts: Part[];
  /** Template paragraphs taken out, kept so that they can be put back. */
  removed: Paragraph[];
  /** Paragraphs written for an earlier outcome of this round, kept when the outcome changed. */
  setAside: string[];
  /** The addressing the contact and the settings gave when the draft was made (or last re-addressed). */
  addressedFrom: Addressing;
}

/** What a letter shows beyond its draft: the round's decision, and the day it goes out. */
export interface LetterContext {
  /** YYYY-MM-DD: the day the letter is sent (today, for a preview). */
  today: string;
  commendations?: string;
  areas?: AreaItem[];
  outstanding?: (AreaItem & { note: string | null })[];
  /** The panel's comments on a decision not to hold a review. */
  comments?: string;
}

/** The template's output cut into parts, numbered in order so that edits can name them. */
export function cut(html: string): Part[] {
  const parts: Part[] = [];
  let id = 0;
  for (const node of parse(html).childNodes) {
    if (node.nodeType === 3) {
      // Text the template left outside any tag is a paragraph of its own.
      const text = node.rawText.trim();
      if (text) parts.push({ type: 'paragraph', id: ++id, tag: 'p', className: null, html: text, origin: text });
      continue;
    }
    if (node.nodeType !== 1) continue;
    const el = node as HTMLElement;
    const tag = el.tagName.toLowerCase();
    const block = el.getAttribute('data-block');
    if (block) parts.push({ type: 'block', name: block as BlockName });
    else if ((PARAGRAPH_TAGS as readonly string[]).includes(tag)) {
      const inner = el.innerHTML.trim();
      if (!inner) continue;
      parts.push({
        type: 'paragraph',
        id: ++id,
        tag: tag as ParagraphTag,
        className: el.getAttribute('class') ?? null,
        html: inner,
        origin: inner,
      });
    } else parts.push({ type: 'fixed', id: ++id, html: el.outerHTML });
  }
  return parts;
}

/** A paragraph's HTML as the text a person edits: line breaks kept, markup and entities gone. */
export function editableText(html: string): string {
  return parse(`<p>${html}</p>`)
    .text.split('\n')
    .map((line) => line.replace(/\s+/g, ' ').trim())
    .join('\n')
    .trim();
}

/** Typed text as a paragraph's HTML: escaped, its line breaks kept. */
export function paragraphHtml(text: string): string {
  return text
    .trim()
    .split(/\r?\n/)
    .map((line) => escapeHtml(line.trim()))
    .join('<br>');
}

/** How far a paragraph has moved from its template. */
export function paragraphStatus(p: Paragraph): 'template' | 'edited' | 'added' {
  return p.origin === null ? 'added' : p.html === p.origin ? 'template' : 'edited';
}

const lines = (text: string) => paragraphHtml(text);

/** Paragraphs at blank lines, line breaks kept: free text as the panel typed it. */
function paragraphs(text: string): string {
  return text
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p) => `<p>${lines(p)}</p>`)
    .join('\n');
}

function areaBody(item: AreaItem): string {
  const points = item.points.length ? `<ul>${item.points.map((p) => `<li>${lines(p)}</li>`).join('')}</ul>` : '';
  return `${lines(item.text)}${points}`;
}

/** The areas in the house style: numbered (sub-items lettered under a heading) or bulleted. */
export function areasHtml(items: AreaItem[], style: AreaStyle): string {
  const [outer, inner] = style === 'numbered' ? ['ol', 'ol type="a"'] : ['ul', 'ul'];
  const innerTag = inner.split(' ')[0];
  const entries = groupAreas(items).map((group) =>
    group.heading === null
      ? `<li>${areaBody(group.items[0]!)}</li>`
      : `<li><strong>${escapeHtml(group.heading)}</strong><${inner}>${group.items
          .map((item) => `<li>${areaBody(item)}</li>`)
          .join('')}</${innerTag}></li>`,
  );
  return `<${outer} class="areas">\n${entries.join('\n')}\n</${outer}>`;
}

function outstandingHtml(items: LetterContext['outstanding'] = []): string {
  const entries = items.map((item) => {
    const heading = item.heading ? `<strong>${escapeHtml(item.heading)}</strong>: ` : '';
    const note = item.note ? `<br>Returned: ${lines(item.note)}` : '';
    return `<li>${heading}${areaBody(item)}${note}</li>`;
  });
  return `<ol class="areas">\n${entries.join('\n')}\n</ol>`;
}

function block(name: BlockName, draft: Draft, context: LetterContext): string {
  switch (name) {
    case 'letterhead': {
      const { title, lines: rows } = draft.letterhead;
      const org = title ? `<p class="letterhead-org">${escapeHtml(title)}</p>` : '';
      return `<header class="letterhead">${org}<p>${rows.map(escapeHtml).join('<br>')}</p></header>`;
    }
    case 'address': {
      const { name: who, jobTitle, lines: rows } = draft.addressee;
      return `<address class="addressee"><p>${[who, jobTitle, ...rows]
        .filter(Boolean)
        .map(escapeHtml)
        .join('<br>')}</p></address>`;
    }
    case 'date':
      return `<p class="date">${escapeHtml(longDate(draft.date ?? context.today, draft.style.dateStyle))}</p>`;
    case 'salutation':
      return `<p class="salutation">${escapeHtml(draft.salutation)}</p>`;
    case 'commendations':
      return paragraphs(context.commendations ?? '');
    case 'areas':
      return areasHtml(context.areas ?? [], draft.style.areaStyle);
    case 'outstanding':
      return outstandingHtml(context.outstanding);
    case 'comments':
      return paragraphs(context.comments ?? '');
    case 'signature':
      return `<p class="signatory"><strong>${escapeHtml(draft.signatory.name)}</strong><br>${escapeHtml(draft.signatory.title)}</p>`;
  }
}

/** The letter's HTML: its parts in order, blocks drawn from the draft and the review. */
export function letterHtml(draft: Draft, context: LetterContext): string {
  const body = draft.parts
    .map((part) => {
      if (part.type === 'block') return block(part.name, draft, context);
      if (part.type === 'fixed') return part.html;
      const cls = part.className ? ` class="${escapeHtml(part.className)}"` : '';
      return `<${part.tag}${cls}>${part.html}</${part.tag}>`;
    })
    .filter(Boolean)
    .join('\n');
  return `<article class="letter">\n${body}\n</article>`;
}
