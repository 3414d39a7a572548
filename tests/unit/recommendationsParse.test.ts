import fs from 'node:fs';
import path from 'node:path';
import { LIMITS, parseRecommendations } from '../../src/recommendations/parse';
import { HACKNEY_NUMBERS, SEEDS } from '../helpers/seeds';

const seed = (name: string) => fs.readFileSync(path.join(SEEDS, name), 'utf8');
const HACKNEY = seed('hackney-dhr-2023-recommendations.txt');
const HARLOW = seed('harlow-dhr-2023-recommendations.txt');

const MPS = 'Metropolitan Police Service';
const MPS_HACKNEY = 'Metropolitan Police Service (Hackney Borough)';
const CHSCB = 'City and Hackney Safeguarding Children Board';
const GPS = ['Lister Medical Centre', 'The Elsenham Practice'];

/** Rows without their line numbers, to compare layouts of the same list. */
const withoutLines = (content: string) =>
  parseRecommendations('text', content).rows.map(({ line: _line, ...row }) => row);

describe('parseRecommendations: Hackney, DHR Library free lines', () => {
  const result = parseRecommendations('text', HACKNEY);
  const byNumber = new Map(result.rows.map((r) => [r.number, r]));

  test('17 recommendations in order, the page text skipped, no errors and no warnings', () => {
    expect(result.errors).toEqual([]);
    expect(result.rows.map((r) => r.number)).toEqual(HACKNEY_NUMBERS);
    // Only 5 and Panel.179 have a full stop before the agency; the other lines end in a body
    // those two lines (and line 4's " | ") name, so no split is a guess.
    expect(result.rows.filter((r) => r.warning)).toEqual([]);
    expect(result.rows.map((r) => r.line)).toEqual([
      20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36,
    ]);
  });

  test('4, 5 and Panel.179 are addressed to two bodies, the rest to the Metropolitan Police Service', () => {
    expect(byNumber.get('4')!.agencies).toEqual([MPS_HACKNEY, CHSCB]);
    expect(byNumber.get('5')!.agencies).toEqual(['College of Policing', MPS]);
    expect(byNumber.get('Panel.179')!.agencies).toEqual([MPS_HACKNEY, CHSCB]);
    const others = result.rows.filter((r) => !['4', '5', 'Panel.179'].includes(r.number));
    expect(others).toHaveLength(14);
    expect(others.every((r) => r.agencies.length === 1 && r.agencies[0] === MPS)).toBe(true);
  });

  test('texts are verbatim: each row rebuilds its line of the file exactly', () => {
    const lines = HACKNEY.split('\n');
    for (const row of result.rows) {
      expect(lines[row.line - 1]).toBe(`${row.number} ${row.text} ${row.agencies.join(' | ')}`);
    }
    expect(byNumber.get('1')!.text).toBe(
      'The MPS should ensure that the risk assessment section of the planned mobile data replacement for Report Book 124D includes clear guidance and prompts to officers that any response by a domestic abuse survivor in the affirmative must also contain a full explanation of context and meaning as well as a requirement for primary supervision actions to be recorded',
    );
    // "Children’s Services" is not part of the agency.
    expect(byNumber.get('2c')!.text).toBe(
      'When children are named as potential victims, witnesses or are living in the household, a pre-assessment checklist has been generated and shared with Children’s Services',
    );
    expect(byNumber.get('5')!.text).toMatch(
      /^Research should be commissioned .* within the National Decision Model \(NDM\)\.$/,
    );
    expect(byNumber.get('Panel.179')!.text).toMatch(/^It is also recommended .* from harm \(see recommendation 4\)\.$/);
  });

  test('the same list wrapped onto continuation lines reads the same, and the closing page text is not joined', () => {
    const wrapped = [
      '# Recommendation Addressed to',
      '1 The MPS should ensure that the risk assessment section of the planned mobile data replacement for Report Book',
      '124D includes clear guidance and prompts to officers that any response by a domestic abuse survivor in the',
      'affirmative must also contain a full explanation of context and meaning as well as a requirement for primary',
      'supervision actions to be recorded Metropolitan Police Service',
      '4 To provide reassurance and improve confidence in the system for safeguarding children and young people, the MPS in Hackney should report to the City and',
      'Hackney Safeguarding Children Board that all failed processes have been rectified and appropriate checks and balances are in place in line with the actions arising from this review Metropolitan Police Service (Hackney Borough) |',
      'City and Hackney Safeguarding Children Board',
      '5 Research should be commissioned by the College of Policing in consultation with specialists such as Violence Against Women and Girls (VAWG) organisations to identify a model for safe exit planning.',
      'Specialist advice would also be sought from the MPS Hostage and Crisis Unit, which have expertise in ‘deadline’ management. Such research may improve the assessment of risk within the National Decision Model (NDM). College of Policing | Metropolitan Police Service',
      'Panel.179',
      'It is also recommended that the Hackney Borough Police ensure their front-line staff have access to and attend multi-agency training delivered by the City and Hackney Safeguarding Children Board to further promote their understanding of partnership working and the role of other agencies in protecting children and young people from harm (see recommendation 4).',
      'Metropolitan Police Service (Hackney Borough) | City and Hackney Safeguarding Children Board',
      'Recommendations extracted from the published report. Source: Home Office DHR Library. View full report ↗',
    ].join('\n');
    const expected = withoutLines(HACKNEY).filter((r) => ['1', '4', '5', 'Panel.179'].includes(r.number));
    expect(withoutLines(wrapped)).toEqual(expected);
    expect(parseRecommendations('text', wrapped).rows.map((r) => r.line)).toEqual([2, 6, 9, 11]);
  });

  test('CRLF line endings, tabs and trailing spaces change nothing', () => {
    const messy = HACKNEY.split('\n')
      .map((l) => l.replace(/ /, '\t') + '  ')
      .join('\r\n');
    expect(parseRecommendations('text', messy)).toEqual(result);
  });
});

