import { TEMPLATE_KINDS, shippedBody, templateKind } from '../../src/letters/catalogue';
import { checkTemplate } from '../../src/letters/engine';

const letter = templateKind('publish_after_changes')!;
const emailHtml = templateKind('outcome_letter.html')!;
const alertHtml = templateKind('draft_letter_alert.html')!;
const subject = templateKind('outcome_letter.subject')!;

/**
 * The problems of a template body as "line: message" lines. A feedback letter must place
 * the panel's areas, so the letter's bodies here get them on a last line of their own
 * unless the test is about them.
 */
const problems = (kind = letter, body: string) => {
  const whole = kind.required?.includes('areas') && !body.includes('{{> areas') ? `${body}\n{{> areas}}` : body;
  return checkTemplate(kind, whole).map((p) => `${p.line}: ${p.message}`);
};

describe('checking a house template before it is saved', () => {
  it('accepts every shipped template', () => {
    for (const kind of TEMPLATE_KINDS) {
      expect({ kind: kind.kind, problems: checkTemplate(kind, shippedBody(kind)) }).toEqual({
        kind: kind.kind,
        problems: [],
      });
    }
  });

  it('refuses an empty template, and a letter without the block it exists for', () => {
    expect(checkTemplate(letter, '  \n ')).toEqual([
      { line: null, message: 'The template is empty: write the letter it should produce' },
    ]);
    expect(checkTemplate(letter, '{{> letterhead}}\n<p>Dear colleague</p>').map((p) => p.message)).toEqual([
      "The letter must place {{> areas}}: it shows the panel's areas, numbered (1, 2a) or bulleted as the house style says, with headings and points",
    ]);
    expect(checkTemplate(templateKind('revision_reminder')!, '<p>Reminder</p>')[0]!.message).toMatch(
      /must place \{\{> outstanding\}\}/,
    );
  });

  it('refuses unescaped values, naming the line', () => {
    expect(problems(letter, '<p>a</p>\n<p>{{{pseudonym}}}</p>')).toEqual([
      '2: Triple braces {{{ }}} and {{& }} are not allowed: every value must be escaped',
    ]);
    expect(problems(letter, '<p>{{& pseudonym}}</p>')).toHaveLength(1);
  });

  it('refuses an unknown placeholder, suggesting the one meant', () => {
    expect(problems(letter, '\n\n<p>{{pseudonm}}</p>')).toEqual([
      '3: {{pseudonm}} is not a placeholder: did you mean {{pseudonym}}?',
    ]);
    expect(problems(letter, '<p>{{Pseudonym}}</p>')).toEqual([
      '1: {{Pseudonym}} is not a placeholder: did you mean {{pseudonym}}?',
    ]);
    expect(problems(letter, '<p>{{colour}}</p>')[0]).toMatch(
      /^1: \{\{colour\}\} is not a placeholder of this letter\. Its placeholders are: reference, pseudonym/,
    );
    expect(problems(letter, '<p>{{../pseudonym}} {{@root.pseudonym}} {{pcc.name}} {{this}}</p>')).toHaveLength(4);
    // A placeholder of another kind is unknown here, and so are fixed values in braces.
    expect(problems(letter, '<p>{{submittedOn}}</p>')).toHaveLength(1);
    for (const literal of ['{{"script"}}', '{{1}}', '{{true}}', '{{null}}', '{{undefined}}']) {
      expect(problems(letter, `<p>${literal}</p>`)).toEqual([
        '1: A fixed value in braces is not a placeholder: write the words without {{ }}',
      ]);
    }
  });

  it('refuses helpers other than if, unless and eq, however they are reached', () => {
    expect(problems(letter, '{{lookup a b}}')[0]).toMatch(/is not a helper house templates can use/);
    expect(problems(letter, '{{#with pseudonym}}x{{/with}}')[0]).toMatch(
      /\{\{#with\}\} is not something house templates can use/,
    );
    expect(problems(letter, '{{#each pseudonym}}x{{/each}}')).toHaveLength(1);
    expect(problems(letter, '<p>{{eq round 1}}</p>')[0]).toMatch(/can only be used inside \{\{#if/);
    expect(problems(letter, '{{#if (eq round 2)}}<p>Again.</p>{{else}}<p>First.</p>{{/if}}')).toEqual([]);
    expect(problems(letter, '{{#if (lookup round 2)}}x{{/if}}')).toHaveLength(1);
    // A helper inside eq would run too: log writes to the service's log, lookup reads anything.
    expect(problems(letter, '{{#if (eq (log "forged" pseudonym) 1)}}{{/if}}')).toEqual([
      '1: (eq a b) compares two placeholders or values',
    ]);
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
    expect(problems(letter, '{{> (lookup . "x")}}')[0]).toMatch(/is not a block of this letter/);
  });

  it('refuses what does not compile, in plain words, at the line to change', () => {
    expect(problems(letter, '<p>one</p>\n<p>{{#if round}}two</p>\n<p>three</p>')).toEqual([
      '2: {{#if …}} is not closed: add {{/if}} where the part it shows ends',
    ]);
    expect(problems(letter, '<p>\n{{pseudonym}</p>')).toEqual([
      '2: This line has {{ … }} that cannot be read: check that each {{ has its }}',
    ]);
    expect(problems(letter, '{{#if round}}x{{/unless}}')).toEqual([
      '1: {{/unless}} closes {{#if …}}: close each block with its own name',
    ]);
  });

  it('allows only the HTML a letter or an email can hold, however the template assembles it', () => {
    expect(problems(letter, '<p>a</p>\n<script>alert(1)</script>')).toEqual([
      '2: <script> is not allowed in a letter. Use <p>, <h2>, <h3>, <ul>, <ol>, <li>, <strong>, <b>, <em>, <i>, <u>, <br>, <a>',
    ]);
    expect(problems(letter, '<p onclick="x">a</p>')).toEqual(['1: The attribute onclick is not allowed in <p>']);
    expect(problems(letter, '<a href="javascript:alert(1)">x</a>')).toEqual([
      '1: A link must start with https://, http:// or mailto:',
    ]);
    expect(problems(letter, '<p class="outcome">Fine <strong>bold</strong> <u>underlined</u></p>')).toEqual([]);
    expect(problems(letter, '<p style="color: red">x</p>')).toEqual(['1: The attribute style is not allowed in <p>']);
    expect(problems(letter, '<img src="x">')[0]).toMatch(/^1: <img> is not allowed in a letter/);
    // Tags hidden from the text of the template by a comment or a condition, or named by a value.
    for (const body of [
      '<{{!}}script>alert(1)<{{!}}/script>',
      '<{{!}}meta http-equiv="refresh" content="0;url=https://evil.example">',
      '<{{#if round}}<{{/if}}script>x</script>',
      '<a href="https://x>" onclick="alert(1)">x</a>',
      '<!--><script>x</script>-->',
    ]) {
      expect({ body, problems: problems(letter, body).length > 0 }).toEqual({ body, problems: true });
    }
    expect(problems(letter, '<p {{pseudonym}}>x</p>')[0]).toMatch(/cannot go inside an HTML tag/);
    expect(problems(letter, '<a href="{{pseudonym}}">x</a>')[0]).toMatch(/cannot go inside an HTML tag/);
    expect(problems(letter, '<p>a</p>\n<!-- note -->')).toEqual(['2: HTML comments are not allowed: use {{!-- … --}}']);
  });

  it('lets an email style its type and link to the service, and nothing more', () => {
    expect(
      problems(
        alertHtml,
        '<!DOCTYPE html>\n<body style="font-family: Arial; max-width: 40em"><p><a href="{{reviewUrl}}">x</a></p></body>',
      ),
    ).toEqual([]);
    expect(problems(alertHtml, '<a href="{{pseudonym}}">x</a>')[0]).toMatch(
      /may only be a link's address: href="\{\{reviewUrl\}\}"/,
    );
    expect(problems(emailHtml, '<p style="background:url(https://evil.example/t.png)">x</p>')[0]).toMatch(
      /The style .* is not allowed/,
    );
    expect(problems(emailHtml, '<style>p{}</style>')[0]).toMatch(/<style> is not allowed in an email/);
    // A mail program may act on a comment's contents, so an email has none.
    expect(problems(emailHtml, '<!--[if mso]><script>x</script><![endif]-->{{letter}}')[0]).toMatch(
      /HTML comments are not allowed/,
    );
    expect(problems(emailHtml, '<!-- --!><script>x</script>{{letter}}').length).toBeGreaterThan(0);
  });

  it('keeps subjects to one line with words in it', () => {
    expect(problems(subject, 'About {{reference}} {{letter}}')[0]).toMatch(
      /^1: \{\{letter\}\} is not a placeholder of this email/,
    );
    expect(problems(subject, 'About {{reference}}')).toEqual([]);
    expect(problems(subject, 'Line one {{reference}}\nLine two')).toEqual([
      'null: A subject is one line: remove its line breaks',
    ]);
    expect(problems(subject, '{{#if reference}}{{/if}}')).toEqual([
      'null: The subject is empty: write what the email is about',
    ]);
  });

  it('refuses characters a letter cannot print, controls, broken characters, and templates too big to check', () => {
    expect(problems(letter, '<p>Diolch ŵ ŷ</p>\n<p>A rocket 🚀</p>')).toEqual([
      '2: The letter\'s PDF cannot print "🚀" (U+1F680)',
    ]);
    expect(problems(letter, '<p>a\u0000b</p>')).toEqual([
      '1: The template must not contain control characters or broken characters',
    ]);
    expect(problems(letter, '<p>a\u0085b</p>')).toHaveLength(1);
    expect(problems(letter, '<p>a\ud800b</p>')).toHaveLength(1);
    expect(problems(letter, 'x'.repeat(20_001))).toEqual(['null: The template must be at most 20,000 characters']);
    expect(problems(letter, '{{#if round}}'.repeat(101) + '{{/if}}'.repeat(101))[0]).toMatch(
      /at most 100 \{\{#if\}\} and \{\{#unless\}\} blocks/,
    );
    expect(problems(letter, `${'<u>'.repeat(30)}x`)).toContain('null: Tags are nested more than 20 deep');
  });
});
