import Handlebars from 'handlebars';
import { parse as parseHtml, type HTMLElement } from 'node-html-parser';
import { BLOCKS, sampleModel, type BlockName, type Format, type TemplateKind } from './catalogue';

/**
 * The Handlebars the house templates run on. It is private, knows one helper (eq),
 * compiles strictly (a placeholder missing from the model fails loudly rather than
 * leaving a gap in a letter) and escapes every value. A template is checked before it
 * is saved (checkTemplate), so what runs here has only the placeholders, helpers,
 * blocks and HTML its kind allows.
 */

const handlebars = Handlebars.create();
handlebars.registerHelper('eq', (a: unknown, b: unknown) => a === b);
// In a letter, a block is only a marker: the draft decides what it says (src/letters/draft.ts).
// A span, so that one placed inside a paragraph stays inside it and can be refused.
for (const name of Object.keys(BLOCKS)) handlebars.registerPartial(name, `<span data-block="${name}"></span>`);

const HELPERS = new Set(['eq']);
const BLOCK_HELPERS = new Set(['if', 'unless']);

export const MAX_TEMPLATE_LENGTH = 50_000;

/** Compiled templates by format and text: a body compiles once however often it is used. */
const compiled = new Map<string, Handlebars.TemplateDelegate>();
const CACHE_LIMIT = 500;

function compile(body: string, format: Format): Handlebars.TemplateDelegate {
  const key = `${format}\u0000${body}`;
  let template = compiled.get(key);
  if (!template) {
    if (compiled.size >= CACHE_LIMIT) compiled.clear();
    template = handlebars.compile(body, {
      strict: true,
      knownHelpersOnly: true,
      knownHelpers: { eq: true },
      // Plain text and subjects are not HTML: an ampersand stays an ampersand.
      noEscape: format === 'text' || format === 'subject',
      preventIndent: true,
    });
    compiled.set(key, template);
  }
  return template;
}

export function renderTemplate(body: string, format: Format, model: object): string {
  return compile(body, format)(model);
}

/** Marks HTML this application rendered (every value inside escaped) as safe to place in an email. */
export function trusted(html: string): object {
  return new handlebars.SafeString(html);
}

export const escapeHtml = (text: string) => handlebars.escapeExpression(text);

export interface TemplateProblem {
  line: number | null;
  message: string;
}

/** The HTML each format may contain: what the PDF can lay out, and nothing that runs. */
const LETTER_TAGS = new Set(['p', 'h2', 'h3', 'ul', 'ol', 'li', 'strong', 'b', 'em', 'i', 'u', 'br', 'a']);
const EMAIL_TAGS = new Set([...LETTER_TAGS, 'html', 'head', 'meta', 'title', 'body', 'hr', 'div', 'span', 'h1']);
const LETTER_ATTRIBUTES = new Set(['class', 'href', 'type']);
const EMAIL_ATTRIBUTES = new Set([...LETTER_ATTRIBUTES, 'style', 'lang', 'charset']);

type Node = hbs.AST.Node;
type Program = hbs.AST.Program;
type Path = hbs.AST.PathExpression;

const lineOf = (node: Node) => node.loc?.start.line ?? null;
const list = (names: Iterable<string>) => [...names].join(', ');

/**
 * Checks a template before it is saved: it must parse, use only its kind's
 * placeholders and blocks and the helpers if, unless, each and eq, never {{{ }}},
 * and only the HTML a letter or an email may hold. Each problem names its line.
 */
export function checkTemplate(kind: TemplateKind, body: string): TemplateProblem[] {
  if (body.length > MAX_TEMPLATE_LENGTH) {
    return [{ line: null, message: `The template must be at most ${MAX_TEMPLATE_LENGTH} characters` }];
  }
  const control = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.exec(body);
  if (control) {
    return [{ line: lineAt(body, control.index), message: 'The template must not contain control characters' }];
  }
  let ast: Program;
  try {
    ast = handlebars.parse(body);
  } catch (err) {
    const message = (err as Error).message;
    const line = /line (\d+)/.exec(message);
    return [
      {
        line: line ? Number(line[1]) : null,
        message: `The template cannot be read here: ${message.split('\n').pop()?.replace(/'/g, '') ?? ''}. Check that every {{ has its }} and every {{#if}} its {{/if}}`,
      },
    ];
  }
  const problems = new Checker(kind).program(ast);
  // One message per line and problem, however often a tag repeats it (<script> and </script>).
  const seen = new Set<string>();
  const distinct = problems.filter((p) => !seen.has(`${p.line} ${p.message}`) && seen.add(`${p.line} ${p.message}`));
  if (distinct.length) return distinct;
  return runtimeProblems(kind, body);
}

