import fs from 'node:fs';
import { renderLetter, defaultSalutation } from './src/letters/compose';
import { letterPdf } from './src/letters/pdf';
import { DEFAULT_SETTINGS } from './src/services/settings';
const raw = fs.readFileSync('../shared/seeds/kent-qa-panel-feedback-letter-2020.txt', 'utf8');
const areas = raw.split('\n').filter(l => l.startsWith('- ')).map(l => ({ heading: null, text: l.slice(2) }));
areas.splice(2, 0, { heading: 'Structure', text: 'Add a <script>alert(1)</script> section.' } as any, { heading: 'Structure', text: 'Follow the model layout.' } as any);
const { html, text } = renderLetter({
  kind: 'publish_after_changes', date: '2020-01-22', settings: DEFAULT_SETTINGS, reference: 'DHR-2019-0042', pseudonym: 'Mary',
  csp: { name: 'Kent Community Safety Partnership', addressLines: ['Kent County Council', 'Invicta House', 'Maidstone', 'ME14 1XX'], contact: { name: 'Shafick Peerbux', email: 'x@y' } },
  pccName: 'Police and Crime Commissioner for Kent',
  fields: { salutation: defaultSalutation('Shafick Peerbux'), commendations: 'The QA Panel noted that this is a well-written report.\n\nThe Panel particularly commended how the report conveys compassion.', extraParagraph: '' },
  meetingDate: '2019-11-20', items: areas,
});
fs.writeFileSync('/tmp/letter.html', html); fs.writeFileSync('/tmp/letter.txt', text);
letterPdf(html, { title: 'DHR-2019-0042 Mary', date: '2020-01-22' }).then(b => { fs.writeFileSync('/tmp/letter.pdf', b); console.log('pdf', b.length); });
