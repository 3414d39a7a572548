import { seed } from './seeds';

/**
 * The Kent seed letter's house style, as a secretariat would set it up in the service:
 * its wording typed into the "publish after changes" template, its letterhead and
 * signatory in the settings, bulleted areas, and Kent's contact as the letter addresses
 * him. The shipped templates are the service's own words; these are the Home Office's.
 */
export const KENT_TEMPLATE = `{{> letterhead}}
{{> address}}
{{> date}}
{{> salutation}}
<p>Thank you for submitting the Domestic Homicide Review (DHR) report ({{pseudonym}}) for {{cspName}} to the Home Office. The report was assessed by the Quality Assurance Panel (QA) on {{meetingDate}}.</p>
{{> commendations}}
<p class="outcome">The QA Panel felt that there are some aspects of the report which may benefit from revision but the Home Office is content that, on completion of these changes, the DHR may be published.</p>
<h2>Areas of final development include:</h2>
{{> areas}}
<p>Once completed the Home Office would be grateful if you could provide us with a digital copy of the revised final version of the report with all finalised attachments and appendices and the weblink to the site where the report, will be published.</p>
<p>Please send the digital copy and weblink to <u>{{dhrMailbox}}</u>. This is for our own records for future analysis to go towards highlighting best practice and to inform public policy.</p>
<p>The Home Office felt it would be helpful to routinely sight Police and Crime Commissioners (PCCs) on DHRs in their local area. Due to this, the Home Office will copy this letter to your local PCC for information.</p>
<p>On behalf of the QA Panel, I would like to thank you, the report chair and author, and other colleagues, for the considerable work that you have put into this review.</p>
<p class="signoff">Yours sincerely</p>
{{> signature}}
`;

export const KENT_SETTINGS = {
  signatoryName: 'Hannah Buckley',
  signatoryTitle: 'Joint Chair of the Home Office DHR Quality Assurance Panel',
  letterheadTitle: '',
  homeOfficeAddress: [
    'Public Protection Unit',
    '2 Marsham Street',
    'London',
    'SW1P 4DF',
    'T: 020 7035 4848',
    'www.gov.uk/homeoffice',
  ],
  dhrMailbox: 'DHREnquiries@homeoffice.gov.uk',
  areaStyle: 'bulleted' as const,
  dateStyle: 'plain' as const,
  addressIncludesCsp: false,
};

export const KENT_CONTACT = {
  name: 'Shafick Peerbux',
  email: 'shafick.peerbux@kent.example',
  jobTitle: 'Head of Community Safety',
  addressLines: ['Public Protection Service', 'Kent County Council', 'First Floor Invicta House', 'Maidstone ME14 1XX'],
};

/** What the panel commended, as the secretary types it into the outcome: the seed's own paragraph. */
export function kentCommendations(): string {
  const letter = seed('kent-qa-panel-feedback-letter-2020.txt');
  return letter.slice(letter.indexOf('The QA Panel noted'), letter.indexOf('The QA Panel felt')).trim();
}

/** The areas section of the seed letter as a secretary would paste it, page break and all. */
export function kentPastedAreas(): string {
  const letter = seed('kent-qa-panel-feedback-letter-2020.txt');
  return letter.slice(letter.indexOf('Areas of final development include:'), letter.indexOf('Once completed'));
}

/**
 * The seed letter's text from the letterhead to the signature, whitespace collapsed.
 * The seed is a text extraction that marks headings with "## ", bullets with "- " and
 * the underlined address with <u>; those marks are the extraction's, not the letter's.
 */
export function kentSeedText(): string {
  const letter = seed('kent-qa-panel-feedback-letter-2020.txt');
  return normalise(
    letter
      .slice(letter.indexOf('Public Protection Unit'))
      .replace(/^## /gm, '')
      .replace(/<\/?u>/g, '')
      .replace(/^- /gm, '• '),
  );
}

export const normalise = (text: string) => text.replace(/\s+/g, ' ').trim();
