import { PDFParse } from 'pdf-parse';
import { REVIEW_KINDS } from '../../src/letters/reviewKinds';
import { areaLabels, type AreaItem } from '../../src/letters/areas';
import { shippedBody, templateKind, type LetterKind } from '../../src/letters/catalogue';
import { addressingFor, defaultSalutation, makeDraft, renderLetter, type LetterFacts } from '../../src/letters/compose';
import { longDate } from '../../src/core/dates';
import { renderTemplate, trusted } from '../../src/letters/engine';
import { letterPdf } from '../../src/letters/pdf';
import { DEFAULT_SETTINGS, type Settings } from '../../src/services/settings';
import {
  KENT_CONTACT,
  KENT_SETTINGS,
  KENT_TEMPLATE,
  kentCommendations,
  kentSeedText,
  normalise,
} from '../helpers/kentHouse';
import { kentAreas } from '../helpers/seeds';

const KENT_CSP = { name: 'Kent CSP', addressLines: ['Kent County Council', 'Maidstone'] };
const KENT_FACTS: LetterFacts = {
  kind: 'publish_after_changes',
  reference: 'DHR-2019-0042',
  pseudonym: 'Mary',
  cspName: 'Kent CSP',
  pccName: 'Police and Crime Commissioner for Kent',
  dhrMailbox: KENT_SETTINGS.dhrMailbox,
  ...REVIEW_KINDS.dhr,
  meetingDate: '2019-11-20',
  round: 1,
};
const KENT_AREAS: AreaItem[] = kentAreas().map((text) => ({ heading: null, text, points: [] }));
const houseSettings: Settings = { ...DEFAULT_SETTINGS, ...KENT_SETTINGS };

/** A letter drafted from a template body and rendered as it would be sent on `today`. */
function letter(
  body: string,
  options: { facts?: Partial<LetterFacts>; settings?: Settings; areas?: typeof KENT_AREAS; date?: string | null } = {},
) {
  const settings = options.settings ?? houseSettings;
  const draft = makeDraft(
    { kind: 'publish_after_changes', version: 1, body },
    { ...KENT_FACTS, ...options.facts },
    addressingFor(KENT_CSP, KENT_CONTACT, settings),
    options.date === undefined ? '2020-01-22' : options.date,
  );
  return renderLetter(draft, {
    today: '2026-11-30',
    commendations: kentCommendations(),
    areas: options.areas ?? KENT_AREAS,
  });
}

const shipped = (kind: LetterKind) => shippedBody(templateKind(kind)!);

const pdfText = async (pdf: Buffer) => {
  const parser = new PDFParse({ data: pdf });
  try {
    const result = await parser.getText();
    return { text: normalise(result.text), pages: result.total };
  } finally {
    await parser.destroy();
  }
};

describe('the Kent seed letter, in its own house style', () => {
  const { html, text } = letter(KENT_TEMPLATE);

  it('reads the twelve areas from the seed', () => {
    expect(kentAreas()).toHaveLength(12);
    expect(kentAreas()[3]).toMatch(/perpetrator on his release\. In particular/);
  });

  it('is word for word the seed letter, from the letterhead to the signature', () => {
    expect(normalise(text)).toBe(kentSeedText());
  });

  it('lists the areas as bullets, addresses Shafick without the CSP name, and underlines the mailbox', () => {
    expect(html.match(/<li>/g)).toHaveLength(12);
    expect(html).toMatch(/<ul class="areas">/);
    expect(html).toContain(
      '<address class="addressee"><p>Shafick Peerbux<br>Head of Community Safety<br>Public Protection Service',
    );
    expect(html).not.toContain('Kent CSP<br>');
    expect(html).toContain('<u>DHREnquiries@homeoffice.gov.uk</u>');
  });

  it('builds an A4, paginated PDF whose text holds every area', async () => {
    const pdf = await letterPdf(html, { title: 'DHR-2019-0042 (Mary) QA Panel feedback', date: '2020-01-22' });
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(pdf.toString('latin1')).toMatch(/\/MediaBox \[0 0 595\.28 841\.89\]/);
    const { text: extracted, pages } = await pdfText(pdf);
    expect(pages).toBeGreaterThanOrEqual(2);
    expect(extracted).toContain(`Page 1 of ${pages}`);
    expect(extracted.startsWith('Public Protection Unit')).toBe(true);
    // An area may run over a page break, where the page's footer comes between its words.
    const body = normalise(
      extracted.replace(/DHR-2019-0042 \(Mary\) QA Panel feedback · [^·]+ · Page \d+ of \d+( -- \d+ of \d+ --)?/g, ''),
    );
    for (const area of kentAreas()) expect(body).toContain(normalise(area));
    expect(body).toContain('Hannah Buckley');
  });
});

