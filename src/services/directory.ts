import { z } from 'zod';
import type { Db } from '../db/connect';
import { copyOf, processCache, versionOf } from '../db/cacheVersions';
import type { User } from '../core/user';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../core/errors';
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

/** Whether the user may see this CSP: the rule of scopeCsps (src/core/scope.ts), for a CSP already read. */
function inScope(csp: Csp, user: User): boolean {
  if (user.role === 'csp') return csp.id === user.cspId;
  if (user.role === 'pcc') return csp.policeForceAreaId === user.policeForceAreaId;
  return user.role !== 'agency';
}

/**
 * The CSPs and police force areas. Both are read on many pages (a menu of CSPs, a filter)
 * and change seldom, so the process keeps them (see src/db/cacheVersions.ts): a signed-in
 * request reads them from the database only when they changed since they were read.
 */
export function createDirectory(db: Db) {
  const cache = processCache(db, 'directory', async (conn) => {
    const { rows } = await conn.raw(
      `select ${versionOf('directory')} as version,
         (select coalesce(json_agg(x order by x.name, x.id), '[]'::json) from (
            select c.id, c.name, c.police_force_area_id, p.name as police_force_area, c.address_lines, c.contacts
              from csps c join police_force_areas p on p.id = c.police_force_area_id) x) as csps,
         (select coalesce(json_agg(p order by p.name, p.id), '[]'::json) from police_force_areas p) as areas`,
    );
    const [row] = rows as { version: number | string; csps: CspRow[]; areas: PfaRow[] }[];
    return {
      value: { csps: row!.csps.map(toCsp), areas: row!.areas.map(toPfa) },
      version: Number(row!.version),
    };
  });
  // Callers get copies of what they asked for, not of the whole directory (300 CSPs with their
  // contacts, copied on every request, was a tenth of a reviews list's time): what one caller
  // changes, the next does not see.
  const kept = () => cache.get();

  /** After a write: forget the copy, even if the write failed half-way. */
  async function writing<T>(write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } finally {
      cache.forget();
    }
  }

  return {
    async listPoliceForceAreas(): Promise<PoliceForceArea[]> {
      return copyOf((await kept()).areas);
    },

    async getPoliceForceArea(areaId: number): Promise<PoliceForceArea | null> {
      const area = (await kept()).areas.find((a) => a.id === areaId);
      return area ? copyOf(area) : null;
    },

    async updatePcc(user: User, areaId: number, input: unknown): Promise<PoliceForceArea> {
      if (user.role !== 'secretariat') throw new ForbiddenError('Only the panel secretariat can change PCC details');
      const data = parse(pccSchema, input);
      const [row] = await writing(() =>
        db<PfaRow>('police_force_areas')
          .where({ id: areaId })
          .update({ pcc_name: data.pccName, pcc_email: data.pccEmail })
          .returning('*'),
      );
      if (!row) throw new NotFoundError('No police force area has this id');
      return toPfa(row);
    },

    /** The CSPs the user may see: all for the Home Office, their own for a CSP, their area's for a PCC. */
    async listCsps(user: User): Promise<Csp[]> {
      return copyOf((await kept()).csps.filter((c) => inScope(c, user)));
    },

    /** The same CSPs as listCsps, by id and name only: what a filter or a choice of CSP needs. */
    async cspNames(user: User): Promise<{ id: number; name: string }[]> {
      return (await kept()).csps.filter((c) => inScope(c, user)).map((c) => ({ id: c.id, name: c.name }));
    },

    async getCsp(cspId: number): Promise<Csp | null> {
      const csp = (await kept()).csps.find((c) => c.id === cspId);
      return csp ? copyOf(csp) : null;
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
      const [row] = await writing(() =>
        db('csps')
          .insert({
            name: data.name,
            police_force_area_id: data.policeForceAreaId,
            address_lines: JSON.stringify(data.addressLines),
            contacts: JSON.stringify(data.contacts),
          })
          .returning('id'),
      );
      return (await this.getCsp(row.id))!;
    },

    /** Replaces a CSP's address and contacts, validated as when it was added. */
    async updateCsp(user: User, cspId: number, input: unknown): Promise<Csp> {
      if (user.role !== 'secretariat') throw new ForbiddenError('Only the panel secretariat can change CSPs');
      const data = parse(cspUpdateSchema, input);
      const updated = await writing(() =>
        db('csps')
          .where({ id: cspId })
          .update({ address_lines: JSON.stringify(data.addressLines), contacts: JSON.stringify(data.contacts) }),
      );
      if (updated !== 1) throw new NotFoundError('No CSP has this id');
      return (await this.getCsp(cspId))!;
    },
  };
}

export type Directory = ReturnType<typeof createDirectory>;
