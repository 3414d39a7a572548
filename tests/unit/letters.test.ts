import { PDFParse } from 'pdf-parse';
import { defaultSalutation, groupAreas, renderLetter, type LetterData } from '../../src/letters/compose';
import { letterPdf } from '../../src/letters/pdf';
import { emailTemplates, longDate, trusted } from '../../src/letters/templates';
import { DEFAULT_SETTINGS } from '../../src/services/settings';
import { kentAreas } from '../helpers/seeds';

/** The Kent case from the real letter: Kent CSP, "Mary", panel meeting of 20 November 2019, 12 areas. */
function kent(overrides: Partial<LetterData> = {}): LetterData {
  return {
    kind: 'publish_after_changes',
    date: '2020-01-22',
    settings: {
      ...DEFAULT_SETTINGS,
      signatoryName: 'Hannah Buckley',
      signatoryTitle: 'Joint Chair of the Home Office DHR Quality Assurance Panel',
      dhrMailbox: 'DHREnquiries@homeoffice.gov.uk',
    },
    reference: 'DHR-2019-0042',
    pseudonym: 'Mary',
    csp: {
      name: 'Kent CSP',
      addressLines: [
        'Public Protection Service',
        'Kent County Council',
        'First Floor Invicta House',
        'Maidstone',
        'ME14 1XX',
      ],
      contact: { name: 'Shafick Peerbux', email: 'shafick@kent.example' },
    },
    pccName: 'Police and Crime Commissioner for Kent',
    fields: {
      salutation: 'Dear Shafick',
      commendations:
        'The QA Panel noted that this is a well-written and clearly structured report.\n\nThe Panel particularly commended how the report conveys compassion and respect.',
      extraParagraph: '',
    },
    meetingDate: '2019-11-20',
    items: kentAreas().map((text) => ({ heading: null, text })),
    ...overrides,
  };
}

const pdfText = async (pdf: Buffer) => {
  const parser = new PDFParse({ data: pdf });
  try {
    const result = await parser.getText();
    return { text: result.text.replace(/\s+/g, ' '), pages: result.total };
  } finally {
    await parser.destroy();
  }
};
const squash = (s: string) => s.replace(/\s+/g, ' ').trim();

describe('the Kent seed letter', () => {
  const { html, text } = renderLetter(kent());

  it('reads the twelve areas from the seed', () => {
    expect(kentAreas()).toHaveLength(12);
    expect(kentAreas()[3]).toMatch(/perpetrator on his release\. In particular/);
  });

  it('has every part of a Home Office feedback letter, in order', () => {
    const parts = [
      'Home Office',
      '2 Marsham Street',
      'Shafick Peerbux',
      'Kent CSP',
      'Maidstone',
      '22 January 2020',
      'Dear Shafick',
      'Thank you for submitting the Domestic Homicide Review (DHR) report (Mary) for Kent CSP to the Home Office',
      'at its meeting on 20 November 2019',
      'well-written and clearly structured report',
      'conveys compassion and respect',
      'on completion of these changes, the DHR may be published',
      'Areas for final development',
      ...kentAreas().map((a) => a.slice(0, 60)),
      'digital copy of the revised final version of the report',
      'web link',
      'DHREnquiries@homeoffice.gov.uk',
      'copy of this letter is therefore being sent to the Police and Crime Commissioner for Kent',
      'I would like to thank you',
      'Yours sincerely',
      'Hannah Buckley',
      'Joint Chair of the Home Office DHR Quality Assurance Panel',
    ];
    const flat = squash(text);
    let at = 0;
    for (const part of parts) {
      const found = flat.indexOf(squash(part), at);
      expect({ part, found: found >= 0 }).toEqual({ part, found: true });
      at = found;
    }
  });

  it('numbers the areas as a list in the HTML', () => {
    expect(html.match(/<li>/g)).toHaveLength(12);
    expect(html).toMatch(/<ol class="areas">/);
  });

  it('builds an A4, paginated PDF with the letterhead whose text holds every area', async () => {
    const pdf = await letterPdf(html, { title: 'DHR-2019-0042 (Mary) QA Panel feedback', date: '2020-01-22' });
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    // A4 is 595.28 × 841.89 points.
    expect(pdf.toString('latin1')).toMatch(/\/MediaBox \[0 0 595\.28 841\.89\]/);
    const { text: extracted, pages } = await pdfText(pdf);
    expect(pages).toBeGreaterThanOrEqual(2);
    expect(extracted).toContain(`Page 1 of ${pages}`);
    expect(extracted.startsWith('Home Office')).toBe(true);
    for (const area of kentAreas()) expect(extracted).toContain(squash(area));
    expect(extracted).toContain('Hannah Buckley');
  });
});

