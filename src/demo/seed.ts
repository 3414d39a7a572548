import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Db } from '../db/connect';
import type { User } from '../core/user';
import { hashPassword } from '../services/passwords';
import { organisationKind } from '../recommendations/kinds';
import { nameKey } from '../recommendations/service';
import type { Services } from '../services';
import { POLICE_FORCE_AREAS } from './policeForceAreas';
import { samplePdf } from './samplePdf';

/** Example PCC offices: the demo CSPs' letters are copied to these. */
const PCC_EMAILS: Record<string, string> = {
  Kent: 'office@kent-pcc.example',
  'Metropolitan Police': 'enquiries@mopac.example',
  Essex: 'office@essex-pfcc.example',
};

const CSPS = [
  {
    name: 'Kent Community Safety Partnership',
    area: 'Kent',
    addressLines: ['Kent County Council', 'Invicta House', 'County Hall', 'Maidstone', 'ME14 1XX'],
    contacts: [
      { name: 'Sam Okafor', email: 'sam.okafor@kent-csp.example', jobTitle: 'DHR Coordinator' },
      { name: 'Priya Shah', email: 'priya.shah@kent-csp.example' },
    ],
  },
  {
    name: 'Hackney Community Safety Partnership',
    area: 'Metropolitan Police',
    addressLines: ['London Borough of Hackney', 'Hackney Town Hall', 'Mare Street', 'London', 'E8 1EA'],
    contacts: [{ name: 'Jo Adeyemi', email: 'jo.adeyemi@hackney-csp.example' }],
  },
  {
    name: 'Harlow Community Safety Partnership',
    area: 'Essex',
    addressLines: ['Harlow Council', 'Civic Centre', 'Water Gardens', 'Harlow', 'CM20 1WG'],
    contacts: [{ name: 'Chris Morgan', email: 'chris.morgan@harlow-csp.example' }],
  },
];

export const DEMO_ACCOUNTS = [
  { email: 'secretariat@dhr-qa.example', name: 'Alex Reid', role: 'secretariat', title: 'panel secretariat' },
  { email: 'panel@dhr-qa.example', name: 'Dr Helen Marsh', role: 'panel', title: 'QA panel member' },
  {
    email: 'csp.kent@dhr-qa.example',
    name: 'Sam Okafor',
    role: 'csp',
    csp: 'Kent Community Safety Partnership',
    title: 'Kent CSP',
  },
  {
    email: 'csp.hackney@dhr-qa.example',
    name: 'Jo Adeyemi',
    role: 'csp',
    csp: 'Hackney Community Safety Partnership',
    title: 'Hackney CSP',
  },
  {
    email: 'csp.harlow@dhr-qa.example',
    name: 'Chris Morgan',
    role: 'csp',
    csp: 'Harlow Community Safety Partnership',
    title: 'Harlow CSP',
  },
  {
    email: 'pcc.kent@dhr-qa.example',
    name: 'Office of the Kent PCC',
    role: 'pcc',
    area: 'Kent',
    title: 'Kent PCC office',
  },
  {
    email: 'agency.met@dhr-qa.example',
    name: 'MPS DHR lead',
    role: 'agency',
    organisation: 'Metropolitan Police Service',
    title: 'agency: Metropolitan Police Service',
  },
  {
    email: 'agency.essex@dhr-qa.example',
    name: 'ECC safeguarding lead',
    role: 'agency',
    organisation: 'Essex County Council (ECC), Children’s Social Care',
    title: "agency: Essex County Council Children's Social Care",
  },
  {
    email: 'commissioner@dhr-qa.example',
    name: 'Office of the Domestic Abuse Commissioner',
    role: 'commissioner',
    title: 'oversight (read-only, published reviews)',
  },
] as const;

