import { z } from 'zod';
import type { Db } from '../db/connect';
import type { User } from '../core/user';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../core/errors';
import { scopeCsps } from '../core/scope';
import { email, id, optionalText, parse, printable, text } from '../core/validation';

export interface PoliceForceArea {
  id: number;
  name: string;
  pccName: string | null;
  pccEmail: string | null;
}

export interface Contact {
  name: string;
  email: string;
  /** Shown under the name when a letter is addressed to this contact. */
  jobTitle?: string;
  /** An address of the contact's own, used in letters instead of the CSP's. */
  addressLines?: string[];
}

export interface Csp {
  id: number;
  name: string;
  policeForceAreaId: number;
  policeForceArea: string;
  addressLines: string[];
  contacts: Contact[];
}

const pccSchema = z.strictObject({
  pccName: printable(text(200)).nullable(),
  pccEmail: email.nullable(),
});

export const newCspSchema = z.strictObject({
  name: printable(text(200)),
  policeForceAreaId: id,
  addressLines: z.array(printable(text(200))).max(8, { error: 'must have at most 8 lines' }),
  contacts: z
    .array(
      z.strictObject({
        name: printable(text(200)),
        email,
        jobTitle: printable(optionalText(200)).optional(),
        addressLines: z
          .array(printable(text(200)))
          .max(8, { error: 'must have at most 8 lines' })
          .optional(),
      }),
    )
    .min(1, { error: 'must list at least one contact: the first receives the letters' })
    .max(20, { error: 'must have at most 20 contacts' }),
});

/** What can change once a CSP exists: where its letters go. Its name and force area stay, since reviews and PCC scope hang off them. */
export const cspUpdateSchema = newCspSchema.pick({ addressLines: true, contacts: true });

interface PfaRow {
  id: number;
  name: string;
  pcc_name: string | null;
  pcc_email: string | null;
}

const toPfa = (r: PfaRow): PoliceForceArea => ({ id: r.id, name: r.name, pccName: r.pcc_name, pccEmail: r.pcc_email });

interface CspRow {
  id: number;
  name: string;
  police_force_area_id: number;
  police_force_area: string;
  address_lines: string[];
  contacts: Contact[];
}

const toCsp = (r: CspRow): Csp => ({
  id: r.id,
  name: r.name,
  policeForceAreaId: r.police_force_area_id,
  policeForceArea: r.police_force_area,
  addressLines: r.address_lines,
  contacts: r.contacts,
});

export function createDirectory(db: Db) {
  const csps = () =>
    db('csps as c')
      .join('police_force_areas as p', 'p.id', 'c.police_force_area_id')
      .select<CspRow[]>(
        'c.id',
        'c.name',
        'c.police_force_area_id',
        'p.name as police_force_area',
        'c.address_lines',
        'c.contacts',
      )
      .orderBy('c.name');

  return {
    async listPoliceForceAreas(): Promise<PoliceForceArea[]> {
      return (await db<PfaRow>('police_force_areas').orderBy('name')).map(toPfa);
    },

    async getPoliceForceArea(areaId: number): Promise<PoliceForceArea | null> {
      const row = await db<PfaRow>('police_force_areas').where({ id: areaId }).first();
      return row ? toPfa(row) : null;
    },

    async updatePcc(user: User, areaId: number, input: unknown): Promise<PoliceForceArea> {
      if (user.role !== 'secretariat') throw new ForbiddenError('Only the panel secretariat can change PCC details');
      const data = parse(pccSchema, input);
      const [row] = await db<PfaRow>('police_force_areas')
        .where({ id: areaId })
        .update({ pcc_name: data.pccName, pcc_email: data.pccEmail })
        .returning('*');
      if (!row) throw new NotFoundError('No police force area has this id');
      return toPfa(row);
    },

    /** The CSPs the user may see: all for the Home Office, their own for a CSP, their area's for a PCC. */
    async listCsps(user: User): Promise<Csp[]> {
      return (await scopeCsps(csps(), user)).map(toCsp);
    },

    /** The same CSPs as listCsps, by id and name only: what a filter or a choice of CSP needs. */
    async cspNames(user: User): Promise<{ id: number; name: string }[]> {
      return scopeCsps(db('csps as c').orderBy('c.name').select('c.id', 'c.name'), user);
    },

    async getCsp(cspId: number): Promise<Csp | null> {
      const row = await csps().where('c.id', cspId).first();
      return row ? toCsp(row) : null;
    },

    async createCsp(user: User, input: unknown): Promise<Csp> {
      if (user.role !== 'secretariat') throw new ForbiddenError('Only the panel secretariat can add CSPs');
      const data = parse(newCspSchema, input);
      if (!(await db('police_force_areas').where({ id: data.policeForceAreaId }).first())) {
        throw ValidationError.field('policeForceAreaId', 'no police force area has this id');
      }
      if (await db('csps').whereRaw('lower(name) = lower(?)', [data.name]).first()) {
        throw new ConflictError(`A CSP named ${data.name} already exists`);
      }
      const [row] = await db('csps')
        .insert({
          name: data.name,
          police_force_area_id: data.policeForceAreaId,
          address_lines: JSON.stringify(data.addressLines),
          contacts: JSON.stringify(data.contacts),
        })
        .returning('id');
      return (await this.getCsp(row.id))!;
    },

    /** Replaces a CSP's address and contacts, validated as when it was added. */
    async updateCsp(user: User, cspId: number, input: unknown): Promise<Csp> {
      if (user.role !== 'secretariat') throw new ForbiddenError('Only the panel secretariat can change CSPs');
      const data = parse(cspUpdateSchema, input);
      const updated = await db('csps')
        .where({ id: cspId })
        .update({ address_lines: JSON.stringify(data.addressLines), contacts: JSON.stringify(data.contacts) });
      if (updated !== 1) throw new NotFoundError('No CSP has this id');
      return (await this.getCsp(cspId))!;
    },
  };
}

export type Directory = ReturnType<typeof createDirectory>;
