import fc from 'fast-check';
import { splitAreas } from '../../src/web/pasteAreas';

/**
 * Properties of splitting pasted lists: whatever is pasted, splitting does not throw, no
 * area, point or heading is empty, and no text is dropped silently. Every pasted line ends
 * up, whole, in an area (its heading, text or a point) or in `unused`, unless it starts with
 * a list marker that started an item; and every word pasted is in the result, except such
 * markers.
 *
 * The seed is fixed so a failure reproduces; FC_SEED=<n> tries another.
 */
const OPTIONS = { seed: Number(process.env.FC_SEED ?? 20261122), numRuns: 300 };

/** The line breaks splitAreas knows, form feeds included. */
const LINE_BREAK = /\r\n?|[\n\v\f\u2028\u2029]/;
const collapse = (text: string) => text.trim().replace(/\s+/g, ' ');
/** The markers splitAreas knows: numbers, numerals i to xxxix and letters, as "1." "1)" or "(1)", then a space; bullets. */
const LIST_MARK = '\\d{1,3}|(?=[ivx])x{0,3}(?:ix|iv|v?i{0,3})|[a-z]';
const MARKER = new RegExp(
  `^(?:(?:\\((?:${LIST_MARK})\\)|(?:${LIST_MARK})[.)])(?=\\s|$)|[•·●‣\\uf0b7◦○▪]|[-*–—o](?=\\s|$))`,
  'iu',
);
/** A heading loses its trailing colon. */
const withoutColon = (text: string) => text.replace(/\s*:$/, '');
/** The words of a text, a trailing colon aside; punctuation on its own is no word. */
const wordsOf = (text: string) =>
  text
    .split(/\s+/)
    .filter((w) => /[\p{L}\p{N}]/u.test(w))
    .map((w) => w.replace(/:+$/, ''));

/**
 * What splitting `pasted` dropped: lines found whole in no area and no unused entry, and
 * words missing from the result. A line may instead start with a marker that was read as
 * one: its item started an area, point or heading, so the text after the marker starts one
 * (or there is none, the marker having a line of its own). Only such a marker may be missing.
 */
function dropped(pasted: string): string[] {
  const { areas, unused } = splitAreas(pasted);
  const kept = [...areas.flatMap((a) => [a.heading ?? '', a.text, ...a.points]), ...unused.map((u) => u.text)]
    .map(collapse)
    .filter(Boolean);
  const words = new Map<string, number>();
  for (const word of kept.flatMap(wordsOf)) words.set(word, (words.get(word) ?? 0) + 1);

  const missing: string[] = [];
  for (const line of pasted.split(LINE_BREAK).map(collapse).filter(Boolean)) {
    const marker = MARKER.exec(line);
    const rest = marker ? withoutColon(line.slice(marker[0].length).trim()) : '';
    const asMarker = Boolean(marker) && (!rest || kept.some((k) => k.startsWith(rest)));
    const whole = withoutColon(line);
    if (!asMarker && !kept.some((k) => k.includes(whole))) missing.push(line);
    for (const word of wordsOf(asMarker ? rest : line)) {
      const left = words.get(word) ?? 0;
      if (left) words.set(word, left - 1);
      else missing.push(`${word} (in "${line}")`);
    }
  }
  return missing;
}

/** Empty or untrimmed areas, points, headings or unused entries. */
function blanks(pasted: string): string[] {
  const { areas, unused } = splitAreas(pasted);
  const texts = [
    ...areas.flatMap((a) => [a.heading ?? 'no heading', a.text, ...a.points]),
    ...unused.map((u) => u.text),
  ];
  return texts.filter((t) => !t || t !== t.trim());
}

const WORDS = [
  'the',
  'chronology',
  'should',
  'start',
  'in',
  '2015',
  'IMR',
  'MARAC',
  'victim’s',
  'agencies’',
  'Ŵyr',
  'ŷd',
  'Ελληνικά',
  'русский',
  'areas',
  'following',
  'official',
  'page',
  '“quoted”',
  '(note)',
  'e.g.',
  'i.e.',
  '2019.',
  'o',
  'J.',
  'A.',
  'N.',
  'Other',
  '12.',
  '4)',
  '(3)',
  '<b>bold</b>',
  '&amp;',
];