describe('parseRecommendations: where the agency begins is a guess', () => {
  const LINE_1 = HACKNEY.split('\n')[19]!;
  const LINE_2C = HACKNEY.split('\n')[22]!;
  const LINE_5 = HACKNEY.split('\n')[27]!;

  test('a line alone with no full stop: the capitalised words ending it, with a warning', () => {
    const { rows, errors } = parseRecommendations('text', LINE_1);
    expect(errors).toEqual([]);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.agencies).toEqual([MPS]);
    expect(rows[0]!.text).toMatch(/actions to be recorded$/);
    expect(rows[0]!.warning).toBe(
      'Check where the recommendation ends and the agency begins: there is no full stop before the agency, so "Metropolitan Police Service" was taken as the agency.',
    );
  });

  test('the guess can be wrong, which is why it is flagged', () => {
    const [row] = parseRecommendations('text', LINE_2C).rows;
    expect(row!.agencies).toEqual([`Children’s Services ${MPS}`]);
    expect(row!.warning).toMatch(/^Check where the recommendation ends and the agency begins: there is no full stop/);
  });

  test('a full stop then a name is a sure split, even alone', () => {
    const [row] = parseRecommendations('text', LINE_5).rows;
    expect(row!.agencies).toEqual(['College of Policing', MPS]);
    expect(row).not.toHaveProperty('warning');
  });

  test('words after the full stop that are not a name, and a line with no agency at all', () => {
    const text = [
      '1 Review the policy. Then the board should report back on progress',
      '2 Review the policy. All agencies',
      '3 Review the policy within six months.',
    ].join('\n');
    expect(parseRecommendations('text', text)).toEqual({
      rows: [
        {
          number: '1',
          text: 'Review the policy.',
          agencies: ['Then the board should report back on progress'],
          warning:
            'Check where the recommendation ends and the agency begins: the words after the last full stop do not read as an agency name, so "Then the board should report back on progress" was taken as the agency.',
          line: 1,
        },
        {
          number: '2',
          text: 'Review the policy.',
          agencies: ['All agencies'],
          warning:
            'Check where the recommendation ends and the agency begins: the words after the last full stop do not read as an agency name, so "All agencies" was taken as the agency.',
          line: 2,
        },
        {
          number: '3',
          text: 'Review the policy within six months.',
          agencies: [],
          warning:
            'Check where the recommendation ends and the agency begins: no agency name was found at the end of the line.',
          line: 3,
        },
      ],
      errors: [],
    });
  });

  test('a number with no text is an error on its line', () => {
    expect(
      parseRecommendations(
        'text',
        '# Recommendation Addressed to\n1 Do this. Hackney Council\n2\n\n3 Do that. Hackney Council',
      ),
    ).toEqual({
      rows: [
        { number: '1', text: 'Do this.', agencies: ['Hackney Council'], line: 2 },
        { number: '3', text: 'Do that.', agencies: ['Hackney Council'], line: 5 },
      ],
      errors: [{ line: 3, message: 'Recommendation 2 has no text' }],
    });
  });
});