describe('house style', () => {
  it('numbers areas 1, 2a, 2b by default, with points as bullets under their lead-in', () => {
    const areas = [
      { heading: null, text: 'Clarify the role of the IOPC.', points: [] },
      { heading: null, text: 'The QA panel felt:', points: ['the chronology is thin', 'the IMRs are not used'] },
      { heading: 'Structure', text: 'Add an equality section.', points: [] },
      { heading: 'Structure', text: 'Follow the model layout.', points: [] },
    ];
    expect(areaLabels(areas)).toEqual(['1', '2', '3a', '3b']);
    const { html, text } = letter(shipped('publish_after_changes'), { settings: DEFAULT_SETTINGS, areas });
    expect(html).toContain(
      '<li>The QA panel felt:<ul><li>the chronology is thin</li><li>the IMRs are not used</li></ul></li>',
    );
    expect(html).toMatch(/<li><strong>Structure<\/strong><ol type="a"><li>Add an equality section\.<\/li>/);
    expect(normalise(text)).toMatch(
      /1\. Clarify the role of the IOPC\. 2\. The QA panel felt: • the chronology is thin • the IMRs are not used 3\. Structure a\. Add an equality section\. b\. Follow the model layout\./,
    );
  });

  it('keeps line breaks inside an area in the HTML and the text', () => {
    const areas = [{ heading: null, text: 'First line.\nSecond line.', points: ['a point\nover two lines'] }];
    const { html, text } = letter(KENT_TEMPLATE, { areas });
    expect(html).toContain('<li>First line.<br>Second line.<ul><li>a point<br>over two lines</li></ul></li>');
    expect(text).toMatch(/First line\.\n\s*Second line\./);
  });

  it('keeps headings as written in the plain text, not in capitals', () => {
    const { text } = letter(`${KENT_TEMPLATE}<h2>Nächste Schritte</h2>\n<h3>Straße und Gesundheit</h3>`);
    expect(text).toContain('Nächste Schritte');
    expect(text).toContain('Straße und Gesundheit');
  });

  it('writes dates as "6 September 2023" or "6th September 2023"', () => {
    expect(longDate('2023-09-06')).toBe('6 September 2023');
    expect(
      ['2023-09-01', '2023-09-02', '2023-09-03', '2023-09-11', '2023-09-12', '2023-09-13', '2023-09-22'].map((d) =>
        longDate(d, 'ordinal'),
      ),
    ).toEqual([
      '1st September 2023',
      '2nd September 2023',
      '3rd September 2023',
      '11th September 2023',
      '12th September 2023',
      '13th September 2023',
      '22nd September 2023',
    ]);
    const { text } = letter(KENT_TEMPLATE, { settings: { ...houseSettings, dateStyle: 'ordinal' } });
    expect(text).toContain('22nd January 2020');
    expect(text).toContain('on 20th November 2019');
  });

  it("puts the CSP's name in the address when the house style says so, and dates the letter the day it is sent", () => {
    const { text } = letter(KENT_TEMPLATE, { settings: { ...houseSettings, addressIncludesCsp: true }, date: null });
    expect(normalise(text)).toContain('Shafick Peerbux Head of Community Safety Kent CSP Public Protection Service');
    expect(text).toContain('30 November 2026');
  });
});