const words = (min: number, max: number) =>
  fc.array(fc.constantFrom(...WORDS), { minLength: min, maxLength: max }).map((w) => w.join(' '));
const capitalised = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
const sentence = words(1, 16).chain((w) =>
  fc.constantFrom(w, `${w}.`, `${w}:`, `${w};`, `${capitalised(w)}.`, `${capitalised(w)}`),
);
const content = fc.oneof(
  { weight: 5, arbitrary: sentence },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
);

const itemMarker = fc.oneof(
  fc.integer({ min: 1, max: 120 }).chain((n) => fc.constantFrom(`${n}.`, `${n})`, `(${n})`)),
  fc.constantFrom('a.', 'b)', '(c)', 'h.', 'i.', 'ii.', '(iv)', 'IX.'),
  fc.constantFrom('•', '-', '*', '–', '—', 'o', '▪', '◦', '·', '\uf0b7'),
);
const gap = fc.constantFrom(' ', '  ', '\t', '\u00a0');

const lineOfItsOwn = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(itemMarker, gap, content).map(([m, g, c]) => `${m}${g}${c}`) },
  { weight: 4, arbitrary: content },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.constantFrom('Structure', 'Analysis', 'Equality and diversity', 'Ŵyr a ŷd'), fc.boolean())
      .map(([h, colon]) => (colon ? `${h}:` : h)),
  },
  { weight: 2, arbitrary: words(12, 20).map((w) => `${capitalised(w)}. The QA panel felt:`) },
  { weight: 2, arbitrary: fc.constantFrom('', ' ', '\t', '\u00a0') },
  { weight: 1, arbitrary: fc.constantFrom('12', 'Page 3', 'Page 3 of 10', '- 3 -', '3 | Page', '\f') },
  {
    weight: 1,
    arbitrary: fc.constantFrom('OFFICIAL', 'official-sensitive', 'OFFICIAL - SENSITIVE', 'NOT PROTECTIVELY MARKED'),
  },
  { weight: 1, arbitrary: fc.constantFrom('1.', '•', '(a)', 'o', '12)') },
);
/** Lines that wrapped before a word that looks like a marker, as a tester found them. */
const wrapped = fc.tuple(
  fc.constantFrom(
    '1. The report says the family had',
    '1. The panel thanks the chair,',
    '1. See paragraphs',
    '1. Revise the section',
    'The report says the family had',
    '- The report says the family had',
  ),
  fc.constantFrom(
    'o contact with services.',
    'o ran',
    'J. Smith, and the author.',
    'A. N. Other, and the author.',
    '12. and 13. of the report.',
    '4) of the overview report.',
    '(3) of the Act.',
    '2019. The chronology',
    'i.e. the victim',
    'e.g. the GP',
  ),
  fc.constantFrom('', ' ', '   '),
);

const line = fc.oneof(
  { weight: 20, arbitrary: lineOfItsOwn },
  { weight: 2, arbitrary: wrapped.map(([before, after, indent]) => `${before}\n${indent}${after}`) },
);

const indent = fc.constantFrom('', '', ' ', '   ', '    ', '\t', '\u00a0\u00a0');
const lineEnd = fc.constantFrom('\n', '\n', '\r\n', '\r');

/** Pasted text: lines of every kind, indented or not, with any line endings. */
const pasted = fc
  .array(fc.tuple(indent, line, lineEnd), { maxLength: 40 })
  .map((lines) => lines.map(([i, l, e]) => `${i}${l}${e}`).join(''));

