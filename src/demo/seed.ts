import crypto from 'node:crypto';
import type { Db } from '../db/connect';
import { hashPassword } from '../services/passwords';
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
      { name: 'Sam Okafor', email: 'sam.okafor@kent-csp.example' },
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
    email: 'pcc.kent@dhr-qa.example',
    name: 'Office of the Kent PCC',
    role: 'pcc',
    area: 'Kent',
    title: 'Kent PCC office',
  },
] as const;

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
  for (const account of DEMO_ACCOUNTS) {
    await services.accounts.createUser({
      email: account.email,
      name: account.name,
      role: account.role,
      cspId: 'csp' in account ? cspIds.get(account.csp) : undefined,
      policeForceAreaId: 'area' in account ? areaIds.get(account.area) : undefined,
      password: demoPassword,
    });
  }

  const secretariat = (await services.accounts.findUserByEmail('secretariat@dhr-qa.example'))!;
  const kent = (await services.accounts.findUserByEmail('csp.kent@dhr-qa.example'))!;
  const today = services.clock.now();
  const inWeeks = (n: number) => new Date(today.getTime() + n * 7 * 86400_000).toISOString().slice(0, 10);
  await services.meetings.create(secretariat, { date: inWeeks(3) });
  await services.meetings.create(secretariat, { date: inWeeks(7) });

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
  await services.reviews.sendEvent(kent, mary.id, { type: 'SUBMIT' });
  await services.reviews.create(kent, { pseudonym: 'Anne' });
  return demoPassword;
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