describe('the shipped templates', () => {
  it('give each outcome its own sentence and list title', () => {
    const [publish, after, resubmit] = (['publish', 'publish_after_changes', 'resubmit'] as const).map((kind) =>
      normalise(letter(shipped(kind), { facts: { kind }, areas: kind === 'publish' ? [] : KENT_AREAS }).text),
    );
    expect(publish).toContain('content for the report to be published as it stands');
    expect(publish).not.toContain('Areas for');
    expect(after).toContain('Areas for final development');
    expect(resubmit).toContain('Areas for revision');
    expect(new Set([publish, after, resubmit]).size).toBe(3);
  });

  it('write the other letters: acknowledgement, reminders, confirmation', () => {
    const other = (kind: LetterKind, facts: Partial<LetterFacts>, outstanding = []) => {
      const draft = makeDraft(
        { kind, version: 1, body: shipped(kind) },
        { ...KENT_FACTS, kind, ...facts },
        addressingFor(KENT_CSP, KENT_CONTACT, DEFAULT_SETTINGS),
      );
      return normalise(renderLetter(draft, { today: '2020-01-22', outstanding }).text);
    };
    expect(other('acknowledgement', { submittedOn: '2019-09-01' })).toContain(
      'to the Home Office on 1 September 2019. Its reference is DHR-2019-0042',
    );
    const draft = makeDraft(
      { kind: 'revision_reminder', version: 1, body: shipped('revision_reminder') },
      { ...KENT_FACTS, kind: 'revision_reminder', letterSentOn: '2020-01-22', outstandingCount: 1 },
      addressingFor(KENT_CSP, KENT_CONTACT, DEFAULT_SETTINGS),
    );
    const reminder = normalise(
      renderLetter(draft, {
        today: '2020-03-01',
        outstanding: [
          { heading: 'Structure', text: 'Add an equality section.', points: [], note: 'Not yet in the report' },
        ],
      }).text,
    );
    expect(reminder).toContain('The following item is still to be addressed');
    expect(reminder).toContain('Structure: Add an equality section. Returned: Not yet in the report');
    expect(other('publication_reminder', { approvedOn: '2020-03-01' })).toContain(
      'On 1 March 2020 the Home Office confirmed',
    );
    expect(other('publication_confirmation', { publishedOn: '2020-04-01', url: 'https://kent.example/dhr' })).toContain(
      'was published on 1 April 2020 at https://kent.example/dhr',
    );
  });
});

describe('safety of what people typed', () => {
  it('escapes markup in areas, commendations, the addressee and the salutation: a script is text', () => {
    const evil = '<script>alert("x")</script>';
    const draft = makeDraft(
      { kind: 'publish_after_changes', version: 1, body: KENT_TEMPLATE },
      { ...KENT_FACTS, pseudonym: evil },
      addressingFor(
        { name: evil, addressLines: [evil] },
        { name: evil, email: 'x@y.z', jobTitle: evil },
        houseSettings,
      ),
    );
    const { html, text } = renderLetter(draft, {
      today: '2020-01-22',
      commendations: evil,
      areas: [{ heading: `<b>${evil}</b>`, text: evil, points: [evil] }],
    });
    expect(html).not.toMatch(/<script|<b>/);
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(text).toContain(evil);
    const email = renderTemplate(shippedBody(templateKind('outcome_letter.html')!), 'html', {
      reference: '<r>',
      pseudonym: evil,
      cspName: 'Kent',
      pccName: 'PCC',
      letter: trusted(html),
      subject: '',
      ...REVIEW_KINDS.dhr,
    });
    expect(email).not.toMatch(/<script/);
    expect(email).toContain('&lt;script&gt;');
  });

  it('fails loudly when a placeholder is missing from what a template is given', () => {
    expect(() =>
      renderTemplate(shippedBody(templateKind('outcome_letter.subject')!), 'subject', {
        reference: 'DHR-1',
        ...REVIEW_KINDS.dhr,
      }),
    ).toThrow(/pseudonym/);
  });
});

describe('small parts', () => {
  it('greets by first name, or by title and surname', () => {
    expect(defaultSalutation('Shafick Peerbux')).toBe('Dear Shafick');
    expect(defaultSalutation('Dr Helen Marsh')).toBe('Dear Dr Marsh');
    expect(defaultSalutation('Ms. Jo Adeyemi')).toBe('Dear Ms. Adeyemi');
  });
});
