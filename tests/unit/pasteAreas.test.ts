import fs from 'node:fs';
import path from 'node:path';
import { kentAreas, SEEDS } from '../helpers/seeds';
import { splitAreas } from '../../src/web/pasteAreas';

const KENT_LETTER = path.join(SEEDS, 'kent-qa-panel-feedback-letter-2020.txt');

/** Areas with no heading and no points, as most lists are. */
const plain = (...texts: string[]) => texts.map((text) => ({ heading: null, text, points: [] }));

/** Areas under a heading. */
const under = (heading: string, ...texts: string[]) => texts.map((text) => ({ heading, text, points: [] }));

const lines = (...text: string[]) => text.join('\n');

describe('splitAreas', () => {
  test('the Kent letter: twelve dashed areas, item 4 rejoined across the page break, the intro unused', () => {
    const letter = fs.readFileSync(KENT_LETTER, 'utf8');
    const list = letter.slice(letter.indexOf('Areas of final development include:'), letter.indexOf('Once completed'));

    const result = splitAreas(list);

    expect(result.areas).toHaveLength(12);
    expect(result.areas[3]!.text).toContain('perpetrator on his release. In particular');
    expect(result).toEqual({
      areas: plain(...kentAreas()),
      unused: [{ text: 'Areas of final development include:', reason: 'Introduction to the list' }],
      notes: ['Read 12 areas from a bulleted list.', 'Area 4 continued after a page break.'],
    });
    expect(result.areas[0]!.text).toBe(
      'It would be helpful to clarify the role of the IOPC in paragraph 8.1. The IOPC reports performance which is below expected standards. It is not about discipline but identifying the need for change to the system a whole.',
    );
  });

  test('a numbered item ending in a colon heads the lettered sub-items under it', () => {
    const text = lines(
      '1. The chronology should start in 2015.',
      '2. Structure:',
      '   a. Add a contents page.',
      '   b. Number the',
      '      paragraphs.',
      '3. Name an owner for each action.',
    );

    expect(splitAreas(text)).toEqual({
      areas: [
        ...plain('The chronology should start in 2015.'),
        ...under('Structure', 'Add a contents page.', 'Number the paragraphs.'),
        ...plain('Name an owner for each action.'),
      ],
      unused: [],
      notes: ['Read 4 areas from a numbered list.', '"Structure" is a heading over areas 2 and 3.'],
    });
  });

  test('an unmarked "Structure:" line and a short numbered line head the sub-items after them', () => {
    const text = lines(
      '1. The chronology should start in 2015.',
      'Structure:',
      'a) Add a contents page.',
      '(b) Number the paragraphs.',
      '2. Name an owner for each action.',
      '3. Equality and diversity',
      '    - Consider the victim’s age.',
      '    - Consider her disability.',
      '4. Remove the date of death.',
    );

    expect(splitAreas(text)).toEqual({
      areas: [
        ...plain('The chronology should start in 2015.'),
        ...under('Structure', 'Add a contents page.', 'Number the paragraphs.'),
        ...plain('Name an owner for each action.'),
        ...under('Equality and diversity', 'Consider the victim’s age.', 'Consider her disability.'),
        ...plain('Remove the date of death.'),
      ],
      unused: [],
      notes: [
        'Read 7 areas from a numbered list.',
        '"Structure" is a heading over areas 2 and 3.',
        '"Equality and diversity" is a heading over areas 5 and 6.',
      ],
    });
  });

  test('a long numbered sentence before sub-items is neither a heading nor, without a colon, a lead-in', () => {
    const text = lines(
      '1. The report would benefit from exploring economic abuse in more depth, in particular',
      '  a. money taken from the victim’s purse;',
      '  b. limitations placed on the victim through a damaged vehicle.',
    );

    expect(splitAreas(text)).toEqual({
      areas: plain(
        'The report would benefit from exploring economic abuse in more depth, in particular',
        'money taken from the victim’s purse;',
        'limitations placed on the victim through a damaged vehicle.',
      ),
      unused: [],
      notes: ['Read 3 areas from a numbered list.'],
    });
  });

  test('a lead-in with bullets is one area with points', () => {
    const text = lines(
      'Whilst the report sets out the agencies’ involvement, the panel felt that more analysis was needed. The QA panel felt:',
      '• the chronology should start when the victim first told her GP about the abuse;',
      '• the IMRs should say why the referrals to MARAC were not made.',
    );

    expect(splitAreas(text)).toEqual({
      areas: [
        {
          heading: null,
          text: 'Whilst the report sets out the agencies’ involvement, the panel felt that more analysis was needed. The QA panel felt:',
          points: [
            'the chronology should start when the victim first told her GP about the abuse;',
            'the IMRs should say why the referrals to MARAC were not made.',
          ],
        },
      ],
      unused: [],
      notes: ['Read 1 area from a bulleted list.', 'Area 1 has a lead-in and 2 points.'],
    });
  });

  test('a numbered lead-in takes its lettered sub-items as points, wrapped lines joined, until the next number', () => {
    const text = lines(
      '1. The chronology is clear.',
      '2. The panel felt that the report needed more analysis of the agencies’ contact with',
      '   the victim. In particular:',
      '   a. the GP’s contact in 2018, when the victim',
      '      disclosed the abuse;',
      '   b. The housing officer’s visits.',
      '3. Remove the date of death.',
    );

    expect(splitAreas(text)).toEqual({
      areas: [
        ...plain('The chronology is clear.'),
        {
          heading: null,
          text: 'The panel felt that the report needed more analysis of the agencies’ contact with the victim. In particular:',
          points: ['the GP’s contact in 2018, when the victim disclosed the abuse;', 'The housing officer’s visits.'],
        },
        ...plain('Remove the date of death.'),
      ],
      unused: [],
      notes: ['Read 3 areas from a numbered list.', 'Area 2 has a lead-in and 2 points.'],
    });
  });

  test('a lead-in’s points end at an item that starts a sentence of its own; one in capitals is not its point', () => {
    const text = lines(
      '- The chronology is clear.',
      'Whilst the report sets out the agencies’ involvement, the panel felt more analysis was needed:',
      '- the GP’s contact in 2018;',
      '- the housing officer’s visits.',
      '- Remove the date of death.',
      '- The panel felt that the report would benefit from these changes to its structure, in this order:',
      '- Add a contents page.',
    );

    expect(splitAreas(text)).toEqual({
      areas: [
        ...plain('The chronology is clear.'),
        {
          heading: null,
          text: 'Whilst the report sets out the agencies’ involvement, the panel felt more analysis was needed:',
          points: ['the GP’s contact in 2018;', 'the housing officer’s visits.'],
        },
        ...plain(
          'Remove the date of death.',
          'The panel felt that the report would benefit from these changes to its structure, in this order:',
          'Add a contents page.',
        ),
      ],
      unused: [],
      notes: ['Read 5 areas from a bulleted list.', 'Area 2 has a lead-in and 2 points.'],
    });
  });

  test('a heading over indented bullets, with and without a colon, lasts until the next heading', () => {
    const text = lines(
      'Structure:',
      '    • Add a contents page.',
      '    • Number the paragraphs.',
      'Analysis',
      '    • Say more about the IMRs.',
      '    • Explain the gap in the chronology.',
    );

    expect(splitAreas(text)).toEqual({
      areas: [
        ...under('Structure', 'Add a contents page.', 'Number the paragraphs.'),
        ...under('Analysis', 'Say more about the IMRs.', 'Explain the gap in the chronology.'),
      ],
      unused: [],
      notes: [
        'Read 4 areas from a bulleted list.',
        '"Structure" is a heading over areas 1 and 2.',
        '"Analysis" is a heading over areas 3 and 4.',
      ],
    });
  });

  test('the same pasted without indentation: the heading lines never become areas', () => {
    const text = lines(
      '• The chronology should start in 2015.',
      'Structure:',
      '• Add a contents page',
      '• Number the paragraphs',
      '• Move the glossary to the front',
      '• Put the terms of reference in an appendix',
      '• Shorten the executive summary',
      'Analysis',
      '• Say more about the IMRs.',
    );

    expect(splitAreas(text)).toEqual({
      areas: [
        ...plain('The chronology should start in 2015.'),
        ...under(
          'Structure',
          'Add a contents page',
          'Number the paragraphs',
          'Move the glossary to the front',
          'Put the terms of reference in an appendix',
          'Shorten the executive summary',
        ),
        ...under('Analysis', 'Say more about the IMRs.'),
      ],
      unused: [],
      notes: [
        'Read 7 areas from a bulleted list.',
        '"Structure" is a heading over areas 2 to 6.',
        '"Analysis" is a heading over area 7.',
      ],
    });
  });

  test('a marked "• Structure:" heads the bullets at its own level, until the next heading', () => {
    const text = lines(
      '• The chronology should start in 2015.',
      '• Structure:',
      '• Add a contents page.',
      '• Number the paragraphs.',
      '• Analysis:',
      '• Say more about the IMRs.',
    );

    expect(splitAreas(text)).toEqual({
      areas: [
        ...plain('The chronology should start in 2015.'),
        ...under('Structure', 'Add a contents page.', 'Number the paragraphs.'),
        ...under('Analysis', 'Say more about the IMRs.'),
      ],
      unused: [],
      notes: [
        'Read 4 areas from a bulleted list.',
        '"Structure" is a heading over areas 2 and 3.',
        '"Analysis" is a heading over area 4.',
      ],
    });
  });

  test('items without full stops: a short line ending with a colon after one is still a heading', () => {
    expect(
      splitAreas('- add a contents page\nStructure:\n- number the paragraphs\nAnalysis:\n- say more').areas,
    ).toEqual([
      ...plain('add a contents page'),
      ...under('Structure', 'number the paragraphs'),
      ...under('Analysis', 'say more'),
    ]);
  });

  test('a heading over sub-items inside a section: the section’s heading comes back after them', () => {
    const text = lines(
      'Structure:',
      '• Add a contents page.',
      '• Equality and diversity',
      '   o Consider the victim’s age.',
      '• Number the paragraphs.',
    );

    expect(splitAreas(text).areas).toEqual([
      ...under('Structure', 'Add a contents page.'),
      ...under('Equality and diversity', 'Consider the victim’s age.'),
      ...under('Structure', 'Number the paragraphs.'),
    ]);
    expect(splitAreas(text).notes).toContain('"Structure" is a heading over areas 1 and 3.');
  });

  test('a heading over a lead-in', () => {
    const text = lines(
      '- The chronology is clear.',
      'Analysis:',
      'The panel felt that the report needed more analysis of the agencies’ contact with the victim:',
      '- the GP’s contact in 2018;',
      '- the housing officer’s visits.',
    );

    expect(splitAreas(text).areas).toEqual([
      ...plain('The chronology is clear.'),
      {
        heading: 'Analysis',
        text: 'The panel felt that the report needed more analysis of the agencies’ contact with the victim:',
        points: ['the GP’s contact in 2018;', 'the housing officer’s visits.'],
      },
    ]);
  });

  test('numbered items with wrapped lines, and a right-aligned "9." level with "10."', () => {
    const text = lines(
      ' 9. The chronology should start in 2015, when the victim first told her GP about',
      '    the abuse, rather than in 2017.',
      '10. The review would benefit from a section on equality and diversity that',
      '    considers the victim’s age and her disability.',
      '11. Remove the date of death.',
    );

    expect(splitAreas(text)).toEqual({
      areas: plain(
        'The chronology should start in 2015, when the victim first told her GP about the abuse, rather than in 2017.',
        'The review would benefit from a section on equality and diversity that considers the victim’s age and her disability.',
        'Remove the date of death.',
      ),
      unused: [],
      notes: ['Read 3 areas from a numbered list.'],
    });
  });

  test('page numbers and protective markings between wrapped lines go to unused, and the area carries on', () => {
    const text = lines(
      '1. The review would profit from probing the decision to allow the victim to house the',
      '',
      'Page 3 of 10',
      'OFFICIAL - SENSITIVE',
      '',
      'perpetrator on his release.',
      '2. The report should say who chaired the review and whether they were',
      '- 4 -',
      'official',
      'independent of the agencies involved.',
      '3 | Page',
      '\f3. Remove the date of death.',
    );

    expect(splitAreas(text)).toEqual({
      areas: plain(
        'The review would profit from probing the decision to allow the victim to house the perpetrator on his release.',
        'The report should say who chaired the review and whether they were independent of the agencies involved.',
        'Remove the date of death.',
      ),
      unused: [
        { text: 'Page 3 of 10', reason: 'Page number' },
        { text: 'OFFICIAL - SENSITIVE', reason: 'Protective marking from a page header or footer' },
        { text: '- 4 -', reason: 'Page number' },
        { text: 'official', reason: 'Protective marking from a page header or footer' },
        { text: '3 | Page', reason: 'Page number' },
      ],
      notes: [
        'Read 3 areas from a numbered list.',
        'Area 1 continued after a page break.',
        'Area 2 continued after a page break.',
      ],
    });
  });

  test('NOT PROTECTIVELY MARKED, "OFFICIAL-SENSITIVE", "Page 3" and a bare number around paragraphs', () => {
    const text = 'NOT PROTECTIVELY MARKED\n\nFirst area.\n\n12\n\nOFFICIAL-SENSITIVE\n\nSecond area.\nPage 3\n';

    expect(splitAreas(text)).toEqual({
      areas: plain('First area.', 'Second area.'),
      unused: [
        { text: 'NOT PROTECTIVELY MARKED', reason: 'Protective marking from a page header or footer' },
        { text: '12', reason: 'Page number' },
        { text: 'OFFICIAL-SENSITIVE', reason: 'Protective marking from a page header or footer' },
        { text: 'Page 3', reason: 'Page number' },
      ],
      notes: ['Read 2 areas from paragraphs, as the text had no numbers or bullets.'],
    });
  });

  test('a new paragraph inside an area, and a page break mid-sentence in a list of paragraphs', () => {
    const list = lines(
      '- The report should say more about the GP’s contact with the victim.',
      '',
      'The panel also asked for the GP practice’s IMR to be summarised.',
      '- Remove the date of death.',
    );
    expect(splitAreas(list)).toEqual({
      areas: plain(
        'The report should say more about the GP’s contact with the victim.\nThe panel also asked for the GP practice’s IMR to be summarised.',
        'Remove the date of death.',
      ),
      unused: [],
      notes: ['Read 2 areas from a bulleted list.', 'Area 1 has 2 paragraphs.'],
    });

    const paragraphs =
      'The report should say more about the GP’s contact\n\n7\n\nwith the victim.\n\nRemove the date of death.';
    expect(splitAreas(paragraphs)).toEqual({
      areas: plain('The report should say more about the GP’s contact with the victim.', 'Remove the date of death.'),
      unused: [{ text: '7', reason: 'Page number' }],
      notes: [
        'Read 2 areas from paragraphs, as the text had no numbers or bullets.',
        'Area 1 continued after a page break.',
      ],
    });
  });

  test('Word bullets: "•" items with "o" sub-items, tabs after the markers', () => {
    const text = lines(
      '•\tStructure',
      'o\tAdd a contents page.',
      'o   Number the paragraphs.',
      '•\tName an owner for each action.',
      '•\tRemove the date of death.',
    );

    expect(splitAreas(text)).toEqual({
      areas: [
        ...under('Structure', 'Add a contents page.', 'Number the paragraphs.'),
        ...plain('Name an owner for each action.', 'Remove the date of death.'),
      ],
      unused: [],
      notes: ['Read 4 areas from a bulleted list.', '"Structure" is a heading over areas 1 and 2.'],
    });
  });

  test('other bullets, a marker that a PDF put on a line of its own, and a line starting "-15"', () => {
    const text = lines(
      '•',
      'First.',
      '–  Second.',
      '  ‣ Third.',
      '* Fourth.',
      '- Fifth, 10',
      '-15 words.',
      '◦ A sub-item.',
      '▪ Another.',
      '\uf0b7 Word’s symbol bullet.',
    );

    expect(splitAreas(text)).toEqual({
      areas: plain(
        'First.',
        'Second.',
        'Third.',
        'Fourth.',
        'Fifth, 10 -15 words.',
        'A sub-item.',
        'Another.',
        'Word’s symbol bullet.',
      ),
      unused: [],
      notes: ['Read 8 areas from a bulleted list.'],
    });
  });

  test('"(1)", "1)" and two-digit numbers', () => {
    expect(splitAreas('(1) One.\n(2) Two.\n(12) Twelve.').areas).toEqual(plain('One.', 'Two.', 'Twelve.'));
    expect(splitAreas('1) One.\n2) Two,\n   continued.\n12. Twelve.').areas).toEqual(
      plain('One.', 'Two, continued.', 'Twelve.'),
    );
  });

  test('roman numeral sub-items, and "i." as a letter after "h."', () => {
    const text = lines(
      '1. Equality and diversity',
      '  i. Consider age.',
      '  ii) Consider disability.',
      '  (iii) Consider race.',
      '  iv. Consider religion.',
      '2. Remove the date of death.',
    );

    expect(splitAreas(text).areas).toEqual([
      ...under(
        'Equality and diversity',
        'Consider age.',
        'Consider disability.',
        'Consider race.',
        'Consider religion.',
      ),
      ...plain('Remove the date of death.'),
    ]);
    expect(splitAreas('g. Seven.\nh. Eight.\ni. Nine.\nj. Ten.')).toEqual({
      areas: plain('Seven.', 'Eight.', 'Nine.', 'Ten.'),
      unused: [],
      notes: ['Read 4 areas from a lettered list.'],
    });
  });

  const kept = (word: string, n = 1) =>
    `In area ${n}, "${word}" starts a wrapped line, so it is kept as text, not read as a new item.`;

  test.each([
    ['1. The report says the family had\no contact with services.', 'o'],
    ['1. The panel thanks the chair,\nJ. Smith, and the author.', 'J.'],
    ['1. See paragraphs\n12. and 13. of the report.', '12.'],
    ['1. Revise the section\n4) of the overview report.', '4)'],
    ['1. The panel thanks the chair,\nA. N. Other, and the author.', 'A.'],
    ['1. See section\n(iv) of the report.', '(iv)'],
  ])('a wrapped line starting with what looks like a marker carries on its item, every word kept: %j', (text, word) => {
    expect(splitAreas(text)).toEqual({
      areas: plain(text.slice(3).replace('\n', ' ')),
      unused: [],
      notes: ['Read 1 area from a numbered list.', kept(word)],
    });
  });

  test('two wrapped lines in one area starting with what looks like a marker, both kept and noted', () => {
    expect(splitAreas('1. See paragraphs\n12. and 13., which say the family had\no contact with services.')).toEqual({
      areas: plain('See paragraphs 12. and 13., which say the family had o contact with services.'),
      unused: [],
      notes: [
        'Read 1 area from a numbered list.',
        'In area 1, "12." and "o" start wrapped lines, so they are kept as text, not read as new items.',
      ],
    });
  });

  test('wrapped lines starting with "2019.", "i.e." or "e.g." carry on the item, as they start no list', () => {
    expect(
      splitAreas('1. The chronology should start in\n2019. The panel\ni.e. when the GP\ne.g. or the IMR.'),
    ).toEqual({
      areas: plain('The chronology should start in 2019. The panel i.e. when the GP e.g. or the IMR.'),
      unused: [],
      notes: ['Read 1 area from a numbered list.'],
    });
  });

  test('wrapped lines starting "12." "4)" "o" and "J." in a list, with hanging indents, before the next item', () => {
    const text = lines(
      '1. See paragraphs',
      '   12. and 13. of the report.',
      '2. Revise the section',
      '   4) of the overview report.',
      '3. The report says the family had',
      '   o contact with services.',
      '4. The panel thanks the chair,',
      '   J. Smith, and the author.',
    );

    expect(splitAreas(text)).toEqual({
      areas: plain(
        'See paragraphs 12. and 13. of the report.',
        'Revise the section 4) of the overview report.',
        'The report says the family had o contact with services.',
        'The panel thanks the chair, J. Smith, and the author.',
      ),
      unused: [],
      notes: ['Read 4 areas from a numbered list.', kept('12.', 1), kept('4)', 2), kept('o', 3), kept('J.', 4)],
    });
  });

  test('markers after a line that stops mid-sentence still start items when they are next in a list', () => {
    // Lettered sub-items under a heading; a colon ends the line before.
    expect(splitAreas(lines('1. Structure:', '   a. Add contents.', '   b. Number paragraphs.')).areas).toEqual(
      under('Structure', 'Add contents.', 'Number paragraphs.'),
    );
    // Word's "o" next to a "•" item, indented or not, and in lower case.
    expect(splitAreas('• Item\n   o sub-point').areas).toEqual(under('Item', 'sub-point'));
    expect(splitAreas('• Structure\no add a contents page\no number the paragraphs').areas).toEqual(
      under('Structure', 'add a contents page', 'number the paragraphs'),
    );
    // Lower-case points after a lead-in.
    expect(
      splitAreas(
        lines(
          'The panel felt that the report needed more analysis of the agencies’ contact with the victim:',
          'o the GP’s contact in 2018;',
          'o the housing officer’s visits.',
        ),
      ).areas,
    ).toEqual([
      {
        heading: null,
        text: 'The panel felt that the report needed more analysis of the agencies’ contact with the victim:',
        points: ['the GP’s contact in 2018;', 'the housing officer’s visits.'],
      },
    ]);
    // Lists without full stops: each number, numeral or letter is the first or the next.
    expect(splitAreas('1. add a contents page\n2. number the paragraphs\n3. say more').areas).toEqual(
      plain('add a contents page', 'number the paragraphs', 'say more'),
    );
    expect(splitAreas('(1) add a contents page\n(2) number the paragraphs').areas).toEqual(
      plain('add a contents page', 'number the paragraphs'),
    );
    expect(splitAreas('1. Equality and diversity\n  i. consider age.\n  ii. consider disability.').areas).toEqual(
      under('Equality and diversity', 'consider age.', 'consider disability.'),
    );
    // A list pasted from part way through: "5." comes before "6.".
    expect(splitAreas('Structure\n5. add a contents page\n6. number the paragraphs').areas).toEqual(
      under('Structure', 'add a contents page', 'number the paragraphs'),
    );
  });

  test('a marker laid out with a tab, or indented deeper than the text above, starts a sub-item', () => {
    expect(splitAreas('1. Equality and diversity\nc.\tconsider her age.').areas).toEqual(
      under('Equality and diversity', 'consider her age.'),
    );
    expect(splitAreas('1. Equality and diversity\n      o consider her age.').areas).toEqual(
      under('Equality and diversity', 'consider her age.'),
    );
  });

  test('with no markers, each paragraph is an area and a "...:" paragraph heads the rest', () => {
    const text =
      'First area\nwraps here.\n\nSecond area.\n\n\nStructure:\nAdd a contents page.\n\nNumber the paragraphs.\n';

    expect(splitAreas(text)).toEqual({
      areas: [
        ...plain('First area wraps here.', 'Second area.'),
        ...under('Structure', 'Add a contents page.', 'Number the paragraphs.'),
      ],
      unused: [],
      notes: [
        'Read 4 areas from paragraphs, as the text had no numbers or bullets.',
        '"Structure" is a heading over areas 3 and 4.',
      ],
    });
  });

  test('the introduction and other text before the first area go to unused, in full', () => {
    expect(splitAreas('Areas for final development:\n\nFirst area.\n\nSecond area.')).toEqual({
      areas: plain('First area.', 'Second area.'),
      unused: [{ text: 'Areas for final development:', reason: 'Introduction to the list' }],
      notes: ['Read 2 areas from paragraphs, as the text had no numbers or bullets.'],
    });

    const text = lines(
      'Dear Shafick,',
      'Here is the list we agreed at the panel meeting on 20 November.',
      'The Panel noted the following areas:',
      '1. One.',
      '2. Two.',
    );
    expect(splitAreas(text)).toEqual({
      areas: plain('One.', 'Two.'),
      unused: [
        {
          text: 'Dear Shafick, Here is the list we agreed at the panel meeting on 20 November.',
          reason: 'Text before the first area',
        },
        { text: 'The Panel noted the following areas:', reason: 'Introduction to the list' },
      ],
      notes: ['Read 2 areas from a numbered list.'],
    });
  });

  test('a long sentence ending in a colon before capitalised items introduces the list', () => {
    const text = lines(
      'The QA Panel felt that there are some aspects of the report which may benefit from revision:',
      '- It would be helpful to clarify the role of the IOPC.',
      '- Remove the date of death.',
    );

    expect(splitAreas(text)).toEqual({
      areas: plain('It would be helpful to clarify the role of the IOPC.', 'Remove the date of death.'),
      unused: [
        {
          text: 'The QA Panel felt that there are some aspects of the report which may benefit from revision:',
          reason: 'Introduction to the list',
        },
      ],
      notes: ['Read 2 areas from a bulleted list.'],
    });
  });

  test('a heading with nothing under it goes to unused', () => {
    expect(splitAreas('1. Structure\n  a.\n')).toEqual({
      areas: [],
      unused: [{ text: 'Structure', reason: 'Heading with no areas under it' }],
      notes: ['Found no areas in the pasted text.'],
    });
  });

  test('Windows line endings, non-breaking spaces and extra whitespace; characters otherwise kept', () => {
    const text =
      '\u00a0\u00a01.\u00a0Check  the\u00a0<b>IOPC</b>\r\n   role & remit\r\n\r\n2) Say "no"\t\tto \'A\'\r\n3.\r\n4. Ŵyr ŷd — Ελληνικά, русский.';

    expect(splitAreas(text)).toEqual({
      areas: plain('Check the <b>IOPC</b> role & remit', 'Say "no" to \'A\'', 'Ŵyr ŷd — Ελληνικά, русский.'),
      unused: [],
      notes: ['Read 3 areas from a numbered list.'],
    });
  });

  test('empty input gives no areas and no notes', () => {
    expect(splitAreas('')).toEqual({ areas: [], unused: [], notes: [] });
    expect(splitAreas(' \r\n\u00a0\n\t\f')).toEqual({ areas: [], unused: [], notes: [] });
  });
});