describe('outcomes', () => {
  it('gives each outcome its own sentence and list title', () => {
    const publish = squash(renderLetter(kent({ kind: 'publish', items: [] })).text);
    const after = squash(renderLetter(kent()).text);
    const resubmit = squash(renderLetter(kent({ kind: 'resubmit' })).text);
    expect(publish).toContain('The Home Office is content that the report may be published.');
    expect(publish).not.toContain('Areas for');
    expect(after).toContain('on completion of these changes, the DHR may be published');
    expect(after).toContain('Areas for final development');
    expect(resubmit).toContain('asks that it be revised and resubmitted to the Panel');
    expect(resubmit).toContain('Areas for revision');
    expect(new Set([publish, after, resubmit]).size).toBe(3);
  });

  it('groups items under their heading beneath one number', () => {
    const items = [
      { heading: null, text: 'Clarify the role of the IOPC.' },
      { heading: 'Structure', text: 'Add an equality section.' },
      { heading: 'Structure', text: 'Follow the model layout.' },
      { heading: null, text: 'Remove the date of death.' },
    ];
    expect(groupAreas(items)).toEqual([
      { heading: null, text: 'Clarify the role of the IOPC.' },
      { heading: 'Structure', items: [{ text: 'Add an equality section.' }, { text: 'Follow the model layout.' }] },
      { heading: null, text: 'Remove the date of death.' },
    ]);
    const { html, text } = renderLetter(kent({ items }));
    expect(html).toMatch(
      /<li><strong>Structure<\/strong>\s*<ol type="a">\s*<li>Add an equality section\.<\/li>\s*<li>Follow the model layout\.<\/li>/,
    );
    expect(text).toMatch(
      /1\.\s+Clarify the role of the IOPC\.\s+2\.\s+Structure\s+a\.\s+Add an equality section\.\s+b\.\s+Follow the model layout\.\s+3\.\s+Remove the date of death\./,
    );
  });

  it('writes the other letters: acknowledgement, reminders, confirmation', () => {
    const ack = squash(renderLetter(kent({ kind: 'acknowledgement', submittedOn: '2019-09-01' })).text);
    expect(ack).toContain('to the Home Office on 1 September 2019. Its reference is DHR-2019-0042');
    const reminder = squash(
      renderLetter(
        kent({
          kind: 'revision_reminder',
          letterSentOn: '2020-01-22',
          items: [{ heading: 'Structure', text: 'Add an equality section.', note: 'Not yet in the report' }],
        }),
      ).text,
    );
    expect(reminder).toContain('The following item is still to be addressed');
    expect(reminder).toContain('Structure: Add an equality section. (returned: Not yet in the report)');
    const publication = squash(renderLetter(kent({ kind: 'publication_reminder', approvedOn: '2020-03-01' })).text);
    expect(publication).toContain('On 1 March 2020 the Home Office confirmed');
    const confirmation = squash(
      renderLetter(
        kent({ kind: 'publication_confirmation', publishedOn: '2020-04-01', url: 'https://kent.example/dhr' }),
      ).text,
    );
    expect(confirmation).toContain('was published on 1 April 2020 at https://kent.example/dhr');
  });
});

describe('safety of what people typed', () => {
  it('escapes markup in areas, commendations and the salutation: a script is text', () => {
    const evil = '<script>alert("x")</script>';
    const { html, text } = renderLetter(
      kent({
        items: [{ heading: `<b>${evil}</b>`, text: evil }],
        fields: { salutation: `Dear ${evil}`, commendations: evil, extraParagraph: `<img src=x onerror=alert(1)>` },
      }),
    );
    expect(html).not.toMatch(/<script|<img|<b>/);
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(text).toContain(evil);
    const email = emailTemplates.outcome_letter.html({
      reference: '<r>',
      pseudonym: evil,
      cspName: 'Kent',
      pccName: 'PCC',
      letterHtml: trusted(html),
      subject: '',
    });
    expect(email).not.toMatch(/<script/);
    expect(email).toContain('&lt;script&gt;');
  });

  it('fails loudly when a template field is missing', () => {
    expect(() => emailTemplates.outcome_letter.subject({ reference: 'DHR-1' })).toThrow(/pseudonym/);
    const broken = { ...kent(), settings: { ...DEFAULT_SETTINGS, signatoryName: undefined } } as unknown as LetterData;
    expect(() => renderLetter(broken)).toThrow('Letter field letter.signatory.name is missing');
  });
});

describe('small parts', () => {
  it('writes dates the Home Office way', () => {
    expect(longDate('2019-11-20')).toBe('20 November 2019');
    expect(longDate('2026-01-01T10:00:00Z')).toBe('1 January 2026');
  });

  it('greets by first name, or by title and surname', () => {
    expect(defaultSalutation('Shafick Peerbux')).toBe('Dear Shafick');
    expect(defaultSalutation('Dr Helen Marsh')).toBe('Dear Dr Marsh');
    expect(defaultSalutation('Ms. Jo Adeyemi')).toBe('Dear Ms. Adeyemi');
  });
});