/** Published reviews whose recommendations come from the DHR Library pages (public records). */
const PUBLISHED = [
  {
    csp: 'Hackney Community Safety Partnership',
    pseudonym: 'Hackney review',
    file: 'hackney-dhr-2023-recommendations.txt',
    published: '2023-04-28',
    yearOfDeath: 2014,
  },
  {
    csp: 'Harlow Community Safety Partnership',
    pseudonym: 'Harlow review',
    file: 'harlow-dhr-2023-recommendations.txt',
    published: '2023-06-30',
    yearOfDeath: 2012,
  },
];

export async function isEmpty(db: Db): Promise<boolean> {
  const [{ count }] = await db('police_force_areas').count<{ count: string | number }[]>('* as count');
  return Number(count) === 0;
}

/** Police force areas alone: what a real installation starts from. */
export async function seedPoliceForceAreas(db: Db): Promise<void> {
  await db('police_force_areas')
    .insert(
      POLICE_FORCE_AREAS.map((a) => ({ name: a.name, pcc_name: a.pccName, pcc_email: PCC_EMAILS[a.name] ?? null })),
    )
    .onConflict('name')
    .ignore();
}

/**
 * Demo data on an empty database: the force areas, three CSPs, one account per
 * role, a panel meeting and two reviews (one ready for the panel). Returns the
 * demo password, generated unless given.
 */
export async function seedDemo(services: Services, password?: string): Promise<string> {
  const { db } = services;
  const demoPassword = password ?? crypto.randomBytes(12).toString('base64url');
  await seedPoliceForceAreas(db);
  const areaIds = new Map(
    (await db('police_force_areas').select('id', 'name')).map((r) => [r.name as string, r.id as number]),
  );
  const cspIds = new Map<string, number>();
  for (const csp of CSPS) {
    const [row] = await db('csps')
      .insert({
        name: csp.name,
        police_force_area_id: areaIds.get(csp.area),
        address_lines: JSON.stringify(csp.addressLines),
        contacts: JSON.stringify(csp.contacts),
      })
      .returning('id');
    cspIds.set(csp.name, row.id);
  }
  const organisationIds = new Map<string, number>();
  for (const account of DEMO_ACCOUNTS) {
    if (!('organisation' in account)) continue;
    const [row] = await db('organisations')
      .insert({
        name: account.organisation,
        name_key: nameKey(account.organisation),
        kind: organisationKind(account.organisation),
      })
      .returning('id');
    organisationIds.set(account.organisation, row.id);
  }
  // At once: each account's password hash takes a thread of its own for a moment.
  await Promise.all(
    DEMO_ACCOUNTS.map((account) =>
      services.accounts.createUser({
        email: account.email,
        name: account.name,
        role: account.role,
        cspId: 'csp' in account ? cspIds.get(account.csp) : undefined,
        policeForceAreaId: 'area' in account ? areaIds.get(account.area) : undefined,
        organisationId: 'organisation' in account ? organisationIds.get(account.organisation) : undefined,
        password: demoPassword,
      }),
    ),
  );

  const secretariat = (await services.accounts.findUserByEmail('secretariat@dhr-qa.example'))!;
  const kent = (await services.accounts.findUserByEmail('csp.kent@dhr-qa.example'))!;
  const today = services.clock.now();
  const inWeeks = (n: number) => new Date(today.getTime() + n * 7 * 86400_000).toISOString().slice(0, 10);
  // A meeting today, so that an outcome can be tried at once (outcomes wait for their meeting's day), and the next.
  const todays = await services.meetings.create(secretariat, { date: inWeeks(0) });
  await services.meetings.create(secretariat, { date: inWeeks(4) });

  const mary = await services.reviews.create(kent, { pseudonym: 'Mary', yearOfDeath: today.getUTCFullYear() - 1 });
  for (const [kind, title] of [
    ['overview_report', 'Overview report'],
    ['executive_summary', 'Executive summary'],
    ['action_plan', 'Action plan'],
  ] as const) {
    await services.reviews.attachDocument(kent, mary.id, {
      kind,
      filename: `${title} - Mary.pdf`,
      bytes: samplePdf(`DHR Mary - ${title} (demo document)`),
    });
  }
  // Kent checked its report against the QA criteria before submitting it: the panel sees this.
  await services.qaChecklist.save(kent, mary.id, {
    marks: [
      { criterion: 'anonymity', mark: 'met', note: 'Pseudonyms agreed with the family' },
      { criterion: 'family', mark: 'met' },
      { criterion: 'covid', mark: 'partly', note: 'Services’ lockdown arrangements are still being confirmed' },
      { criterion: 'smart_recommendations', mark: 'partly' },
    ],
  });
  await services.reviews.sendEvent(kent, mary.id, { type: 'SUBMIT' });
  await services.reviews.create(kent, { pseudonym: 'Anne' });
  // At once: one's documents are checked on a worker thread while the other's events are written.
  await Promise.all([seedPublished(services, secretariat), seedWaiting(services, secretariat, inWeeks)]);
  // Kent decided not to hold a review of another death: on today's agenda, for the panel's view.
  const nell = await services.reviews.create(kent, { pseudonym: 'Nell', yearOfDeath: today.getUTCFullYear() - 1 });
  await services.reviews.sendEvent(kent, nell.id, {
    type: 'RECORD_DECISION',
    decision: 'no_review',
    reason:
      'Nell died in a road traffic collision. The partnership found no record of domestic abuse with any agency, and her family knew of none.',
  });
  await services.reviews.sendEvent(secretariat, nell.id, { type: 'SCHEDULE', meetingId: todays.id });
  return demoPassword;
}

