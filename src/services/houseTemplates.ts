import { z } from 'zod';
import { REVIEW_KINDS, reviewKindValues } from '../letters/reviewKinds';
import type { Conn, Db } from '../db/connect';
import { processCache, versionOf } from '../db/cacheVersions';
import {
  BLOCKS,
  EMAIL_PARTS,
  TEMPLATE_KINDS,
  blankModel,
  emailKind,
  sampleModel,
  shippedBody,
  templateKind,
  type EmailName,
  type EmailPart,
  type TemplateKind,
} from '../letters/catalogue';
import { addressingFor, makeDraft, renderLetter, type LetterFacts } from '../letters/compose';
import { checkTemplate, renderTemplate, trusted } from '../letters/engine';
import { cleanHtml } from '../letters/markup';
import type { User } from '../core/user';
import type { Clock } from '../core/clock';
import { toIso } from '../core/clock';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../core/errors';
import type { SettingsService } from './settings';
import { parse } from '../core/validation';

export interface TemplateVersion {
  kind: string;
  version: number;
  body: string;
}

interface Row {
  id: number;
  kind: string;
  version: number;
  body: string;
  created_by: number | null;
  created_at: Date;
  restored_from: number | null;
  author?: string | null;
}

const saveSchema = z.strictObject({
  body: z.string({ error: 'must be the template as text' }),
  expectedVersion: z
    .number({ error: 'must be a whole number' })
    .int({ error: 'must be a whole number' })
    .positive({ error: 'must be positive' })
    .optional(),
});

const previewSchema = z.strictObject({ body: z.string({ error: 'must be the template as text' }) });

const restoreSchema = saveSchema.pick({ expectedVersion: true });

/** The review every template is previewed against: invented, so no real case appears on an admin page. */
const SAMPLE_FACTS: LetterFacts = {
  kind: 'publish_after_changes',
  reference: 'DHR-2026-0001',
  pseudonym: 'Alex',
  cspName: 'Anytown Community Safety Partnership',
  pccName: 'Police and Crime Commissioner for Anyshire',
  dhrMailbox: 'dhr-enquiries@dhr-qa.example',
  ...REVIEW_KINDS.dhr,
  meetingDate: '2026-11-20',
  round: 1,
  submittedOn: '2026-09-01',
  letterSentOn: '2026-12-01',
  approvedOn: '2026-12-01',
  publishedOn: '2027-01-15',
  url: 'https://www.anytown.gov.uk/dhr-alex',
  outstandingCount: 2,
};

const SAMPLE_CSP = { name: SAMPLE_FACTS.cspName, addressLines: ['Anytown Council', 'Town Hall', 'Anytown', 'AN1 1AA'] };
const SAMPLE_CONTACT = { name: 'Sam Taylor', email: 'sam.taylor@anytown.example', jobTitle: 'DHR Coordinator' };

const SAMPLE_CONTEXT = {
  commendations:
    'The panel commended the sensitive way the report tells Alex’s story.\n\nIt found the recommendations focused and well evidenced.',
  areas: [
    { heading: null, text: 'Remove the date of death to protect anonymity.', points: [] },
    {
      heading: null,
      text: 'The panel felt that the analysis of coercive control could go further:',
      points: ['describe the economic abuse', 'consider the effect of isolation'],
    },
    { heading: 'Structure', text: 'Add a contents page.', points: [] },
    { heading: 'Structure', text: 'Number the paragraphs.', points: [] },
  ],
  outstanding: [
    { heading: null, text: 'Remove the date of death to protect anonymity.', points: [], note: null },
    { heading: 'Structure', text: 'Add a contents page.', points: [], note: 'The contents page is missing.' },
  ],
};

function describeVersion(row: Row) {
  return {
    version: row.version,
    createdAt: toIso(row.created_at),
    createdBy: row.created_by === null ? null : (row.author ?? null),
    restoredFrom: row.restored_from,
    shipped: row.created_by === null,
  };
}

/**
 * The house templates: the current version of each kind, its history and its checks.
 * The first version of each kind is the shipped file, stored the first time the kind
 * is needed; every save after that is a new version, so a letter can always be traced
 * to the words it was drafted from and an earlier version restored.
 */
