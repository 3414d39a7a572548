import { NodeType, parse, type HTMLElement, type Node, type TextNode } from 'node-html-parser';

/**
 * Reading a page as a person would, from its parsed HTML rather than from regular
 * expressions over it: what it says, a section, a table's rows, the error summary, the
 * value a field shows, the history's entries.
 */

/** The words under a node, each piece of text apart, entities decoded, white space collapsed. */
function wordsOf(node: Node): string {
  if (node.nodeType === NodeType.TEXT_NODE) return (node as TextNode).text;
  if (node.nodeType !== NodeType.ELEMENT_NODE) return '';
  const el = node as HTMLElement;
  if (el.tagName === 'SCRIPT' || el.tagName === 'STYLE') return '';
  // The parser keeps what a <noscript> holds as raw text: read it as the page it is.
  if (el.tagName === 'NOSCRIPT') return wordsOf(parse(el.text));
  return el.childNodes.map(wordsOf).join(' ');
}
const collapse = (text: string) => text.replace(/\s+/g, ' ').trim();

/** The text a person reads: tags dropped, entities decoded, white space collapsed. */
export const visible = (html: string) => collapse(wordsOf(parse(html)));

/** The part of a page from the element with this id up to the next heading of level 2. */
export function section(html: string, id: string): string {
  const root = parse(html);
  const start = root.getElementById(id);
  if (!start) throw new Error(`no section ${id}`);
  const parts = [wordsOf(start)];
  for (let node = nextInDocument(start, true); node; node = nextInDocument(node)) {
    if (node.nodeType === NodeType.ELEMENT_NODE && (node as HTMLElement).tagName === 'H2') break;
    if (node.nodeType === NodeType.TEXT_NODE) parts.push((node as TextNode).text);
  }
  return collapse(parts.join(' '));
}

/** The node after this one in document order; past its children when `skipChildren`. */
function nextInDocument(node: Node, skipChildren = false): Node | null {
  if (!skipChildren && node.childNodes.length) return node.childNodes[0]!;
  for (let at: Node | null = node; at; at = at.parentNode) {
    const siblings: Node[] = at.parentNode?.childNodes ?? [];
    const next = siblings[siblings.indexOf(at) + 1];
    if (next) return next;
  }
  return null;
}

/** The rows of the page's first table body, as read, in one string. */
export function rows(html: string): string {
  const body = parse(html).querySelector('tbody');
  return body ? collapse(wordsOf(body)) : '';
}

/** The messages of the error summary, in order. */
export const errorSummary = (html: string) =>
  parse(html)
    .querySelectorAll('.govuk-error-summary a')
    .map((a) => collapse(wordsOf(a)));

/** The value the input with this id shows, as typed; undefined when there is no such input. */
export const inputValue = (html: string, id: string) =>
  parse(html).querySelector(`input#${id}`)?.getAttribute('value') ?? undefined;

/** The titles of the history's entries, newest first as the page lists them. */
export const historyTitles = (html: string) =>
  parse(html)
    .querySelectorAll('.app-timeline__title')
    .map((el) => collapse(wordsOf(el)));

/** The parsed page, for a question the readers above do not answer (attributes come back decoded). */
export const pageOf = (html: string) => parse(html);
