import Handlebars from 'handlebars';
import { Parser } from 'htmlparser2';
import { BLOCKS, sampleModel, type BlockName, type Format, type TemplateKind } from './catalogue';
import { describeCharacters, unprintableCharacters } from './fonts';
import { ALLOWED_TAGS, markupProblems } from './markup';

/**
 * The Handlebars the house templates run on. It is private, knows one helper (eq) beside
 * if and unless, compiles strictly (a placeholder missing from the model fails loudly
 * rather than leaving a gap in a letter) and escapes every value. A template is checked
 * before it is saved (checkTemplate), so what runs here has only the placeholders,
 * helpers, blocks and HTML its kind allows; src/letters/markup.ts cleans what it writes
 * all the same.
 */

const handlebars = Handlebars.create();
// Handlebars' other built-in helpers read or log whatever they are given.
for (const name of ['lookup', 'log', 'with', 'each']) handlebars.unregisterHelper(name);
handlebars.registerHelper('eq', (a: unknown, b: unknown) => a === b);
// In a letter, a block is only a marker: the draft decides what it says (src/letters/draft.ts).
// A span, so that one placed inside a paragraph stays inside it and can be refused.
for (const name of Object.keys(BLOCKS)) handlebars.registerPartial(name, `<span data-block="${name}"></span>`);

const HELPERS = new Set(['eq']);
const BLOCK_HELPERS = new Set(['if', 'unless']);

/** A letter's template runs to a few thousand characters; these bounds keep a hostile one cheap to check. */
export const MAX_TEMPLATE_LENGTH = 20_000;
const MAX_CONDITIONS = 100;
const MAX_NESTING = 20;

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

type Node = hbs.AST.Node;
type Program = hbs.AST.Program;
type Path = hbs.AST.PathExpression;

const lineOf = (node: Node) => node.loc?.start.line ?? null;
const list = (names: Iterable<string>) => [...names].join(', ');
const lineAt = (text: string, index: number) => text.slice(0, index).split('\n').length;
const count = (text: string, pattern: RegExp) => text.match(pattern)?.length ?? 0;

// C0 and C1 controls other than tab and line breaks, and half of a surrogate pair.
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * Checks a template before it is saved: it must parse, use only its kind's
 * placeholders and blocks and the helpers if, unless and eq, never {{{ }}}, place the
 * blocks its kind needs, and render only the HTML a letter or an email may hold. Each
 * problem names its line where it has one.
 */