/**
 * What the stage clocks are for: a Hackney review on hold for a criminal trial (its clock
 * stopped, the reason shared with the CSP), and a Harlow review whose feedback letter is still
 * a draft five weeks after its panel meeting (overdue against the panel-to-letter target).
 */
async function seedWaiting(services: Services, secretariat: User, inWeeks: (n: number) => string) {
  const cspId = async (name: string) => (await services.db('csps').where({ name }).first('id')).id as number;
  const beth = await services.reviews.create(secretariat, {
    cspId: await cspId('Hackney Community Safety Partnership'),
    pseudonym: 'Beth',
    notifiedOn: inWeeks(-10),
  });
  await services.reviews.sendEvent(secretariat, beth.id, {
    type: 'PAUSE',
    category: 'criminal_trial',
    reason: 'The review waits for the verdict of the criminal trial.',
    shareReason: true,
  });

  const [meeting] = await services
    .db('panel_meetings')
    .insert({ date: inWeeks(-5) })
    .returning('id');
  const lena = await services.reviews.create(secretariat, {
    cspId: await cspId('Harlow Community Safety Partnership'),
    pseudonym: 'Lena',
    notifiedOn: inWeeks(-30),
  });
  for (const kind of ['overview_report', 'executive_summary', 'action_plan'] as const) {
    await services.reviews.attachDocument(secretariat, lena.id, {
      kind,
      filename: `${kind}.pdf`,
      bytes: samplePdf(`Lena - ${kind} (demo document)`),
    });
  }
  const send = (event: object) => services.reviews.sendEvent(secretariat, lena.id, event);
  await send({ type: 'SUBMIT' });
  await send({ type: 'SCHEDULE', meetingId: meeting.id });
  await send({
    type: 'RECORD_OUTCOME',
    outcome: 'publish_after_changes',
    commendations: 'A clear account of the agencies’ contact with Lena.',
    areas: [{ text: 'Remove the date of birth from the chronology.' }, { text: 'Add a tribute from the family.' }],
  });
}

/**
 * Takes each published review through the lifecycle, then imports its recommendations. The
 * reviews are created in turn (so their references follow the list) and then taken through at
 * once, so that one's letter is laid out as a PDF while another's events are written.
 */