describe('parseRecommendations: Harlow, a DHR Library markdown table', () => {
  const result = parseRecommendations('text', HARLOW);

  test('28 rows are 23 recommendations; five are addressed to both GP practices', () => {
    expect(result.errors).toEqual([]);
    expect(result.rows).toHaveLength(23);
    expect(result.rows.reduce((n, r) => n + r.agencies.length, 0)).toBe(28);
    const twice = result.rows.filter((r) => r.agencies.length === 2);
    expect(twice.map((r) => r.number)).toEqual(['11.4.1', '11.4.3', '11.4.4', '11.4.5', '11.4.6']);
    expect(twice.every((r) => r.agencies.join() === GPS.join())).toBe(true);
    expect(result.rows.some((r) => r.warning)).toBe(false);
    // A merged recommendation keeps the line of its first row.
    expect(result.rows.find((r) => r.number === '11.4.2')!.line).toBe(30);
  });

  test('texts and agencies are verbatim, a comma inside an agency name kept', () => {
    for (const row of result.rows) {
      for (const agency of row.agencies) expect(HARLOW).toContain(`| ${row.number} | ${row.text} | ${agency} |`);
    }
    const byNumber = new Map(result.rows.map((r) => [r.number, r]));
    expect(byNumber.get('11.1.1')!.agencies).toEqual(['Essex County Council (ECC), Children’s Social Care']);
    expect(byNumber.get('11.4.5')).toEqual({
      number: '11.4.5',
      text: 'Primary care should be included in the MARAC process.',
      agencies: GPS,
      line: 35,
    });
    expect(byNumber.get('11.7.1')!.text).toMatch(/^When cases are on-going, i\.e\. over one year, .* best outcomes\.$/);
    expect(byNumber.get('11.7.4')!.agencies).toEqual(['NEPFT']);
  });

  test('CRLF line endings change nothing', () => {
    expect(parseRecommendations('text', HARLOW.replace(/\n/g, '\r\n'))).toEqual(result);
  });

  test('markdown escapes and bold are undone; an escaped pipe separates agencies', () => {
    const table = [
      '| **#** | Recommendation | Agency |',
      '|:--|---|---|',
      '| **1** | Share *all* records \\| fast | Police \\| Council |',
    ];
    expect(parseRecommendations('text', table.join('\n'))).toEqual({
      rows: [{ number: '1', text: 'Share *all* records | fast', agencies: ['Police', 'Council'], line: 3 }],
      errors: [],
    });
  });

  test('a table row without a number is an error on its line', () => {
    const table = [
      '| # | Recommendation | Addressed to |',
      '|---|---|---|',
      '| 1 | Do this. | Police |',
      '| | Do that. | Police |',
    ];
    expect(parseRecommendations('text', table.join('\n')).errors).toEqual([
      { line: 4, message: 'The recommendation has no number' },
    ]);
  });
});