export function createHouseTemplates(db: Db, clock: Clock, settings: SettingsService) {
  const mayEdit = (user: User) => {
    if (user.role !== 'secretariat')
      throw new ForbiddenError('Only the panel secretariat can see and change templates');
  };

  const kindOf = (name: string): TemplateKind => {
    const kind = templateKind(name);
    if (!kind) throw new NotFoundError('No template of this kind');
    return kind;
  };

  /**
   * The current version of every kind stored, kept in the process (see src/db/cacheVersions.ts):
   * emails and letters are written from them in many events, and they change only when the
   * secretariat saves one.
   */
  const cache = processCache(db, 'house_templates', async (conn) => {
    const { rows } = await conn.raw(
      `select ${versionOf('house_templates')} as version,
         (select coalesce(json_agg(json_build_object('kind', t.kind, 'version', t.version, 'body', t.body)), '[]'::json)
            from (select distinct on (kind) kind, version, body from house_templates order by kind, version desc) t) as current`,
    );
    const [row] = rows as { version: number | string; current: TemplateVersion[] }[];
    return { value: new Map(row!.current.map((t) => [t.kind, t])), version: Number(row!.version) };
  });

  /** Stores the shipped first version of any kind that has none yet (whoever gets there first). */
  async function ensureShipped(conn: Conn, kinds: TemplateKind[]) {
    if (!kinds.length) return;
    try {
      await conn('house_templates')
        .insert(kinds.map((k) => ({ kind: k.kind, version: 1, body: shippedBody(k), created_at: clock.now() })))
        .onConflict(['kind', 'version'])
        .ignore();
    } finally {
      cache.forget();
    }
  }

  /** The current version of each of these kinds: kept in the process, or one round trip (two the very first time). */
  async function current(conn: Conn, names: string[]): Promise<Map<string, TemplateVersion>> {
    let all = await cache.get(conn);
    const missing = names.filter((n) => !all.has(n));
    if (missing.length) {
      await ensureShipped(conn, missing.map(kindOf));
      all = await cache.get(conn);
    }
    return new Map(names.filter((n) => all.has(n)).map((n) => [n, { ...all.get(n)! }]));
  }

  async function one(conn: Conn, name: string): Promise<TemplateVersion> {
    return (await current(conn, [name])).get(name)!;
  }

  /** The problems as 422 errors, each quoting the line it is on so that it can be found in a long template. */
  function refuse(body: string, problems: { line: number | null; message: string }[]): never {
    const lines = body.split('\n');
    const quote = (line: number) => {
      const text = (lines[line - 1] ?? '').trim();
      return text.length > 60 ? `${text.slice(0, 59)}…` : text;
    };
    throw new ValidationError(
      problems.map((p) => ({
        field: 'body',
        line: p.line,
        message: p.line === null ? p.message : `Line ${p.line} (“${quote(p.line)}”): ${p.message}`,
      })),
    );
  }

  async function versionsOf(name: string): Promise<Row[]> {
    return db('house_templates as t')
      .leftJoin('users as u', 'u.id', 't.created_by')
      .where('t.kind', name)
      .orderBy('t.version', 'desc')
      .select('t.*', 'u.name as author');
  }

  /** Adds a version, refusing (409) when another save got there first or the caller read an older one. */
  async function addVersion(user: User, name: string, body: string, expected?: number, restoredFrom?: number) {
    try {
      return await saveVersion(user, name, body, expected, restoredFrom);
    } finally {
      cache.forget();
    }
  }

  async function saveVersion(user: User, name: string, body: string, expected?: number, restoredFrom?: number) {
    return db.transaction(async (trx) => {
      // One save of a kind at a time: the next one reads what this one wrote, so two identical
      // saves make one version and two saves of the same version cannot both succeed.
      await trx.raw('select pg_advisory_xact_lock(hashtext(?))', [`house_templates:${name}`]);
      // Under the lock, the newest version is the database's: the copy this process keeps may
      // predate a save that committed while this one waited.
      cache.forget();
      const latest = await one(trx, name);
      // The words already current (a save sent twice, a restore of what is there) make no version.
      if (body === latest.body) return { version: latest.version, changed: false };
      if (expected !== undefined && expected !== latest.version) {
        throw new ConflictError(
          `The template has changed since you opened it (you edited version ${expected}, it is now at version ${latest.version}). Reload it and make your change again.`,
        );
      }
      try {
        await trx('house_templates').insert({
          kind: name,
          version: latest.version + 1,
          body,
          created_by: user.id,
          created_at: clock.now(),
          restored_from: restoredFrom ?? null,
        });
      } catch (err) {
        if ((err as { code?: string }).code === '23505') {
          throw new ConflictError('Someone else saved this template at the same moment. Reload it and try again.');
        }
        throw err;
      }
      return { version: latest.version + 1, changed: true };
    });
  }

  /** The template rendered against the sample review, as the secretariat would see it in use. */
  async function previewOf(kind: TemplateKind, body: string) {
    if (kind.format === 'letter') {
      const addressing = addressingFor(SAMPLE_CSP, SAMPLE_CONTACT, await settings.get());
      const draft = makeDraft(
        { kind: kind.kind, version: 0, body },
        { ...SAMPLE_FACTS, kind: kind.kind as LetterFacts['kind'] },
        addressing,
      );
      return renderLetter(draft, { today: SAMPLE_FACTS.letterSentOn!, ...SAMPLE_CONTEXT });
    }
    const model = sampleModel(kind);
    if ('letter' in model)
      model.letter = kind.format === 'html' ? trusted('<p>(The letter goes here.)</p>') : '(The letter goes here.)';
    const out = renderTemplate(body, kind.format, model);
    return kind.format === 'html' ? { html: cleanHtml(out, 'html'), text: null } : { html: null, text: out };
  }

  return {
    current,

    /**
     * An email's subject (on one line), HTML and text, from the current versions of its
     * three templates. A letter it carries goes into the HTML as HTML and into the text
     * as text. Placeholders the caller has no value for are blank, so a template that
     * names one outside its {{#if}} still renders.
     */
    async renderEmail(
      conn: Conn,
      name: EmailName,
      model: Record<string, unknown>,
      markup: Record<string, { html: string; text: string }> = {},
    ) {
      const parts = await current(
        conn,
        EMAIL_PARTS.map((part) => emailKind(name, part)),
      );
      const body = (part: EmailPart) => parts.get(emailKind(name, part))!.body;
      const kind = templateKind(emailKind(name, 'html'))!;
      // What the reviews are called comes with every email, from the settings.
      const full = { ...blankModel(kind), ...reviewKindValues((await settings.get(conn)).reviewKind), ...model };
      const subject = renderTemplate(body('subject'), 'subject', full).replace(/\s+/g, ' ').trim();
      // Markup placeholders (a letter, a list of items) were rendered by the service, every value escaped.
      const markupNames = Object.keys(kind.placeholders).filter((n) => kind.placeholders[n]!.type === 'markup');
      const html = Object.fromEntries(markupNames.map((n) => [n, trusted(markup[n]?.html ?? '')]));
      const text = Object.fromEntries(markupNames.map((n) => [n, markup[n]?.text ?? '']));
      return {
        subject,
        html: cleanHtml(renderTemplate(body('html'), 'html', { ...full, subject, ...html }), 'html'),
        text: renderTemplate(body('text'), 'text', { ...full, ...text }),
      };
    },

    async list(user: User) {
      mayEdit(user);
      await current(
        db,
        TEMPLATE_KINDS.map((k) => k.kind),
      );
      const rows: Row[] = await db('house_templates as t')
        .leftJoin('users as u', 'u.id', 't.created_by')
        .distinctOn('t.kind')
        .orderBy([{ column: 't.kind' }, { column: 't.version', order: 'desc' }])
        .select('t.*', 'u.name as author');
      const byKind = new Map(rows.map((r) => [r.kind, r]));
      return TEMPLATE_KINDS.map((k) => {
        return {
          kind: k.kind,
          title: k.title,
          group: k.format === 'letter' ? 'letter' : 'email',
          ...describeVersion(byKind.get(k.kind)!),
        };
      });
    },

    async get(user: User, name: string) {
      mayEdit(user);
      const kind = kindOf(name);
      const latest = await one(db, name);
      const [row] = await versionsOf(name);
      return {
        kind: kind.kind,
        title: kind.title,
        description: kind.description,
        format: kind.format,
        version: latest.version,
        body: latest.body,
        placeholders: Object.entries(kind.placeholders).map(([placeholder, p]) => ({
          name: placeholder,
          description: p.description,
          example: p.example,
        })),
        blocks: kind.blocks.map((block) => ({ name: block, description: BLOCKS[block] })),
        updatedAt: row ? toIso(row.created_at) : null,
        updatedBy: row?.created_by ? (row.author ?? null) : null,
      };
    },

    async versions(user: User, name: string) {
      mayEdit(user);
      kindOf(name);
      await one(db, name);
      return (await versionsOf(name)).map(describeVersion);
    },

    async version(user: User, name: string, version: number) {
      mayEdit(user);
      kindOf(name);
      const row = (await versionsOf(name)).find((r) => r.version === version);
      if (!row) throw new NotFoundError('No such version of this template');
      return { kind: name, body: row.body, ...describeVersion(row) };
    },

    async save(user: User, name: string, input: unknown) {
      mayEdit(user);
      const kind = kindOf(name);
      const { body, expectedVersion } = parse(saveSchema, input);
      const problems = checkTemplate(kind, body);
      if (problems.length) refuse(body, problems);
      const saved = await addVersion(user, name, body, expectedVersion);
      return { ...(await this.get(user, name)), changed: saved.changed };
    },

    async restore(user: User, name: string, version: number, input: unknown = {}) {
      mayEdit(user);
      kindOf(name);
      const { expectedVersion } = parse(restoreSchema, input);
      const row = (await versionsOf(name)).find((r) => r.version === version);
      if (!row) throw new NotFoundError('No such version of this template');
      const restored = await addVersion(user, name, row.body, expectedVersion, version);
      return { ...(await this.get(user, name)), changed: restored.changed };
    },

    /** The template, saved or not, rendered against the sample review in the current house style. */
    async preview(user: User, name: string, input: unknown) {
      mayEdit(user);
      const kind = kindOf(name);
      const { body } = parse(previewSchema, input);
      const problems = checkTemplate(kind, body);
      if (problems.length) refuse(body, problems);
      return previewOf(kind, body);
    },
  };
}

export type HouseTemplates = ReturnType<typeof createHouseTemplates>;
