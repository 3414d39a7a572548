import { PDFParse } from 'pdf-parse';
import { describeCharacters, letterPdf, unprintableCharacters } from '../../src/letters/pdf';

/**
 * The letter PDF read back with pdf-parse, as a reader copying text out of it would: characters
 * outside Windows Latin-1 must come back as written, in reading order.
 */

const META = { title: 'DHR-2026-0042 (Mary) QA Panel feedback', date: '2026-11-22' };

const SAMPLES = {
  Welsh: "Mae'r Panel yn diolch i Ŵyn a Gŷr am yr adroddiad: ŵ ŷ Ŵ Ŷ â ê î ô û",
  Polish: 'Zażółć gęślą jaźń, Łódź, Łukasz',
  Greek: 'Η αναφορά εξετάστηκε από την Επιτροπή',
  Cyrillic: 'Доклад был рассмотрен комиссией; Україна, ґ є ї',
};

const squash = (s: string) => s.replace(/\s+/g, ' ').trim();

/** The text with whitespace collapsed, the text as extracted, and the document's title. */
async function read(pdf: Buffer): Promise<{ text: string; raw: string; title: unknown }> {
  const parser = new PDFParse({ data: new Uint8Array(pdf) });
  try {
    // One request at a time: pdf-parse cannot load the same document twice at once.
    const { text } = await parser.getText();
    const { info } = await parser.getInfo();
    return { text: squash(text), raw: text, title: info?.Title };
  } finally {
    await parser.destroy();
  }
}

const textOf = async (html: string) => (await read(await letterPdf(html, META))).text;

/** Each part appears in `text`, each after the one before it. */
function expectInOrder(text: string, parts: string[]) {
  let at = 0;
  for (const part of parts) {
    const found = text.indexOf(part, at);
    expect({ part, found: found >= 0 }).toEqual({ part, found: true });
    at = found + part.length;
  }
}

describe('letterPdf prints text beyond Windows Latin-1', () => {
  it.each(Object.entries(SAMPLES))(
    'extracts %s unchanged from a paragraph, a bold heading and a nested list item',
    async (_, sample) => {
      const text = await textOf(`<article class="letter">
      <h2>${sample}</h2>
      <p>${sample}</p>
      <ol class="areas"><li>Lead-in<ul><li>${sample}</li></ul></li></ol>
    </article>`);
      expect(text.split(sample)).toHaveLength(4);
    },
  );

  it('takes a character its face lacks from another face', async () => {
    // Mathematical bold letters (pasted "fancy text") are only in the bold face, and the
    // Arabic question mark is not in the oblique one.
    const text = await textOf('<p>Fancy 𝗕𝗼𝗹𝗱 text, <em>asked ؟ here</em></p>');
    expect(text).toContain('Fancy 𝗕𝗼𝗹𝗱 text, asked ؟ here');
  });

  it('composes a combining accent with its letter, leaving the next word intact', async () => {
    const text = await textOf('<h2>Cafe\u0301 next</h2><p>Cafe\u0301 next</p>');
    expect(text).toContain('Café next Café next');
    expect(text).not.toContain('\u0301');
  });

  it('prints a non-Latin title in the footer and the document information', async () => {
    const title = `DHR-2026-0042 (Łucja) ${SAMPLES.Greek}`;
    const { text, title: infoTitle } = await read(await letterPdf('<p>Body</p>', { ...META, title }));
    expect(text).toContain(`${title} · 22 November 2026 · Page 1 of 1`);
    expect(infoTitle).toBe(title);
  });

  it('gives the same bytes for the same letter, whatever letters came before it', async () => {
    // Each copy of the module has its own parsed fonts, as a new process would.
    const fresh = () => {
      let make!: typeof letterPdf;
      jest.isolateModules(() => {
        make = jest.requireActual<typeof import('../../src/letters/pdf')>('../../src/letters/pdf').letterPdf;
      });
      return make;
    };
    const [busy, idle] = [fresh(), fresh()];
    // Letters that leave glyphs in fontkit's cache with the wrong characters: "u" met only
    // inside "û", and the "fi" ligature met as the single character U+FB01.
    await busy('<p>Gŵyl û</p>', META);
    await busy('<p>The \ufb01le.</p>', META);
    const letter = '<p>Łukasz filed the file.</p>';
    const pdf = await busy(letter, META);
    expect((await read(pdf)).text).toContain('Łukasz filed the file.');
    expect(pdf.equals(await idle(letter, META))).toBe(true);
  });
});