describe('parseRecommendations: CSV', () => {
  test('quoted commas, a multi-line field, doubled quotes, two agencies in a cell, a repeated number merged', () => {
    const csv = [
      'Number,Recommendation,Addressed to',
      '1,"Share records with GPs, health visitors and schools",Hackney Council',
      '2,"Review the policy.',
      'Report back in six months.","NHS North East London | Metropolitan Police Service"',
      '3,"Train staff on ""coercive control""",Lister Medical Centre',
      '3,"Train staff on ""coercive control""",The Elsenham Practice; Lister Medical Centre',
      '',
    ].join('\n');
    expect(parseRecommendations('csv', csv)).toEqual({
      rows: [
        {
          number: '1',
          text: 'Share records with GPs, health visitors and schools',
          agencies: ['Hackney Council'],
          line: 2,
        },
        {
          number: '2',
          text: 'Review the policy. Report back in six months.',
          agencies: ['NHS North East London', MPS],
          line: 3,
        },
        { number: '3', text: 'Train staff on "coercive control"', agencies: GPS, line: 5 },
      ],
      errors: [],
    });
  });

  test('columns in any order under other accepted names, CRLF, a byte order mark and blank lines', () => {
    const csv =
      '\uFEFFAgencies,RECOMMENDATION,number\r\n\r\n" Police ; Council ",Do this.,IMR.1\r\nPolice,Do that.,IMR.2\r\n';
    expect(parseRecommendations('csv', csv)).toEqual({
      rows: [
        { number: 'IMR.1', text: 'Do this.', agencies: ['Police', 'Council'], line: 3 },
        { number: 'IMR.2', text: 'Do that.', agencies: ['Police'], line: 4 },
      ],
      errors: [],
    });
    expect(parseRecommendations('csv', 'addressed_to,Recommendation,Number\nPolice,Do this.,1').rows).toHaveLength(1);
  });

  test('a CSV without an "addressed to" column: one error naming it, and no rows', () => {
    expect(parseRecommendations('csv', 'number,recommendation\n1,Do this.\n2,Do that.')).toEqual({
      rows: [],
      errors: [
        {
          line: 1,
          message:
            'The CSV has no "addressed to" column: its header row must name the columns number, recommendation and addressed to',
        },
      ],
    });
  });

  test('a row with an empty number, or no text, is an error on its line', () => {
    const csv = 'number,recommendation,agency\n1,Do this.,Police\n,Do that.,Police\n3,,Police';
    expect(parseRecommendations('csv', csv).errors).toEqual([
      { line: 3, message: 'The recommendation has no number' },
      { line: 4, message: 'Recommendation 3 has no text' },
    ]);
  });

  test('a number repeated with different text is an error, not a silent merge', () => {
    const csv = 'number,recommendation,agency\n1,Do this.,Police\n1,Do that.,Council';
    expect(parseRecommendations('csv', csv).errors).toEqual([
      { line: 3, message: 'Recommendation 1 appears again with different text (first on line 2)' },
    ]);
  });

  test('an unterminated quote is an error on the line where it opens', () => {
    const csv = 'number,recommendation,agency\n1,Do this.,Police\n2,"Do that.,Police\n3,Do more.,Police';
    expect(parseRecommendations('csv', csv).errors).toEqual([
      { line: 3, message: 'A quoted field is never closed: a closing double quote (") is missing' },
    ]);
  });
});

describe('parseRecommendations: empty input', () => {
  test.each([
    ['text', ''],
    ['text', '  \r\n\n\t'],
    ['csv', ''],
    ['csv', '\uFEFF\r\n'],
  ] as const)('%s %j: no rows, no errors', (format, content) => {
    expect(parseRecommendations(format, content)).toEqual({ rows: [], errors: [] });
  });
});

