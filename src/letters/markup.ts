import { Parser } from 'htmlparser2';
import sanitizeHtml from 'sanitize-html';

/**
 * The HTML a letter or an email may hold, in one place: what the PDF can lay out and a
 * mail program can show, and nothing that runs, loads or sends. House templates are
 * checked against it before they are saved (markupProblems, on the template as it
 * renders, so a tag assembled from pieces is seen whole), and every letter and email
 * is cleaned against it again when it is written (cleanHtml), so that whatever a
 * template or a value manages, no other markup reaches a CSP.
 */

export type MarkupFormat = 'letter' | 'html';

const LETTER_TAGS = ['p', 'h2', 'h3', 'ul', 'ol', 'li', 'strong', 'b', 'em', 'i', 'u', 'br', 'a'];
const EMAIL_TAGS = [...LETTER_TAGS, 'html', 'head', 'meta', 'title', 'body', 'hr', 'div', 'span', 'h1'];
/** What the letters' own blocks and wrapper add around the template's paragraphs. */
const LETTER_FRAME = ['article', 'header', 'address'];

export const ALLOWED_TAGS: Record<MarkupFormat, readonly string[]> = { letter: LETTER_TAGS, html: EMAIL_TAGS };

const ATTRIBUTES: Record<MarkupFormat, Record<string, string[]>> = {
  letter: { '*': ['class'], a: ['href'], ol: ['type'] },
  html: { '*': ['class'], a: ['href'], ol: ['type'], meta: ['charset'], html: ['lang'], '*style': ['style'] },
};

/** Inline styles an email may set: type and layout, never a URL (which could track its reader). */
const STYLE_VALUE = /^[\w\s#%.,'"()-]*$/;
const STYLES = ['font-family', 'font-size', 'line-height', 'color', 'max-width', 'margin', 'padding', 'text-align'];
const SCHEMES = ['https', 'http', 'mailto'];

const attributeAllowed = (format: MarkupFormat, tag: string, name: string) => {
  const table = ATTRIBUTES[format];
  return (
    (table['*'] ?? []).includes(name) ||
    (table[tag] ?? []).includes(name) ||
    (name === 'style' && (table['*style'] ?? []).includes(name))
  );
};

/** A link's address, as a browser would read it: entities decoded, spaces and controls ignored. */
const schemeAllowed = (href: string) => {
  const bare = href.replace(/[\u0000-\u0020\u007f-\u009f]/g, '').toLowerCase();
  return SCHEMES.some((scheme) => bare.startsWith(`${scheme}:`));
};

const styleAllowed = (style: string) =>
  style
    .split(';')
    .map((rule) => rule.trim())
    .filter(Boolean)
    .every((rule) => {
      const [property, ...rest] = rule.split(':');
      const value = rest.join(':').trim();
      return (
        STYLES.includes(property!.trim().toLowerCase()) && STYLE_VALUE.test(value) && !/url|expression/i.test(value)
      );
    });

/** What in rendered HTML a letter or an email may not hold, each said once. */
export function markupProblems(html: string, format: MarkupFormat): string[] {
  const problems = new Set<string>();
  const allowed = new Set(ALLOWED_TAGS[format]);
  const where = format === 'letter' ? 'a letter' : 'an email';
  const parser = new Parser(
    {
      onopentag(tag, attributes) {
        // The marker a block leaves where it stands (src/letters/engine.ts).
        if (format === 'letter' && tag === 'span' && 'data-block' in attributes) return;
        if (!allowed.has(tag)) {
          problems.add(`<${tag}> is not allowed in ${where}. Use ${[...allowed].map((t) => `<${t}>`).join(', ')}`);
          return;
        }
        for (const [name, value] of Object.entries(attributes)) {
          if (!attributeAllowed(format, tag, name)) problems.add(`The attribute ${name} is not allowed in <${tag}>`);
          else if (name === 'href' && !schemeAllowed(value)) {
            problems.add('A link must start with https://, http:// or mailto:');
          } else if (name === 'style' && !styleAllowed(value)) {
            problems.add(`The style "${value}" is not allowed: use only ${STYLES.join(', ')}, without web addresses`);
          }
        }
      },
      oncomment() {
        // A mail program may read a comment as markup ("conditional comments"): none are kept.
        problems.add('HTML comments are not allowed: use {{!-- … --}}');
      },
      onprocessinginstruction(name) {
        if (format === 'letter' || name.toLowerCase() !== '!doctype')
          problems.add(`<${name}> is not allowed in ${where}`);
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  );
  parser.write(html);
  parser.end();
  return [...problems];
}

function options(format: MarkupFormat | 'draft'): sanitizeHtml.IOptions {
  const base = format === 'draft' ? 'letter' : format;
  const attributes: Record<string, string[]> = {};
  for (const [tag, names] of Object.entries(ATTRIBUTES[base])) if (tag !== '*style') attributes[tag] = names;
  if (base === 'html') attributes['*'] = [...(attributes['*'] ?? []), 'style'];
  if (format === 'draft') attributes.span = ['data-block'];
  return {
    allowedTags: [
      ...ALLOWED_TAGS[base],
      ...(base === 'letter' ? LETTER_FRAME : []),
      ...(format === 'draft' ? ['span'] : []),
    ],
    allowedAttributes: attributes,
    allowedSchemes: SCHEMES,
    allowProtocolRelative: false,
    allowedStyles: { '*': Object.fromEntries(STYLES.map((p) => [p, [STYLE_VALUE]])) },
    // Anything else is shown as the text it is, so nothing vanishes without a trace.
    disallowedTagsMode: 'escape',
  };
}

const PROFILES = {
  letter: options('letter'),
  draft: options('draft'),
  html: options('html'),
};

/**
 * HTML with nothing but what a letter (or an email) may hold: every other tag escaped,
 * every other attribute dropped, links only to web and mail addresses. `draft` keeps the
 * blocks' markers, for a template rendered to be cut into a draft's parts.
 */
export function cleanHtml(html: string, format: MarkupFormat | 'draft'): string {
  return sanitizeHtml(html, PROFILES[format]);
}