async function seedPublished(services: Services, secretariat: User) {
  const [meeting] = await services.db('panel_meetings').insert({ date: '2023-01-18' }).returning('id');
  const reviews: { p: (typeof PUBLISHED)[number]; id: number }[] = [];
  for (const p of PUBLISHED) {
    const csp = await services.db('csps').where({ name: p.csp }).first('id');
    const review = await services.reviews.create(secretariat, {
      cspId: csp.id,
      pseudonym: p.pseudonym,
      yearOfDeath: p.yearOfDeath,
      notifiedOn: '2022-06-01',
    });
    reviews.push({ p, id: review.id });
  }
  await Promise.all(
    reviews.map(async ({ p, id }) => {
      for (const kind of ['overview_report', 'executive_summary', 'action_plan'] as const) {
        await services.reviews.attachDocument(secretariat, id, {
          kind,
          filename: `${kind}.pdf`,
          bytes: samplePdf(`${p.pseudonym} - ${kind} (demo document)`),
        });
      }
      const send = (event: object) => services.reviews.sendEvent(secretariat, id, event);
      await send({ type: 'SUBMIT' });
      await send({ type: 'SCHEDULE', meetingId: meeting.id });
      await send({
        type: 'RECORD_OUTCOME',
        outcome: 'publish',
        commendations: 'A thorough and compassionate review.',
        areas: [],
      });
      await send({ type: 'SEND_LETTER' });
      await send({
        type: 'RECORD_PUBLICATION',
        url: `https://www.example.org/dhr/${p.pseudonym.split(' ')[0]!.toLowerCase()}`,
        publishedOn: p.published,
      });
      const content = fs.readFileSync(path.join(__dirname, 'recommendations', p.file), 'utf8');
      await services.recommendations.import(secretariat, id, { format: 'text', content, dryRun: false });
      if (p.csp === 'Hackney Community Safety Partnership') {
        await triageDemo(services, secretariat, id);
        await distributeAndClose(services, secretariat, id);
      }
    }),
  );
}

/**
 * The Hackney review's chair is recorded, and its recommendation 5 (research the College of
 * Policing is asked to commission) is national: it waits in the secretariat's triage queue.
 */
async function triageDemo(services: Services, secretariat: User, id: number) {
  await services.owners.setChair(secretariat, id, { name: 'Pat Okafor', email: 'pat.okafor@hackney-chair.example' });
  const rec = await services.db('recommendations').where({ review_id: id, number: '5' }).first('id');
  await services.owners.setLevel(secretariat, rec.id, { level: 'national' });
}

/** The Hackney review's final report reached everyone it must (one copy by email, the rest noted), so it is closed. */
async function distributeAndClose(services: Services, secretariat: User, id: number) {
  const today = services.clock.now().toISOString().slice(0, 10);
  const noted = (recipient: string, note: string) =>
    services.distribution.record(secretariat, id, { recipient, how: 'note', sentOn: today, note });
  await services.distribution.record(secretariat, id, { recipient: 'home_office', how: 'email' });
  await noted('commissioner', "Sent to the Commissioner's office by the CSP with the weblink");
  await noted('pcc', 'Sent to the Office of the Mayor for Policing and Crime by the CSP');
  await noted('family', 'A printed copy given to the family by the chair, as they asked');
  await noted('library', 'Listed in the Home Office DHR Library');
  await services.reviews.sendEvent(secretariat, id, { type: 'CLOSE' });
}

/** Sets every demo account's password, so a chosen DEMO_PASSWORD works on an existing database too. */
export async function resetDemoPasswords(db: Db, password: string): Promise<void> {
  const hash = await hashPassword(password);
  await db('users')
    .whereRaw(
      `lower(email) in (${DEMO_ACCOUNTS.map(() => '?').join(', ')})`,
      DEMO_ACCOUNTS.map((a) => a.email),
    )
    .update({ password_hash: hash });
}