describe('parseRecommendations: limits and characters that cannot be saved', () => {
  const csv = (...rows: string[]) => ['number,recommendation,addressed to', ...rows].join('\n');

  test('a number, text or agency name at its limit is read; one character more is an error on its line', () => {
    const [number, text, agency] = ['1'.repeat(LIMITS.number), 'a'.repeat(LIMITS.text), 'B'.repeat(LIMITS.agency)];
    expect(parseRecommendations('csv', csv(`${number},${text},${agency}`))).toEqual({
      rows: [{ number, text, agencies: [agency], line: 2 }],
      errors: [],
    });
    expect(
      parseRecommendations('csv', csv(`1${number},Do this.,Police`, `2,a${text},Police`, `3,Do this.,B${agency}`)),
    ).toEqual({
      rows: [],
      errors: [
        { line: 2, message: `The recommendation number "1${number}" is longer than 50 characters` },
        { line: 3, message: 'The text of recommendation 2 is 5001 characters long: at most 5000 are allowed' },
        {
          line: 4,
          message: `The agency name "${'B'.repeat(57)}..." (recommendation 3) is 201 characters long: at most 200 are allowed`,
        },
      ],
    });
  });

  test('in the text layout and in a table, the line of the recommendation is named', () => {
    const long = 'B'.repeat(LIMITS.agency + 1);
    expect(parseRecommendations('text', `# Recommendation Addressed to\n1 Do this. Police | ${long}`).errors).toEqual([
      { line: 2, message: expect.stringMatching(/^The agency name "B+\.\.\." \(recommendation 1\) is 201 characters/) },
    ]);
    const table = ['| # | Recommendation | Addressed to |', '|---|---|---|', `| 1 | ${'a'.repeat(5001)} | Police |`];
    expect(parseRecommendations('text', table.join('\n')).errors).toEqual([
      { line: 3, message: 'The text of recommendation 1 is 5001 characters long: at most 5000 are allowed' },
    ]);
  });

  test('at most 50 agencies to a recommendation, counted after merging repeated rows', () => {
    const rows = Array.from({ length: 51 }, (_, i) => `| 1 | Do this. | Agency ${i} |`);
    const table = ['| # | Recommendation | Addressed to |', '|---|---|---|'];
    expect(parseRecommendations('text', [...table, ...rows.slice(0, 50)].join('\n')).errors).toEqual([]);
    expect(parseRecommendations('text', [...table, ...rows].join('\n')).errors).toEqual([
      { line: 3, message: 'Recommendation 1 is addressed to 51 agencies: at most 50 are allowed' },
    ]);
  });

  test.each([
    ['NUL', '\u0000', 'a control character (U+0000), which cannot be saved: remove it'],
    ['a bell', '\u0007', 'a control character (U+0007), which cannot be saved: remove it'],
    ['DEL', '\u007f', 'a control character (U+007F), which cannot be saved: remove it'],
    [
      'half of an emoji',
      '\uD83D',
      'a broken character (U+D83D, half of an emoji or of another character): retype or remove it',
    ],
    [
      'the other half',
      '\uDC4D',
      'a broken character (U+DC4D, half of an emoji or of another character): retype or remove it',
    ],
  ])('%s is an error on its line, in any layout, even in page text', (_name, ch, problem) => {
    const message = `The line holds ${problem}`;
    expect(parseRecommendations('csv', csv('1,Do this.,Police', `2,Do that.,Council${ch}`))).toEqual({
      rows: [],
      errors: [{ line: 3, message }],
    });
    expect(parseRecommendations('text', `Page text${ch}\n# Recommendation Addressed to\n1 Do this. Police`)).toEqual({
      rows: [],
      errors: [{ line: 1, message }],
    });
  });

  test('whole emoji, tabs, vertical tabs and form feeds (a page break copied from a PDF) are whitespace or text', () => {
    expect(parseRecommendations('csv', csv('1,"Do 👍\tthis\u000b\f now.",Police'))).toEqual({
      rows: [{ number: '1', text: 'Do 👍 this now.', agencies: ['Police'], line: 2 }],
      errors: [],
    });
  });
});

/**
 * The parser's work, counted without a clock: the characters that string methods (and regular
 * expressions' test) are handed while it runs. A search counts what it scans, a slice what it
 * copies, anything else the whole string. Past `budget` characters it throws, so a parser that
 * goes over the input again for each line fails at once instead of running for minutes.
 */