function lineAt(text: string, index: number): number {
  return text.slice(0, index).split('\n').length;
}

/** What a path may name: the kind's placeholders, by their plain names. */
type Scope = Set<string>;

class Checker {
  private readonly problems: TemplateProblem[] = [];
  private readonly tags: Set<string> | null;
  private readonly attributes: Set<string>;
  /** Inside an HTML tag that a previous piece of text opened: "<a href=" then {{url}}. */
  private openTag: { name: string; text: string } | null = null;

  constructor(private readonly kind: TemplateKind) {
    this.tags = kind.format === 'letter' ? LETTER_TAGS : kind.format === 'html' ? EMAIL_TAGS : null;
    this.attributes = kind.format === 'letter' ? LETTER_ATTRIBUTES : EMAIL_ATTRIBUTES;
  }

  program(ast: Program): TemplateProblem[] {
    this.statements(ast, new Set(Object.keys(this.kind.placeholders)));
    return this.problems;
  }

  private problem(node: Node, message: string) {
    this.problems.push({ line: lineOf(node), message });
  }

  private statements(program: Program | undefined, scope: Scope) {
    for (const node of program?.body ?? []) this.statement(node, scope);
  }

  private statement(node: Node, scope: Scope) {
    switch (node.type) {
      case 'ContentStatement':
        return this.content(node as hbs.AST.ContentStatement);
      case 'CommentStatement':
        return;
      case 'MustacheStatement':
        return this.mustache(node as hbs.AST.MustacheStatement, scope);
      case 'BlockStatement':
        return this.block(node as hbs.AST.BlockStatement, scope);
      case 'PartialStatement':
        return this.partial(node as hbs.AST.PartialStatement);
      default:
        return this.problem(node, 'Partial blocks and decorators cannot be used in house templates');
    }
  }

