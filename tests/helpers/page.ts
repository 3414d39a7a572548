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

/** What the field with this id shows, as typed (an input's value, a textarea's text); undefined when there is none. */
export function inputValue(html: string, id: string): string | undefined {
  const field = parse(html).querySelector(`#${id}`);
  if (field?.tagName === 'TEXTAREA') return field.text;
  return field?.tagName === 'INPUT' ? (field.getAttribute('value') ?? undefined) : undefined;
}

/** Whether the radio or checkbox with this id is ticked. */
export const isChecked = (html: string, id: string) =>
  parse(html).querySelector(`input#${id}`)?.hasAttribute('checked') ?? false;

/** The page's status tags as read, each with its colour (`grey`, `blue`...; none for the default). */
export const tags = (html: string) =>
  parse(html)
    .querySelectorAll('.govuk-tag')
    .map((el) => ({ text: collapse(wordsOf(el)), colour: /govuk-tag--(\w+)/.exec(el.classNames)?.[1] }));

/** Each row of the page's summary lists, as its key and the value read. */
export const summary = (html: string): Record<string, string> =>
  Object.fromEntries(
    parse(html)
      .querySelectorAll('.govuk-summary-list__row')
      .map((row) => [
        collapse(wordsOf(row.querySelector('.govuk-summary-list__key')!)),
        collapse(wordsOf(row.querySelector('.govuk-summary-list__value')!)),
      ]),
  );

/** Where the first link reading exactly this text goes; undefined when there is none. */
export const linkTo = (html: string, text: string) =>
  parse(html)
    .querySelectorAll('a')
    .find((a) => collapse(wordsOf(a)) === text)
    ?.getAttribute('href');

/** The heading of the notification banner, as read; undefined when there is none. */
export const banner = (html: string) => {
  const heading = parse(html).querySelector('.govuk-notification-banner__heading');
  return heading ? collapse(wordsOf(heading)) : undefined;
};

/** The page's title, as a browser tab shows it. */
export const title = (html: string) => collapse(parse(html).querySelector('title')?.text ?? '');

/** The titles of the history's entries, newest first as the page lists them. */
export const historyTitles = (html: string) =>
  parse(html)
    .querySelectorAll('.app-timeline__title')
    .map((el) => collapse(wordsOf(el)));

/** The parsed page, for a question the readers above do not answer (attributes come back decoded). */
export const pageOf = (html: string) => parse(html);

/** What each element matching the CSS selector reads, in document order. */
export const textsOf = (html: string, selector: string) =>
  parse(html)
    .querySelectorAll(selector)
    .map((el) => collapse(wordsOf(el)));

/** The attribute `name` of each element matching the CSS selector that has it, in document order. */
export const attributesOf = (html: string, selector: string, name: string) =>
  parse(html)
    .querySelectorAll(selector)
    .flatMap((el) => (el.hasAttribute(name) ? [el.getAttribute(name)!] : []));

/**
 * What the page's form (the first matching the selector) would send as it stands, by field name, as a
 * browser sends it: each input's value (a radio or checkbox only when ticked), each textarea's text and
 * each select's chosen option. A later field of the same name wins.
 */
export function formValues(html: string, selector = 'main form'): Record<string, string> {
  const form = parse(html).querySelector(selector);
  if (!form) throw new Error(`no form ${selector}`);
  const values: Record<string, string> = {};
  for (const field of form.querySelectorAll('input[name], textarea[name], select[name]')) {
    const name = field.getAttribute('name')!;
    if (field.tagName === 'TEXTAREA') values[name] = field.text;
    else if (field.tagName === 'SELECT') {
      const chosen = field.querySelector('option[selected]') ?? field.querySelector('option');
      values[name] = chosen?.getAttribute('value') ?? chosen?.text ?? '';
    } else {
      const type = field.getAttribute('type') ?? 'text';
      if (['submit', 'button', 'file'].includes(type)) continue;
      if ((type === 'radio' || type === 'checkbox') && !field.hasAttribute('checked')) continue;
      values[name] = field.getAttribute('value') ?? (type === 'checkbox' ? 'on' : '');
    }
  }
  return values;
}