export function checkTemplate(kind: TemplateKind, body: string): TemplateProblem[] {
  const what = kind.format === 'letter' ? 'letter' : kind.format === 'subject' ? 'subject' : 'email';
  if (!body.trim()) return [{ line: null, message: `The template is empty: write the ${what} it should produce` }];
  if (body.length > MAX_TEMPLATE_LENGTH) {
    return [
      { line: null, message: `The template must be at most ${MAX_TEMPLATE_LENGTH.toLocaleString('en-GB')} characters` },
    ];
  }
  const control = CONTROL.exec(body) ?? LONE_SURROGATE.exec(body);
  if (control) {
    return [
      {
        line: lineAt(body, control.index),
        message: 'The template must not contain control characters or broken characters',
      },
    ];
  }
  if (count(body, /\{\{\s*#/g) > MAX_CONDITIONS || count(body, /\(/g) > MAX_CONDITIONS * 4) {
    return [{ line: null, message: `The template may have at most ${MAX_CONDITIONS} {{#if}} and {{#unless}} blocks` }];
  }
  let ast: Program;
  try {
    ast = handlebars.parse(body);
  } catch (err) {
    return [unreadable(body, (err as Error).message)];
  }
  const checker = new Checker(kind);
  const problems = checker.program(ast);
  for (const block of kind.required ?? []) {
    if (!checker.placed.has(block)) {
      problems.push({
        line: null,
        message: `The letter must place {{> ${block}}}: it shows ${BLOCKS[block].charAt(0).toLowerCase()}${BLOCKS[block].slice(1).replace(/\.$/, '')}`,
      });
    }
  }
  // One message per line and problem, however often a tag repeats it (<script> and </script>).
  const seen = new Set<string>();
  const distinct = problems.filter((p) => !seen.has(`${p.line} ${p.message}`) && seen.add(`${p.line} ${p.message}`));
  if (distinct.length) return distinct;
  return renderedProblems(kind, body);
}

/** Handlebars' own parse error, in words a secretary can act on, at the line that needs the change. */
function unreadable(body: string, message: string): TemplateProblem {
  const at = /line (\d+)/.exec(message) ?? / - (\d+):\d+/.exec(message);
  const line = at ? Number(at[1]) : null;
  if (/got 'EOF'/.test(message)) {
    // A block left open: the line to look at is where it opened.
    const open: { name: string; index: number }[] = [];
    for (const tag of body.matchAll(/\{\{~?\s*([#/^])\s*([\w-]+)/g)) {
      if (tag[1] === '/') open.pop();
      else if (tag[1] === '#') open.push({ name: tag[2]!, index: tag.index });
    }
    const last = open.at(-1);
    if (last) {
      return {
        line: lineAt(body, last.index),
        message: `{{#${last.name} …}} is not closed: add {{/${last.name}}} where the part it shows ends`,
      };
    }
  }
  const mismatch = /(\w+) doesn't match (\w+)/.exec(message);
  if (mismatch) {
    return { line, message: `{{/${mismatch[2]}}} closes {{#${mismatch[1]} …}}: close each block with its own name` };
  }
  return { line, message: 'This line has {{ … }} that cannot be read: check that each {{ has its }}' };
}

/** The edit distance of two short names, to suggest the placeholder meant. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}

class Checker {
  private readonly problems: TemplateProblem[] = [];
  private readonly tags: ReadonlySet<string> | null;
  /** Inside an HTML tag that a previous piece of text opened: "<a href=" then {{url}}. */
  private openTag: { name: string; text: string } | null = null;
  readonly placed = new Set<BlockName>();

  constructor(private readonly kind: TemplateKind) {
    this.tags = kind.format === 'letter' || kind.format === 'html' ? new Set<string>(ALLOWED_TAGS[kind.format]) : null;
  }

  program(ast: Program): TemplateProblem[] {
    this.statements(ast);
    return this.problems;
  }

  private problem(node: Node, message: string) {
    this.problems.push({ line: lineOf(node), message });
  }

  private statements(program: Program | undefined) {
    for (const node of program?.body ?? []) this.statement(node);
  }

  private statement(node: Node) {
    switch (node.type) {
      case 'ContentStatement':
        return this.content(node as hbs.AST.ContentStatement);
      case 'CommentStatement':
        return;
      case 'MustacheStatement':
        return this.mustache(node as hbs.AST.MustacheStatement);
      case 'BlockStatement':
        return this.block(node as hbs.AST.BlockStatement);
      case 'PartialStatement':
        return this.partial(node as hbs.AST.PartialStatement);
      default:
        return this.problem(node, 'Partial blocks and decorators cannot be used in house templates');
    }
  }

  private mustache(node: hbs.AST.MustacheStatement) {
    if (!node.escaped) {
      return this.problem(node, 'Triple braces {{{ }}} and {{& }} are not allowed: every value must be escaped');
    }
    if (node.path.type !== 'PathExpression') {
      return this.problem(node, 'A fixed value in braces is not a placeholder: write the words without {{ }}');
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
    if (this.openTag) {
      // Inside a tag a value could become markup: only a web address the service made, as a link.
      const placeholder = this.kind.placeholders[path.original];
      const inHref = /href\s*=\s*"[^"]*$/i.test(this.openTag.text);
      if (!inHref || placeholder?.type !== 'url') {
        const urls = Object.entries(this.kind.placeholders)
          .filter(([, p]) => p.type === 'url')
          .map(([name]) => `{{${name}}}`);
        return this.problem(
          node,
          urls.length
            ? `A placeholder inside an HTML tag may only be a link's address: href="${urls.join('" or href="')}"`
            : 'A placeholder cannot go inside an HTML tag: put it between the tags',
        );
      }
    }
    this.path(node, path);
  }

  private block(node: hbs.AST.BlockStatement) {
    const name = (node.path as Path).original;
    if (node.path.type !== 'PathExpression' || !BLOCK_HELPERS.has(name)) {
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
      const helper = sub.path.type === 'PathExpression' ? (sub.path as Path).original : '';
      if (!HELPERS.has(helper) || sub.params.length !== 2 || sub.hash) {
        return this.problem(node, `(${helper} …) is not a helper house templates can use: write (eq a b)`);
      }
      for (const p of sub.params) {
        if (p.type === 'PathExpression') this.path(node, p as Path);
        else if (p.type === 'SubExpression') return this.problem(node, '(eq a b) compares two placeholders or values');
      }
    } else if (param!.type === 'PathExpression') {
      this.path(node, param as Path);
    } else {
      return this.problem(node, `{{#${name}}} needs a placeholder, not a fixed value`);
    }
    this.statements(node.program);
    this.statements(node.inverse);
  }

  private partial(node: hbs.AST.PartialStatement) {
    const name = node.name.type === 'PathExpression' ? (node.name as Path).original : '';
    const allowed = this.kind.blocks;
    if (!allowed.length) return this.problem(node, 'Emails have no blocks: {{> …}} cannot be used here');
    if (!allowed.includes(name as BlockName)) {
      return this.problem(node, `{{> ${name || '…'}}} is not a block of this letter. Its blocks are: ${list(allowed)}`);
    }
    this.placed.add(name as BlockName);
    if (node.params.length || node.hash) {
      return this.problem(node, `{{> ${name}}} takes nothing after its name`);
    }
    if (this.openTag) {
      return this.problem(node, `{{> ${name}}} must stand on its own, outside any HTML tag`);
    }
  }

  private path(node: Node, path: Path) {
    const name = path.parts?.[0];
    const what = this.kind.format === 'letter' ? 'letter' : 'email';
    const known = Object.keys(this.kind.placeholders);
    if (path.data || path.depth > 0 || name === undefined || path.parts.length > 1 || path.original === 'this') {
      return this.problem(
        node,
        `{{${path.original}}} is not a placeholder of this ${what}. Its placeholders are: ${list(known)}`,
      );
    }
    if (!Object.hasOwn(this.kind.placeholders, name)) {
      const near = known
        .map((k) => ({
          k,
          d: k.toLowerCase() === name.toLowerCase() ? 0 : distance(k.toLowerCase(), name.toLowerCase()),
        }))
        .filter((c) => c.d <= 2)
        .sort((a, b) => a.d - b.d)[0];
      return this.problem(
        node,
        near
          ? `{{${path.original}}} is not a placeholder: did you mean {{${near.k}}}?`
          : `{{${path.original}}} is not a placeholder of this ${what}. Its placeholders are: ${list(known)}`,
      );
    }
  }

  /**
   * HTML written between the placeholders, read for the tags and attributes it names, so
   * that most problems can be reported at their line. The template as it renders is
   * checked again as a whole (renderedProblems), which is what decides.
   */
  private content(node: hbs.AST.ContentStatement) {
    if (!this.tags) return;
    const text = node.value;
    const base = lineOf(node) ?? 1;
    if (this.kind.format === 'letter') {
      const bad = unprintableCharacters(text);
      if (bad.length) {
        const at = base + lineAt(text, text.indexOf(bad[0]!.normalize('NFD').charAt(0))) - 1;
        this.problems.push({ line: at, message: `The letter's PDF cannot print ${describeCharacters(bad)}` });
      }
    }
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
      if (text.startsWith('<!--', lt)) {
        this.problems.push({ line, message: 'HTML comments are not allowed: use {{!-- … --}}' });
        i = lt + 4;
        continue;
      }
      const tag = /^<\/?([A-Za-z][A-Za-z0-9-]*)/.exec(text.slice(lt));
      if (!tag) {
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
      const value = (match[2] ?? '').replace(/^["']|["']$/g, '').trim();
      if (name.startsWith('on')) {
        this.problems.push({ line, message: `The attribute ${name} is not allowed in <${this.openTag!.name}>` });
      } else if (name === 'href' && value && !/^(?:https?:|mailto:)/i.test(value)) {
        this.problems.push({ line, message: 'A link must start with https://, http:// or mailto:' });
      }
    }
  }
}

/**
 * Renders the sample review, so that a template that parses but cannot run is refused
 * too, and checks what it renders: only the HTML its format allows, tags nested no
 * deeper than a letter needs, and blocks standing on their own, outside any paragraph.
 */
function renderedProblems(kind: TemplateKind, body: string): TemplateProblem[] {
  let output: string;
  try {
    output = renderTemplate(body, kind.format, sampleModel(kind));
  } catch (err) {
    const message = (err as Error).message;
    const at = / - (\d+):\d+$/.exec(message);
    return [
      {
        line: at ? Number(at[1]) : null,
        message: /call stack/i.test(message)
          ? 'The template is nested too deeply'
          : `The template cannot be used: ${message.replace(/ - \d+:\d+$/, '')}`,
      },
    ];
  }
  if (kind.format === 'subject') {
    if (!output.trim()) return [{ line: null, message: 'The subject is empty: write what the email is about' }];
    if (/[\r\n]/.test(output.trim())) return [{ line: null, message: 'A subject is one line: remove its line breaks' }];
    return [];
  }
  if (kind.format === 'text') return [];
  const problems = markupProblems(output, kind.format).map((message) => ({ line: lineOfTag(body, message), message }));
  let depth = 0;
  let deepest = 0;
  const nested = new Set<string>();
  const parser = new Parser({
    onopentag(tag, attributes) {
      const block = attributes['data-block'];
      if (tag === 'span' && block && depth > 0) nested.add(block);
      depth += 1;
      deepest = Math.max(deepest, depth);
    },
    onclosetag() {
      depth -= 1;
    },
  });
  parser.write(output);
  parser.end();
  if (deepest > MAX_NESTING) problems.push({ line: null, message: `Tags are nested more than ${MAX_NESTING} deep` });
  for (const block of nested) {
    problems.push({
      line: lineAt(body, Math.max(0, body.search(new RegExp(`{{>\\s*${block}\\b`)))),
      message: `{{> ${block}}} must stand on its own line, outside any paragraph or list`,
    });
  }
  return problems;
}

/** The line of the first tag a problem names, where the template writes it whole. */
function lineOfTag(body: string, message: string): number | null {
  const tag = /^<([\w!-]+)>/.exec(message)?.[1] ?? /in <([\w-]+)>/.exec(message)?.[1];
  if (!tag) return null;
  const at = body.toLowerCase().indexOf(`<${tag.toLowerCase()}`);
  return at < 0 ? null : lineAt(body, at);
}