  private mustache(node: hbs.AST.MustacheStatement, scope: Scope) {
    if (!node.escaped) {
      return this.problem(node, 'Triple braces {{{ }}} and {{& }} are not allowed: every value must be escaped');
    }
    if (this.openTag && !/href\s*=\s*"[^"]*$/i.test(this.openTag.text)) {
      return this.problem(node, 'A placeholder inside an HTML tag may only be a link\'s address: href="{{…}}"');
    }
    const path = node.path as Path;
    if (node.params.length || node.hash) {
      return this.problem(
        node,
        HELPERS.has(path.original)
          ? `{{${path.original} …}} can only be used inside {{#if (${path.original} a b)}}`
          : `{{${path.original} …}} is not a helper house templates can use: they can use if, unless and eq`,
      );
    }
    this.path(node, path, scope);
  }

  private block(node: hbs.AST.BlockStatement, scope: Scope) {
    const name = (node.path as Path).original;
    if (!BLOCK_HELPERS.has(name)) {
      return this.problem(
        node,
        `{{#${name}}} is not something house templates can use: use {{#if …}} or {{#unless …}}`,
      );
    }
    if (node.params.length !== 1 || node.hash) {
      return this.problem(node, `{{#${name}}} takes exactly one placeholder, such as {{#${name} pseudonym}}`);
    }
    const [param] = node.params;
    if (param!.type === 'SubExpression') {
      const sub = param as hbs.AST.SubExpression;
      const helper = (sub.path as Path).original;
      if (!HELPERS.has(helper) || sub.params.length !== 2 || sub.hash) {
        return this.problem(node, `(${helper} …) is not a helper house templates can use: write (eq a b)`);
      }
      for (const p of sub.params) if (p.type === 'PathExpression') this.path(node, p as Path, scope);
    } else if (param!.type === 'PathExpression') {
      this.path(node, param as Path, scope);
    } else {
      return this.problem(node, `{{#${name}}} needs a placeholder, not a fixed value`);
    }
    this.statements(node.program, scope);
    this.statements(node.inverse, scope);
  }

  private partial(node: hbs.AST.PartialStatement) {
    const name = node.name.type === 'PathExpression' ? (node.name as Path).original : '';
    const allowed = this.kind.blocks;
    if (!allowed.length) return this.problem(node, 'Emails have no blocks: {{> …}} cannot be used here');
    if (!allowed.includes(name as BlockName)) {
      return this.problem(node, `{{> ${name}}} is not a block of this letter. Its blocks are: ${list(allowed)}`);
    }
    if (node.params.length || node.hash) {
      return this.problem(node, `{{> ${name}}} takes nothing after its name`);
    }
    if (this.openTag) {
      return this.problem(node, `{{> ${name}}} must stand on its own, outside any HTML tag`);
    }
  }

  private path(node: Node, path: Path, scope: Scope) {
    const name = path.parts[0];
    if (path.data || path.depth > 0 || name === undefined || path.parts.length > 1) {
      return this.problem(
        node,
        `{{${path.original}}} is not a placeholder of this ${this.kind.format === 'letter' ? 'letter' : 'email'}. Its placeholders are: ${list(Object.keys(this.kind.placeholders))}`,
      );
    }
    if (!scope.has(name)) {
      const known = [...scope];
      const near = known.find((k) => k.toLowerCase() === name.toLowerCase());
      return this.problem(
        node,
        near
          ? `{{${path.original}}} is not a placeholder: did you mean {{${near}}}?`
          : `{{${path.original}}} is not a placeholder of this ${this.kind.format === 'letter' ? 'letter' : 'email'}. Its placeholders are: ${list(known)}`,
      );
    }
  }

  /** HTML between the placeholders: only the tags and attributes this format allows, and no script. */
  private content(node: hbs.AST.ContentStatement) {
    if (!this.tags) return;
    const text = node.value;
    const base = lineOf(node) ?? 1;
    let i = 0;
    while (i < text.length) {
      if (this.openTag) {
        const end = text.indexOf('>', i);
        const piece = text.slice(i, end < 0 ? text.length : end);
        this.attributesIn(piece, base + lineAt(text, i) - 1);
        this.openTag.text += piece;
        if (end < 0) return;
        this.openTag = null;
        i = end + 1;
        continue;
      }
      const lt = text.indexOf('<', i);
      if (lt < 0) return;
      const line = base + lineAt(text, lt) - 1;
      const rest = text.slice(lt);
      const comment = /^<!--[\s\S]*?-->/.exec(rest);
      const doctype = /^<!doctype html>/i.exec(rest);
      if ((comment || doctype) && this.kind.format === 'html') {
        i = lt + (comment ?? doctype)![0].length;
        continue;
      }
      const tag = /^<\/?([A-Za-z][A-Za-z0-9-]*)/.exec(rest);
      if (!tag) {
        if (/^<[!?/]/.test(rest)) this.problems.push({ line, message: 'This markup is not allowed here' });
        i = lt + 1;
        continue;
      }
      const name = tag[1]!.toLowerCase();
      if (!this.tags.has(name)) {
        this.problems.push({
          line,
          message: `<${name}> is not allowed in ${this.kind.format === 'letter' ? 'a letter' : 'an email'}. Use ${list(
            [...this.tags].map((t) => `<${t}>`),
          )}`,
        });
      }
      this.openTag = { name, text: '' };
      i = lt + tag[0].length;
    }
  }

  private attributesIn(piece: string, line: number) {
    for (const match of piece.matchAll(/([^\s"'=<>/]+)\s*(?:=\s*("[^"]*"|'[^']*'|[^\s>]*))?/g)) {
      const name = match[1]!.toLowerCase();
      if (!this.attributes.has(name)) {
        this.problems.push({ line, message: `The attribute ${name} is not allowed in <${this.openTag!.name}>` });
      } else if (name === 'href' && /^["']?\s*(?!https?:|mailto:|["']|$)/i.test(match[2] ?? '')) {
        this.problems.push({ line, message: 'A link must start with https://, http:// or mailto:' });
      }
    }
  }
}

/** Renders the sample review, so a template that parses but cannot run is refused too. */
function runtimeProblems(kind: TemplateKind, body: string): TemplateProblem[] {
  let html: string;
  try {
    html = renderTemplate(body, kind.format, sampleModel(kind));
  } catch (err) {
    const at = / - (\d+):\d+$/.exec((err as Error).message);
    return [
      {
        line: at ? Number(at[1]) : null,
        message: `The template cannot be used: ${(err as Error).message.replace(/ - \d+:\d+$/, '')}`,
      },
    ];
  }
  if (kind.format !== 'letter') return [];
  // A block is a part of the letter in its own right: inside a paragraph it would split it.
  const nested = parseHtml(html)
    .querySelectorAll('[data-block]')
    .filter((el) => (el.parentNode as HTMLElement | null)?.tagName != null);
  return nested.map((el) => ({
    line: lineAt(body, body.search(new RegExp(`{{>\\s*${el.getAttribute('data-block')}\\b`))),
    message: `{{> ${el.getAttribute('data-block')}}} must stand on its own line, outside any paragraph or list`,
  }));
}