describe('letterPdf lays out the letter vocabulary', () => {
  it('sets the letterhead lines alone when there is no organisation paragraph', async () => {
    const text = await textOf(`<article class="letter">
      <header class="letterhead"><p>Public Protection Unit<br>2 Marsham Street<br>London</p></header>
      <address class="addressee"><p>Sam Okafor<br>Kent County Council</p></address>
      <p class="date">22 November 2026</p>
    </article>`);
    expect(text.startsWith('Public Protection Unit 2 Marsham Street London Sam Okafor Kent County Council')).toBe(true);
    expect(text).toContain('22 November 2026');
  });

  it('sets the organisation before the letterhead lines when there is one', async () => {
    const text = await textOf(`<header class="letterhead">
      <p class="letterhead-org">Home Office</p><p>2 Marsham Street<br>London</p>
    </header><p>Dear Sam</p>`);
    expectInOrder(text, ['Home Office', '2 Marsham Street', 'London', 'Dear Sam']);
  });

  it('sets a right-aligned letterhead line of several styles as one run of text', async () => {
    const pdf = await letterPdf(
      '<header class="letterhead"><p>Public <strong>Protection</strong> Unit<br>London</p></header>',
      META,
    );
    // pdf-parse puts a tab between pieces of a line that do not meet, as overlapping ones would.
    expect((await read(pdf)).raw).toContain('Public Protection Unit\nLondon');
  });

  it('keeps underlined, bold, italic and linked words in the flow of their sentence', async () => {
    const text = await textOf(
      '<p>Please <u>read this</u>, <strong>all</strong> of <em>it</em>, at <a href="https://example.org">the link</a>.</p>',
    );
    expect(text).toContain('Please read this, all of it, at the link.');
  });

  it('numbers nested lists, with an area lead-in before its points and any note after them', async () => {
    const text = await textOf(`<h3>Areas</h3>
      <ol class="areas">
        <li><strong>Chronology</strong> lead-in<br>second line
          <ul>
            <li>point one<ol type="a"><li>deep one</li><li>deep two</li></ol></li>
            <li>point two</li>
          </ul>
        </li>
        <li>Next area</li>
        <li><strong>Returned</strong>: an area<ul><li>its point</li></ul><br>Returned: a note after the points</li>
      </ol>
      <ul class="areas"><li>A bullet</li></ul>`);
    expectInOrder(text, [
      'Areas',
      '1. Chronology lead-in second line',
      '• point one',
      'a. deep one',
      'b. deep two',
      '• point two',
      '2. Next area',
      '3. Returned: an area',
      '• its point',
      'Returned: a note after the points',
      '• A bullet',
    ]);
  });

  it('decodes named and numeric entities', async () => {
    const text = await textOf('<p>AT&amp;T &lt;b&gt; &#x27;one&#39; &quot;two&quot; it&#8217;s a&nbsp;b &eacute;</p>');
    expect(text).toContain(`AT&T <b> 'one' "two" it’s a b é`);
  });
});

describe('unprintableCharacters', () => {
  it('reports characters in neither the regular nor the bold font, once each, in order of appearance', () => {
    expect(unprintableCharacters('Lift off 🚀 中文 🚀 𝄞 中')).toEqual(['🚀', '中', '文', '𝄞']);
  });

  it('reports nothing for the sample languages or English typography', () => {
    for (const sample of Object.values(SAMPLES)) expect(unprintableCharacters(sample)).toEqual([]);
    expect(unprintableCharacters('“Quoted” ‘text’ – en — em £5 €10 ½ © it’s\n\tok')).toEqual([]);
  });

  it('reads text as NFC and ignores whitespace, even whitespace the fonts lack', () => {
    expect(unprintableCharacters('Cafe\u0301 a\u3000b\r\n')).toEqual([]);
  });

  it('counts the emoticons DejaVu Sans draws as printable', () => {
    expect(unprintableCharacters('😀')).toEqual([]);
  });

  it('names characters for a message', () => {
    expect(describeCharacters(['🚀', '𝄞', '中'])).toBe('"🚀" (U+1F680), "𝄞" (U+1D11E), "中" (U+4E2D)');
  });
});
