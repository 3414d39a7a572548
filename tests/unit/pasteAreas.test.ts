import fs from 'node:fs';
import path from 'node:path';
import { SEEDS } from '../helpers/seeds';
import { splitAreas } from '../../src/web/pasteAreas';

const KENT_LETTER = path.join(SEEDS, 'kent-qa-panel-feedback-letter-2020.txt');

/** Items with no heading, as most lists are. */
const plain = (...texts: string[]) => texts.map((text) => ({ heading: null, text }));

describe('splitAreas', () => {
  test('the Kent letter: twelve dashed areas, item 4 rejoined across the page break', () => {
    const letter = fs.readFileSync(KENT_LETTER, 'utf8');
    const list = letter.slice(letter.indexOf('Areas of final development include:'), letter.indexOf('Once completed'));

    const result = splitAreas(list);

    expect(result.areas).toHaveLength(12);
    expect(result.areas.every((a) => a.heading === null)).toBe(true);
    expect(result.areas[3]!.text).toContain('perpetrator on his release. In particular');
    expect(result).toEqual({
      areas: plain(
        'It would be helpful to clarify the role of the IOPC in paragraph 8.1. The IOPC reports performance which is below expected standards. It is not about discipline but identifying the need for change to the system a whole.',
        "Economic abuse features within the review and it would enhance the report to explore in more depth events such as: the speed of cohabitation; money taken from the victim's purse; the loss of weight as a possible indicator of food control; and limitations placed on the victim through a damaged vehicle.",
        "The report would benefit from an Equality & Diversity section which explores the protected characteristics as set out in the Equality Act 2010 and how the victim's social care needs may have impacted her ability to access help and support.",
        'It was highlighted that there was no IMR from probation. Due to this, the review would profit from probing the decision to allow the victim to house the perpetrator on his release. In particular, the report should probe the missed opportunities to recall the offender and the issues highlighted when managing an offender between two areas. The report states that the victim was present with the perpetrator at his probation meetings, therefore it would add weight to the report to create recommendations for probation with regards to using these opportunities to assess the risk to partners.',
        'The language in the review referring to the police officer and the IDVA should be reviewed and consideration should be given to the caseload both professionals were managing The report would benefit from a recommendation focused on defining safe working practices.',
        'The review draws attention to the good practice from housing with regards to their notifications to police. However, you may wish to consider the practical implications of recommendation seven (to place a DA flag on housing cases) as Area A Council will be completing a high volume of interviews.',
        'Another area of good practice featured in the review was the citing of previous DHRs with links to the MARAC process. However, you may want to revise paragraph 11.4.6 with regards to the risk factors needed for a MARAC referral. It states 14 are needed but the Panel advised that most practitioners take 10 as the indicator for a referral.',
        'It would benefit the report to add that MARAC cases should have a 12-month marker so if there is another incident in that period the case is sent back to MARAC. In addition, it would be conducive to stress that the IDVA should have made the referral of the case into MARAC rather than this be left for other agencies to complete.',
        'The report brings to light the issue that social media communication is not currently monitored in prison. It would be constructive to probe in more depth how this behaviour can lead to victims being groomed by perpetrators before their release.',
        'To further strengthen the recommendations, you may wish to detail the monitoring activity required to demonstrate that the necessary changes identified in the recommendations have been implemented.',
        "Considering the victim's experience within the report, it would valuable to know what involvement the family had with regards to the review process as this is not clear.",
        "To assist the report's anonymity, it would be beneficial to remove the date of death from the report.",
      ),
      notes: ['Skipped the introduction: "Areas of final development include:"'],
    });
  });

  test('a numbered item ending in a colon heads the lettered sub-items under it', () => {
    const text = [
      '1. The chronology should start in 2015.',
      '2. Structure:',
      '   a. Add a contents page.',
      '   b. Number the',
      '      paragraphs.',
      '3. Name an owner for each action.',
    ].join('\n');

    expect(splitAreas(text)).toEqual({
      areas: [
        { heading: null, text: 'The chronology should start in 2015.' },
        { heading: 'Structure', text: 'Add a contents page.' },
        { heading: 'Structure', text: 'Number the paragraphs.' },
        { heading: null, text: 'Name an owner for each action.' },
      ],
      notes: [],
    });
  });

  test('an unmarked "Structure:" line and a short numbered line head the sub-items after them', () => {
    const text = [
      '1. The chronology should start in 2015.',
      'Structure:',
      'a) Add a contents page.',
      '(b) Number the paragraphs.',
      '2. Name an owner for each action.',
      '3. Equality and diversity',
      '    - Consider the victim’s age.',
      '    - Consider her disability.',
      '4. Remove the date of death.',
    ].join('\n');

    expect(splitAreas(text)).toEqual({
      areas: [
        { heading: null, text: 'The chronology should start in 2015.' },
        { heading: 'Structure', text: 'Add a contents page.' },
        { heading: 'Structure', text: 'Number the paragraphs.' },
        { heading: null, text: 'Name an owner for each action.' },
        { heading: 'Equality and diversity', text: 'Consider the victim’s age.' },
        { heading: 'Equality and diversity', text: 'Consider her disability.' },
        { heading: null, text: 'Remove the date of death.' },
      ],
      notes: [],
    });
  });

  test('a long numbered sentence before sub-items is not a heading', () => {
    const text = [
      '1. The report would benefit from exploring economic abuse in more depth, in particular',
      '  a. money taken from the victim’s purse;',
      '  b. limitations placed on the victim through a damaged vehicle.',
    ].join('\n');

    expect(splitAreas(text)).toEqual({
      areas: plain(
        'The report would benefit from exploring economic abuse in more depth, in particular',
        'money taken from the victim’s purse;',
        'limitations placed on the victim through a damaged vehicle.',
      ),
      notes: [],
    });
  });

  test('Word bullets: "•" items with "o" sub-items, tabs after the markers', () => {
    const text = [
      '•\tStructure',
      'o\tAdd a contents page.',
      'o   Number the paragraphs.',
      '•\tName an owner for each action.',
      '•\tRemove the date of death.',
    ].join('\n');

    expect(splitAreas(text)).toEqual({
      areas: [
        { heading: 'Structure', text: 'Add a contents page.' },
        { heading: 'Structure', text: 'Number the paragraphs.' },
        { heading: null, text: 'Name an owner for each action.' },
        { heading: null, text: 'Remove the date of death.' },
      ],
      notes: [],
    });
  });

  test('other bullets, a marker that a PDF put on a line of its own, and a line starting "-15"', () => {
    const text = [
      '•',
      'First.',
      '–  Second.',
      '  ‣ Third.',
      '* Fourth.',
      '- Fifth, 10',
      '-15 words.',
      '◦ A sub-item.',
    ].join('\n');

    expect(splitAreas(text)).toEqual({
      areas: plain('First.', 'Second.', 'Third.', 'Fourth.', 'Fifth, 10 -15 words.', 'A sub-item.'),
      notes: [],
    });
  });

  test('"(1)", "1)" and two-digit numbers', () => {
    expect(splitAreas('(1) One.\n(2) Two.\n(12) Twelve.')).toEqual({
      areas: plain('One.', 'Two.', 'Twelve.'),
      notes: [],
    });
    expect(splitAreas('1) One.\n2) Two,\n   continued.\n12. Twelve.')).toEqual({
      areas: plain('One.', 'Two, continued.', 'Twelve.'),
      notes: [],
    });
  });

  test('roman numeral sub-items, and "i." as a letter after "h."', () => {
    const text = [
      '1. Equality and diversity',
      '  i. Consider age.',
      '  ii) Consider disability.',
      '  (iii) Consider race.',
      '  iv. Consider religion.',
      '2. Remove the date of death.',
    ].join('\n');

    expect(splitAreas(text)).toEqual({
      areas: [
        { heading: 'Equality and diversity', text: 'Consider age.' },
        { heading: 'Equality and diversity', text: 'Consider disability.' },
        { heading: 'Equality and diversity', text: 'Consider race.' },
        { heading: 'Equality and diversity', text: 'Consider religion.' },
        { heading: null, text: 'Remove the date of death.' },
      ],
      notes: [],
    });
    expect(splitAreas('g. Seven.\nh. Eight.\ni. Nine.\nj. Ten.')).toEqual({
      areas: plain('Seven.', 'Eight.', 'Nine.', 'Ten.'),
      notes: [],
    });
  });

  test('with no markers, each paragraph is an item and a "...:" paragraph heads the rest', () => {
    const text =
      'First area\nwraps here.\n\nSecond area.\n\n\nStructure:\nAdd a contents page.\n\nNumber the paragraphs.\n';

    expect(splitAreas(text)).toEqual({
      areas: [
        ...plain('First area wraps here.', 'Second area.'),
        { heading: 'Structure', text: 'Add a contents page.' },
        { heading: 'Structure', text: 'Number the paragraphs.' },
      ],
      notes: [],
    });
  });

  test('the intro line is skipped, and other text before the first item ignored, with notes', () => {
    expect(splitAreas('Areas for final development:\n\nFirst area.\n\nSecond area.')).toEqual({
      areas: plain('First area.', 'Second area.'),
      notes: ['Skipped the introduction: "Areas for final development:"'],
    });
    const text = 'Dear Shafick,\nHere is the list we agreed.\nAreas of final development include:\n1. One.\n2. Two.';
    expect(splitAreas(text)).toEqual({
      areas: plain('One.', 'Two.'),
      notes: [
        'Ignored the text before the first item: "Dear Shafick, Here is the list we agreed…"',
        'Skipped the introduction: "Areas of final development include:"',
      ],
    });
  });

  test('Windows line endings, non-breaking spaces and extra whitespace; characters otherwise kept', () => {
    const text =
      '\u00a0\u00a01.\u00a0Check  the\u00a0<b>IOPC</b>\r\n   role & remit\r\n\r\n2) Say "no"\t\tto \'A\'\r\n3.\r\n';

    expect(splitAreas(text)).toEqual({
      areas: plain('Check the <b>IOPC</b> role & remit', 'Say "no" to \'A\''),
      notes: [],
    });
  });

  test('empty input gives no areas', () => {
    expect(splitAreas('')).toEqual({ areas: [], notes: [] });
    expect(splitAreas(' \r\n\u00a0\n\t')).toEqual({ areas: [], notes: [] });
  });
});