function work(run: () => unknown, budget: number): number {
  let total = 0;
  const charge = (n: number) => {
    total += n;
    if (total > budget) throw new Error(`the parser did more than ${budget} characters of work`);
  };
  const strings = String.prototype as unknown as Record<string, (...args: unknown[]) => unknown>;
  const saved = new Map<string, (...args: unknown[]) => unknown>();
  const wrap = (name: string, cost: (s: string, args: unknown[], result: unknown) => number) => {
    const original = strings[name]!;
    saved.set(name, original);
    strings[name] = function (this: string, ...args: unknown[]) {
      const result = original.apply(this, args);
      charge(cost(String(this), args, result));
      return result;
    };
  };
  const whole = (s: string) => s.length;
  for (const name of [
    'toLowerCase',
    'toUpperCase',
    'split',
    'endsWith',
    'startsWith',
    'includes',
    'trim',
    'trimStart',
    'trimEnd',
    'replace',
    'replaceAll',
    'match',
    'matchAll',
    'search',
    'normalize',
    'padStart',
    'padEnd',
    'localeCompare',
    'concat',
    'repeat',
    'at',
    'charAt',
    'codePointAt',
  ])
    wrap(name, whole);
  wrap('slice', (_s, _a, result) => String(result).length);
  wrap('substring', (_s, _a, result) => String(result).length);
  wrap('indexOf', (s, args, result) => {
    const from = Math.max(0, Number(args[1] ?? 0));
    return ((result as number) < 0 ? s.length : (result as number)) - from + 1;
  });
  wrap('lastIndexOf', (s, args, result) => {
    const from = args[1] === undefined ? s.length : Math.min(s.length, Number(args[1]) + 1);
    return from - Math.max(0, result as number) + 1;
  });
  const test = RegExp.prototype.test;
  RegExp.prototype.test = function (this: RegExp, input: string) {
    charge(String(input).length);
    return test.call(this, input);
  };
  try {
    run();
  } finally {
    for (const [name, original] of saved) strings[name] = original;
    RegExp.prototype.test = test;
  }
  return total;
}

describe('parseRecommendations: work grows in step with the input', () => {
  /** Lists built to be expensive; each line is short, so lines and characters grow together. */
  const HOSTILE: [string, 'text' | 'csv', (n: number) => string][] = [
    // The finding: each line names another body, which every later line was checked against.
    [
      'a line per agency after one recommendation',
      'text',
      (n) => ['1 Do this', ...Array.from({ length: n }, (_, i) => `word | Name${i}`)].join('\n'),
    ],
    // A wrapped recommendation was rebuilt and split again at every line.
    [
      'one recommendation wrapped over every line',
      'text',
      (n) => ['1 Do this', ...Array.from({ length: n }, () => 'and then report back')].join('\n'),
    ],
    [
      'many recommendations, each ending in a known body',
      'text',
      (n) => Array.from({ length: n }, (_, i) => `${i + 1} Do this. Metropolitan Police Service`).join('\n'),
    ],
    // Repeated rows of one number were merged by going over every agency so far.
    [
      'a table repeating one recommendation for each agency',
      'text',
      (n) =>
        [
          '| # | Recommendation | Addressed to |',
          '|---|---|---|',
          ...Array.from({ length: n }, (_, i) => `| 1 | Do this. | Agency ${i} |`),
        ].join('\n'),
    ],
    // Each quote in an unquoted field trimmed the field so far again.
    ['a CSV field of quotes', 'csv', (n) => `number,recommendation,addressed to\n1,a${'"'.repeat(16 * n)},Police`],
    [
      'a CSV row per recommendation',
      'csv',
      (n) =>
        [
          'number,recommendation,addressed to',
          ...Array.from({ length: n }, (_, i) => `${i},"Do this, then that",Police | Council`),
        ].join('\n'),
    ],
  ];
  /** Characters of work per character of input, which a linear parser keeps under a constant. */
  const PER_CHARACTER = 60;

  test.each(HOSTILE)('%s: about the same work per character for 1,000 and 8,000 lines', (_name, format, list) => {
    const small = list(1000);
    const large = list(8000);
    const perCharacter = (content: string) =>
      work(() => parseRecommendations(format, content), PER_CHARACTER * content.length) / content.length;
    const [a, b] = [perCharacter(small), perCharacter(large)];
    expect(a).toBeLessThan(PER_CHARACTER);
    expect(b).toBeLessThan(PER_CHARACTER);
    // Eight times the lines is (within a quarter) eight times the work, not 64 or 512 times.
    expect(b / a).toBeLessThan(1.25);
  });

  test('the reported list (39 KB of "word | NameN" lines) is read, and refused for its 2,600 agencies', () => {
    const content = HOSTILE[0]![2](2600);
    let result: ReturnType<typeof parseRecommendations> | undefined;
    work(() => (result = parseRecommendations('text', content)), PER_CHARACTER * content.length);
    expect(result!.errors).toEqual([
      { line: 1, message: 'Recommendation 1 is addressed to 2600 agencies: at most 50 are allowed' },
    ]);
  });
});
