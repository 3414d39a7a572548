import { TEMPLATE_KINDS, shippedBody, templateKind } from '../../src/letters/catalogue';
import { checkTemplate } from '../../src/letters/engine';

const letter = templateKind('publish_after_changes')!;
const emailHtml = templateKind('outcome_letter.html')!;
const subject = templateKind('outcome_letter.subject')!;

/** The problems of a template body as "line: message" lines. */
const problems = (kind = letter, body: string) => checkTemplate(kind, body).map((p) => `${p.line}: ${p.message}`);

describe('checking a house template before it is saved', () => {
  it('accepts every shipped template', () => {
    for (const kind of TEMPLATE_KINDS)
      expect({ kind: kind.kind, problems: checkTemplate(kind, shippedBody(kind)) }).toEqual({
        kind: kind.kind,
        problems: [],
      });
  });

  it('refuses unescaped values, naming the line', () => {
    expect(problems(letter, '<p>a</p>\n<p>{{{pseudonym}}}</p>')).toEqual([
      '2: Triple braces {{{ }}} and {{& }} are not allowed: every value must be escaped',
    ]);
    expect(problems(letter, '<p>{{& pseudonym}}</p>')).toHaveLength(1);
  });

  it('refuses an unknown placeholder, suggesting the one meant', () => {
    expect(problems(letter, '\n\n<p>{{pseudonm}}</p>')[0]).toMatch(
      /^3: \{\{pseudonm\}\} is not a placeholder of this letter\. Its placeholders are: reference, pseudonym/,
    );
    expect(problems(letter, '<p>{{Pseudonym}}</p>')).toEqual([
      '1: {{Pseudonym}} is not a placeholder: did you mean {{pseudonym}}?',
    ]);
    expect(problems(letter, '<p>{{../pseudonym}} {{@root.pseudonym}} {{pcc.name}}</p>')).toHaveLength(3);
    // A placeholder of another kind is unknown here.
    expect(problems(letter, '<p>{{submittedOn}}</p>')).toHaveLength(1);
  });

  it('refuses helpers other than if, unless and eq', () => {
    expect(problems(letter, '{{lookup a b}}')[0]).toMatch(/is not a helper house templates can use/);
    expect(problems(letter, '{{#with pseudonym}}x{{/with}}')[0]).toMatch(
      /\{\{#with\}\} is not something house templates can use/,
    );
    expect(problems(letter, '{{#each pseudonym}}x{{/each}}')).toHaveLength(1);
    expect(problems(letter, '<p>{{eq round 1}}</p>')[0]).toMatch(/can only be used inside \{\{#if/);
    expect(problems(letter, '{{#if (eq round 2)}}<p>Again.</p>{{else}}<p>First.</p>{{/if}}')).toEqual([]);
    expect(problems(letter, '{{#if (lookup round 2)}}x{{/if}}')).toHaveLength(1);
  });

  it('refuses partials other than the blocks of the kind, and blocks inside a paragraph', () => {
    expect(problems(letter, '{{> letterhead}}\n{{> outstanding}}')).toEqual([
      '2: {{> outstanding}} is not a block of this letter. Its blocks are: letterhead, address, date, salutation, signature, commendations, areas',
    ]);
    expect(problems(letter, '{{> areas title="x"}}')).toEqual(['1: {{> areas}} takes nothing after its name']);
    expect(problems(letter, '<p>Areas:\n{{> areas}}</p>')).toEqual([
      '2: {{> areas}} must stand on its own line, outside any paragraph or list',
    ]);
    expect(problems(emailHtml, '{{> areas}}')).toEqual(['1: Emails have no blocks: {{> …}} cannot be used here']);
    expect(problems(letter, '{{#> areas}}x{{/areas}}')[0]).toMatch(/Partial blocks and decorators cannot be used/);
  });

  it('refuses what does not compile, naming the line', () => {
    expect(problems(letter, '<p>one</p>\n<p>{{#if round}}two</p>\n<p>three</p>')[0]).toMatch(
      /^3: The template cannot be read here/,
    );
    expect(problems(letter, '<p>\n{{pseudonym}</p>')[0]).toMatch(/^2: The template cannot be read here/);
  });

  it('allows only the HTML a letter or an email can hold', () => {
    expect(problems(letter, '<p>a</p>\n<script>alert(1)</script>')).toEqual([
      '2: <script> is not allowed in a letter. Use <p>, <h2>, <h3>, <ul>, <ol>, <li>, <strong>, <b>, <em>, <i>, <u>, <br>, <a>',
    ]);
    expect(problems(letter, '<p onclick="x">a</p>')).toEqual(['1: The attribute onclick is not allowed in <p>']);
    expect(problems(letter, '<a href="javascript:alert(1)">x</a>')).toEqual([
      '1: A link must start with https://, http:// or mailto:',
    ]);
    expect(problems(letter, '<p class="outcome">Fine <strong>bold</strong> <u>underlined</u></p>')).toEqual([]);
    expect(problems(letter, '<p {{pseudonym}}>x</p>')[0]).toMatch(/inside an HTML tag may only be a link's address/);
    // An email may style its body and link to the review; a letter may not style anything.
    expect(
      problems(
        emailHtml,
        '<!DOCTYPE html>\n<body style="font-family: Arial"><p><a href="{{reference}}">x</a>{{letter}}</p></body>',
      ),
    ).toEqual([]);
    expect(problems(letter, '<p style="color: red">x</p>')).toEqual(['1: The attribute style is not allowed in <p>']);
    expect(problems(letter, '<img src="x">')[0]).toMatch(/^1: <img> is not allowed in a letter/);
  });

  it('keeps the letter itself out of a subject line, and control characters out of every template', () => {
    expect(problems(subject, 'About {{reference}} {{letter}}')[0]).toMatch(
      /^1: \{\{letter\}\} is not a placeholder of this email/,
    );
    expect(problems(subject, 'About {{reference}}')).toEqual([]);
    expect(problems(letter, '<p>a\u0000b</p>')).toEqual(['1: The template must not contain control characters']);
    expect(problems(letter, 'x'.repeat(50_001))).toEqual(['null: The template must be at most 50000 characters']);
  });
});
