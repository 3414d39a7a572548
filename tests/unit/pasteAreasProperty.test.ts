import fc from 'fast-check';
import { splitAreas } from '../../src/web/pasteAreas';

/**
 * Properties of splitting pasted lists: whatever is pasted, splitting does not throw, no
 * area, point or heading is empty, and no text is dropped silently. Every pasted line ends
 * up in an area (its heading, text or a point) or in `unused`.
 *
 * The seed is fixed so a failure reproduces; FC_SEED=<n> tries another.
 */
const OPTIONS = { seed: Number(process.env.FC_SEED ?? 20261122), numRuns: 300 };

/** The line breaks splitAreas knows, form feeds included. */
const LINE_BREAK = /\r\n?|[\n\v\f\u2028\u2029]/;
const collapse = (text: string) => text.trim().replace(/\s+/g, ' ');
/** Any marker splitAreas might drop ("12." "(iv)" "•" "o" ...), and some it keeps. */
const MARKER = /^(?:\(\w{1,6}\)|\w{1,6}[.)]|[•·●‣\uf0b7◦○▪]|[-*–—o](?=\s|$))\s*/u;
/** A heading loses its trailing colon. */
const withoutColon = (text: string) => text.replace(/\s*:$/, '');

/** Pasted lines found in no area and no unused entry. */
function dropped(pasted: string): string[] {
  const { areas, unused } = splitAreas(pasted);
  const kept = [...areas.flatMap((a) => [a.heading ?? '', a.text, ...a.points]), ...unused.map((u) => u.text)].map(
    collapse,
  );
  return pasted
    .split(LINE_BREAK)
    .map(collapse)
    .filter(Boolean)
    .filter((line) => {
      // A line that was only a marker leaves nothing to find.
      const candidates = [line, line.replace(MARKER, '')].map(withoutColon);
      return !candidates.some((c) => !c || kept.some((k) => k.includes(c)));
    });
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

const line = fc.oneof(
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
});