describe('splitAreas properties', () => {
  test('every pasted line ends up in an area or in unused', () => {
    fc.assert(
      fc.property(pasted, (text) => {
        expect(dropped(text)).toEqual([]);
      }),
      OPTIONS,
    );
  });

  test('arbitrary text never throws, and nothing in the result is empty', () => {
    const anything = fc.oneof(pasted, fc.string({ unit: 'binary', maxLength: 400 }));
    fc.assert(
      fc.property(anything, (text) => {
        expect(blanks(text)).toEqual([]);
        expect(dropped(text)).toEqual([]);
      }),
      OPTIONS,
    );
  });

  test('a numbered list of sentences splits into exactly its items, whatever the page breaks between lines', () => {
    // Items wrapped mid-sentence, with page numbers, markings and blank lines where the page broke.
    const plainWords = fc
      .array(fc.constantFrom('the', 'chronology', 'IMR', 'Ŵyr', 'ŷd', 'Ελληνικά', 'русский', '2015'), {
        minLength: 2,
        maxLength: 14,
      })
      .map((w) => `${capitalised(w.join(' '))}.`);
    const pageBreak = fc.constantFrom('', '\n', '\n\n12\n\nOFFICIAL\n', '\nPage 3 of 10\n', '\f');
    const item = fc.tuple(plainWords, fc.nat(), pageBreak);

    fc.assert(
      fc.property(fc.array(item, { minLength: 1, maxLength: 12 }), (items) => {
        const text = items
          .map(([sentence, at, brk], i) => {
            const words = sentence.split(' ');
            const cut = 1 + (at % (words.length - 1));
            return `${i + 1}. ${words.slice(0, cut).join(' ')}\n${brk}   ${words.slice(cut).join(' ')}`;
          })
          .join('\n');

        const { areas } = splitAreas(text);

        expect(areas).toEqual(items.map(([sentence]) => ({ heading: null, text: sentence, points: [] })));
      }),
      OPTIONS,
    );
  });

  test('a wrapped line whose first word looks like a marker carries on its item, every word in order', () => {
    // Numbered items broken mid-sentence before "o", "J. Smith", "12.", "4)", "(iv)" and the
    // like, none the next in a list: a number not 1 nor the item's nor the next, letters and
    // numerals no two in a row. The wrapped lines are indented no deeper than the item's text.
    const plainWords = (min: number) =>
      fc
        .array(fc.constantFrom('the', 'chronology', 'report', 'IMR', 'Ŵyr', 'ŷd', 'Ελληνικά', 'русский', '2015'), {
          minLength: min,
          maxLength: 8,
        })
        .map((w) => w.join(' '));
    const lowerCase = fc
      .tuple(fc.constantFrom('and', 'of', 'to', 'the', 'ŷd', 'русский'), plainWords(0))
      .map((w) => w.join(' ').trim());
    const wordLike = fc.oneof(
      fc.tuple(fc.constantFrom('o', 'c)', '(f)', 'p.', 'iv)', '(vii)', 'xii.'), lowerCase).map((w) => w.join(' ')),
      fc.constantFrom('J. Smith, and the author', 'A. N. Other, and', 'J. R. R. Tolkien', 'i.e. the GP', 'e.g. IMR'),
      fc.tuple(fc.constantFrom('2019.', '2019'), plainWords(1)).map((w) => w.join(' ')),
      fc
        .tuple(fc.integer({ min: 2, max: 120 }), fc.constantFrom('.', ')', '()'), lowerCase)
        .map(([n, mark, w]) => ({ number: n, mark, words: w })),
    );
    const item = fc.record({
      head: plainWords(1).map((w) => capitalised(w)),
      comma: fc.boolean(),
      middle: fc.option(
        plainWords(1).map((w) => w.toLowerCase()),
        { nil: undefined },
      ),
      start: wordLike,
      hanging: fc.boolean(),
    });

    fc.assert(
      fc.property(fc.array(item, { minLength: 1, maxLength: 8 }), (items) => {
        const texts = items.map(({ head, comma, middle, start }, i) => {
          let first: string;
          if (typeof start === 'string') first = start;
          else {
            // Not 1, this item's number nor the next one's.
            const n = [1, i + 1, i + 2].includes(start.number) ? i + 9 : start.number;
            first = `${start.mark === '()' ? `(${n})` : `${n}${start.mark}`} ${start.words}`;
          }
          return [`${head}${comma ? ',' : ''}`, ...(middle ? [middle] : []), `${first}.`];
        });
        const text = texts
          .map((parts, i) => {
            const indent = items[i]!.hanging ? ' '.repeat(`${i + 1}. `.length) : '';
            return [`${i + 1}. ${parts[0]}`, ...parts.slice(1).map((part) => `${indent}${part}`)].join('\n');
          })
          .join('\n');

        const result = splitAreas(text);

        expect(result.areas).toEqual(texts.map((parts) => ({ heading: null, text: parts.join(' '), points: [] })));
        expect(result.unused).toEqual([]);
        expect(dropped(text)).toEqual([]);
      }),
      OPTIONS,
    );
  });
});
