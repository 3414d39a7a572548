import type express from 'express';
import { REVIEW_KIND_KEYS, REVIEW_KINDS } from '../../../letters/reviewKinds';
import type { NextFunction, Request, Response } from 'express';
import type { User } from '../../../core/user';
import { NotFoundError } from '../../../core/errors';
import { handleForm, render, type PageError } from '../../forms';
import type { WebContext } from '../../context';
import { idParam } from '../../../http';
import { friendlier } from '../csp/common';
import { allowRoles } from '../../roles';
import { formNumber, formText, linesOf, withFieldsRenamed, withLineErrors } from './common';
import type { Contact } from '../../../services/directory';
import { contactsFrom, contactsText, READ_CONTACT } from './contacts';

type Extra = { errors?: PageError[]; values?: Record<string, unknown> };

const ROLE_OPTIONS = [
  { value: 'secretariat', text: 'Panel secretariat', hint: 'The Home Office DHR team: can do everything.' },
  { value: 'panel', text: 'QA panel member', hint: 'Sees every review and panel meeting, and records outcomes.' },
  {
    value: 'csp',
    text: 'CSP coordinator',
    hint: "Notifies and answers for its own CSP's reviews. Choose the CSP below.",
  },
  { value: 'pcc', text: 'PCC office', hint: 'Reads the reviews of its police force area. Choose the area below.' },
  {
    value: 'agency',
    text: 'Agency',
    hint: 'Responds to the recommendations addressed to its organisation. Choose the organisation below.',
  },
  {
    value: 'commissioner',
    text: 'Oversight',
    hint: 'Such as the Domestic Abuse Commissioner’s office: reads every CSP’s published reviews, their recommendations and the national figures, and changes nothing.',
  },
];
const ROLE_NAMES = Object.fromEntries(ROLE_OPTIONS.map((r) => [r.value, r.text]));

const CSP_LABELS = {
  name: 'The name of the CSP',
  policeForceAreaId: 'Police force area',
  addressLines: 'Address',
  contacts: 'Contacts',
  addresseeJobTitle: "The first contact's job title",
  addresseeAddress: "The first contact's own address",
};

/** What a CSP's form asks for when a field is left empty, where the label alone would not say it. */
const CSP_BETTER = {
  contacts: {
    'must list at least one contact: the first receives the letters':
      'Enter at least one contact: the first receives the letters',
  },
};

/** The fields of a CSP's form that say where its letters go (templates/partials/secretariat/csp-letters-fields.hbs). */
const lettersFields = (body: Record<string, unknown>) => ({
  addressLines: formText(body.addressLines),
  contacts: formText(body.contacts),
  addresseeJobTitle: formText(body.addresseeJobTitle),
  addresseeAddress: formText(body.addresseeAddress),
});

/**
 * The contacts typed in the textarea, with what the page shows of the first one (job
 * title, own address) and what it does not show of the others kept from before.
 */
function contactsOfForm(
  values: ReturnType<typeof lettersFields>,
  before: Contact[],
): { contacts: Contact[]; unreadable: Set<number> } {
  const { contacts, unreadable } = contactsFrom(values.contacts);
  const jobTitle = values.addresseeJobTitle.trim();
  const addressLines = linesOf(values.addresseeAddress);
  return { contacts: contacts.map((c, i) => withAddressing(c, i, before, { jobTitle, addressLines })), unreadable };
}

/** Errors on the first contact's job title and own address belong to those fields of the page. */
const addresseeErrors = <T>(call: () => Promise<T>): Promise<T> =>
  withFieldsRenamed(call, (e) => {
    const at = /^contacts\.0\.(jobTitle|addressLines)(?:\.(\d+))?$/.exec(e.field);
    if (!at) return e;
    if (at[1] === 'jobTitle') return { field: 'addresseeJobTitle', message: e.message };
    const line = at[2] === undefined ? '' : `on line ${Number(at[2]) + 1}: `;
    return { field: 'addresseeAddress', message: `${line}${e.message}` };
  });

/** A contact as saved: the first with the page's job title and address, the others as they were. */
function withAddressing(
  c: Contact,
  i: number,
  before: Contact[],
  first: { jobTitle: string; addressLines: string[] },
): Contact {
  const kept = i === 0 ? first : before.find((b) => b.email.toLowerCase() === c.email.toLowerCase());
  return {
    ...c,
    ...(kept?.jobTitle ? { jobTitle: kept.jobTitle } : {}),
    ...(kept?.addressLines?.length ? { addressLines: kept.addressLines } : {}),
  };
}

const PCC_LABELS = { pccName: "The PCC's name", pccEmail: "The PCC's email address" };
const USER_LABELS = {
  email: 'An email address',
  name: 'The full name',
  role: 'The role',
  cspId: 'The CSP',
  policeForceAreaId: 'The police force area',
  organisationId: 'The organisation',
  password: 'A password',
};
const USER_CHOICES = ['role', 'cspId', 'policeForceAreaId', 'organisationId'];

/** What the secretariat can do to an account, and the banner that says it was done. */
const ACCOUNT_ACTIONS = {
  disable: (name: string) => `${name}'s account is disabled: they are signed out and their API tokens stopped`,
  enable: (name: string) => `${name} can sign in again`,
  'sign-out': (name: string) => `${name} is signed out everywhere and their API tokens are revoked`,
  'password-reset': (name: string) => `${name} has been sent a link to set a new password`,
  'two-factor-reset': (name: string) =>
    `${name}'s two-factor sign-in is cleared: they are signed out and will set it up again when they next sign in`,
} as const;

/** What the account history calls each change. */
const ACCOUNT_EVENTS: Record<string, string> = {
  DISABLED: 'Disabled',
  ENABLED: 'Enabled again',
  SIGNED_OUT: 'Signed out everywhere, API tokens revoked',
  PASSWORD_RESET_SENT: 'Sent a link to set a new password',
  PASSWORD_SET: 'Set a new password from the link',
  TWO_FACTOR_ON: 'Turned on two-factor sign-in',
  PASSWORD_CHANGED: 'Changed their password',
  TWO_FACTOR_CHANGED: 'Moved two-factor sign-in to a new app',
  RECOVERY_CODES_RENEWED: 'Made new recovery codes',
  RECOVERY_CODE_USED: 'Signed in with a recovery code',
  TWO_FACTOR_RESET: 'Cleared two-factor sign-in',
};
const SETTINGS_CHOICES = ['areaStyle', 'dateStyle', 'addressIncludesCsp', 'twoFactorForEveryone', 'reviewKind'];
const SETTINGS_LABELS = {
  signatoryName: "The signatory's name",
  signatoryTitle: "The signatory's title",
  letterheadTitle: "The letterhead's title",
  homeOfficeAddress: "The letterhead's lines",
  areaStyle: 'How letters list the areas',
  dateStyle: 'How letters write dates',
  addressIncludesCsp: "Whether the address starts with the CSP's name",
  dhrMailbox: 'The DHR mailbox',
  teamMailbox: 'The team mailbox',
  commissionerMailbox: "The Domestic Abuse Commissioner's mailbox",
  reviewKind: 'What the reviews are called',
  twoFactorForEveryone: 'Whether everyone signs in with two-factor sign-in',
  recommendationResponseDays: 'Days to respond to a recommendation',
};

/** A radio or select left unanswered is told what to do, in GOV.UK's words, rather than "is required". */
const chooseInstead = (errors: PageError[], choices: Record<string, string>, values: Record<string, string>) =>
  errors.map((e) => (choices[e.field] && !values[e.field] ? { ...e, message: choices[e.field]! } : e));

/** Administration, for the panel secretariat only: CSPs, police force areas and PCCs, users and letter settings. */
export function adminRoutes(router: express.Router, { services }: WebContext) {
  const { directory, accounts, settings, accountAdmin } = services;

  router.use('/admin', (req: Request, _res: Response, next: NextFunction) => {
    allowRoles(req, ['secretariat'], 'Only the panel secretariat can administer the service');
    next();
  });

  router.get('/admin', (req, res) => {
    render(req, res, 'secretariat/admin/index', { title: 'Administration' });
  });

  // ---- CSPs

  const areaOptions = async (placeholder: string) => [
    { value: '', text: placeholder },
    ...(await directory.listPoliceForceAreas()).map((a) => ({ value: a.id, text: a.name })),
  ];

  router.get('/admin/csps', async (req, res) => {
    const csps = await directory.listCsps(req.user!);
    const changed = csps.find((c) => String(c.id) === (req.query.added ?? req.query.saved));
    render(req, res, 'secretariat/admin/csps', {
      title: 'Community Safety Partnerships',
      csps,
      banner: changed ? { success: true, text: `${changed.name} ${req.query.added ? 'added' : 'saved'}` } : null,
      backLink: { href: '/admin', text: 'Administration' },
    });
  });

  async function newCsp(req: Request, res: Response, extra: Extra = {}, status = 200) {
    render(
      req,
      res,
      'secretariat/admin/csp-new',
      {
        title: 'Add a CSP',
        areaOptions: await areaOptions('Choose the police force area'),
        values: extra.values ?? {},
        errors: extra.errors,
        backLink: { href: '/admin/csps', text: 'All CSPs' },
      },
      status,
    );
  }

  router.get('/admin/csps/new', async (req, res) => {
    await newCsp(req, res);
  });

  router.post('/admin/csps', async (req, res) => {
    const values = {
      name: formText(req.body.name),
      policeForceAreaId: formText(req.body.policeForceAreaId),
      ...lettersFields(req.body),
    };
    const { contacts, unreadable } = contactsOfForm(values, []);
    await handleForm(
      async () => {
        const csp = await withLineErrors(
          () =>
            addresseeErrors(() =>
              directory.createCsp(req.user!, {
                name: values.name,
                policeForceAreaId: formNumber(values.policeForceAreaId) ?? undefined,
                addressLines: linesOf(values.addressLines),
                contacts,
              }),
            ),
          ['addressLines', 'contacts'],
          (field, line) => (field === 'contacts' && unreadable.has(line) ? READ_CONTACT : undefined),
        );
        res.redirect(`/admin/csps?added=${csp.id}`);
      },
      (errors, status) =>
        newCsp(
          req,
          res,
          {
            errors: friendlier(
              chooseInstead(errors, { policeForceAreaId: 'Choose the police force area' }, values),
              CSP_BETTER,
            ),
            values,
          },
          status,
        ),
      CSP_LABELS,
      { values, choices: ['policeForceAreaId'] },
    );
  });

  async function editCsp(req: Request, res: Response, id: number, extra: Extra = {}, status = 200) {
    const csp = await directory.getCsp(id);
    if (!csp) throw new NotFoundError('No CSP has this id');
    render(
      req,
      res,
      'secretariat/admin/csp-edit',
      {
        title: `Change ${csp.name}`,
        csp,
        values: extra.values ?? {
          addressLines: csp.addressLines.join('\n'),
          contacts: contactsText(csp.contacts),
          addresseeJobTitle: csp.contacts[0]?.jobTitle ?? '',
          addresseeAddress: (csp.contacts[0]?.addressLines ?? []).join('\n'),
        },
        errors: extra.errors,
        backLink: { href: '/admin/csps', text: 'All CSPs' },
      },
      status,
    );
  }

  router.get('/admin/csps/:id', async (req, res) => {
    await editCsp(req, res, idParam(req));
  });

  router.post('/admin/csps/:id', async (req, res) => {
    const id = idParam(req);
    const values = lettersFields(req.body);
    const { contacts, unreadable } = contactsOfForm(values, (await directory.getCsp(id))?.contacts ?? []);
    await handleForm(
      async () => {
        await withLineErrors(
          () =>
            addresseeErrors(() =>
              directory.updateCsp(req.user!, id, { addressLines: linesOf(values.addressLines), contacts }),
            ),
          ['addressLines', 'contacts'],
          (field, line) => (field === 'contacts' && unreadable.has(line) ? READ_CONTACT : undefined),
        );
        res.redirect(`/admin/csps?saved=${id}`);
      },
      (errors, status) => editCsp(req, res, id, { errors: friendlier(errors, CSP_BETTER), values }, status),
      CSP_LABELS,
      { values },
    );
  });

  // ---- Police force areas and their PCCs

  router.get('/admin/police-force-areas', async (req, res) => {
    const areas = await directory.listPoliceForceAreas();
    const saved = areas.find((a) => String(a.id) === req.query.saved);
    render(req, res, 'secretariat/admin/areas', {
      title: 'Police force areas',
      areas,
      banner: saved ? { success: true, text: `PCC details for ${saved.name} saved` } : null,
      backLink: { href: '/admin', text: 'Administration' },
    });
  });

  async function editArea(req: Request, res: Response, id: number, extra: Extra = {}, status = 200) {
    const area = await directory.getPoliceForceArea(id);
    if (!area) throw new NotFoundError('No police force area has this id');
    render(
      req,
      res,
      'secretariat/admin/area-edit',
      {
        title: `PCC for ${area.name}`,
        area,
        values: extra.values ?? { pccName: area.pccName ?? '', pccEmail: area.pccEmail ?? '' },
        errors: extra.errors,
        backLink: { href: '/admin/police-force-areas', text: 'All police force areas' },
      },
      status,
    );
  }

  router.get('/admin/police-force-areas/:id', async (req, res) => {
    await editArea(req, res, idParam(req));
  });

  router.post('/admin/police-force-areas/:id', async (req, res) => {
    const id = idParam(req);
    const values = { pccName: formText(req.body.pccName).trim(), pccEmail: formText(req.body.pccEmail).trim() };
    await handleForm(
      async () => {
        // Left empty means unknown: letters then name "the Police and Crime Commissioner for <area>".
        await directory.updatePcc(req.user!, id, {
          pccName: values.pccName || null,
          pccEmail: values.pccEmail || null,
        });
        res.redirect(`/admin/police-force-areas?saved=${id}`);
      },
      (errors, status) => editArea(req, res, id, { errors, values }, status),
      PCC_LABELS,
      { values },
    );
  });

  // ---- Users

  /** Each user with the words the pages show: their role, and the CSP, area or organisation they belong to. */
  async function described(user: User, only?: number) {
    const [users, csps, areas, organisations] = await Promise.all([
      only ? accountAdmin.get(user, only).then((u) => [u]) : accountAdmin.list(user),
      directory.cspNames(user),
      directory.listPoliceForceAreas(),
      services.recommendations.organisationsList(user),
    ]);
    const cspName = new Map(csps.map((c) => [c.id, c.name]));
    const areaName = new Map(areas.map((a) => [a.id, a.name]));
    const orgName = new Map(organisations.map((o: { id: number; name: string }) => [o.id, o.name]));
    return users.map((u) => ({
      ...u,
      roleText: ROLE_NAMES[u.role] ?? u.role,
      of:
        (u.cspId && cspName.get(u.cspId)) ||
        (u.policeForceAreaId && areaName.get(u.policeForceAreaId)) ||
        (u.organisationId && orgName.get(u.organisationId)) ||
        '',
    }));
  }

  router.get('/admin/users', async (req, res) => {
    const users = await described(req.user!);
    const added = users.find((u) => String(u.id) === req.query.added);
    render(req, res, 'secretariat/admin/users', {
      title: 'Users',
      users,
      banner: added ? { success: true, text: `${added.name} can now sign in as ${added.email}` } : null,
      backLink: { href: '/admin', text: 'Administration' },
    });
  });

  async function newUser(req: Request, res: Response, extra: Extra = {}, status = 200) {
    const [csps, organisations] = await Promise.all([
      directory.listCsps(req.user!),
      services.recommendations.organisationsList(req.user!),
    ]);
    render(
      req,
      res,
      'secretariat/admin/user-new',
      {
        title: 'Add a user',
        roleOptions: ROLE_OPTIONS,
        cspOptions: [{ value: '', text: 'Not a CSP user' }, ...csps.map((c) => ({ value: c.id, text: c.name }))],
        areaOptions: await areaOptions('Not a PCC user'),
        organisationOptions: [
          { value: '', text: 'Not an agency user' },
          ...organisations.map((o: { id: number; name: string }) => ({ value: o.id, text: o.name })),
        ],
        values: extra.values ?? {},
        errors: extra.errors,
        backLink: { href: '/admin/users', text: 'All users' },
      },
      status,
    );
  }

  router.get('/admin/users/new', async (req, res) => {
    await newUser(req, res);
  });

  router.post('/admin/users', async (req, res) => {
    // The password is never sent back to the browser, not even to redraw the form.
    const values = {
      email: formText(req.body.email).trim(),
      name: formText(req.body.name),
      role: formText(req.body.role),
      cspId: formText(req.body.cspId),
      policeForceAreaId: formText(req.body.policeForceAreaId),
      organisationId: formText(req.body.organisationId),
    };
    await handleForm(
      async () => {
        const created = await accounts.createUserAs(req.user!, {
          email: values.email,
          name: values.name,
          role: values.role || undefined,
          cspId: formNumber(values.cspId),
          policeForceAreaId: formNumber(values.policeForceAreaId),
          organisationId: formNumber(values.organisationId),
          password: formText(req.body.password),
        });
        res.redirect(`/admin/users?added=${created.id}`);
      },
      (errors, status) =>
        newUser(
          req,
          res,
          { errors: chooseInstead(errors, { role: 'Select the role of the user' }, values), values },
          status,
        ),
      USER_LABELS,
      // The password is only looked at, to know whether it was left empty.
      { values: { ...values, password: formText(req.body.password) }, choices: USER_CHOICES },
    );
  });

  router.get('/admin/users/:id', async (req, res) => {
    const id = idParam(req);
    const [[account], history] = await Promise.all([described(req.user!, id), accountAdmin.history(req.user!, id)]);
    const done =
      typeof req.query.done === 'string' ? ACCOUNT_ACTIONS[req.query.done as keyof typeof ACCOUNT_ACTIONS] : undefined;
    render(req, res, 'secretariat/admin/user', {
      title: account!.name,
      account,
      self: account!.id === req.user!.id,
      history: history.map((h) => ({ ...h, what: ACCOUNT_EVENTS[h.type] ?? h.type })),
      banner: done ? { success: true, text: done(account!.name) } : null,
      backLink: { href: '/admin/users', text: 'All users' },
    });
  });

  for (const action of Object.keys(ACCOUNT_ACTIONS) as (keyof typeof ACCOUNT_ACTIONS)[]) {
    router.post(`/admin/users/:id/${action}`, async (req, res) => {
      const id = idParam(req);
      const run = {
        disable: () => accountAdmin.disable(req.user!, id),
        enable: () => accountAdmin.enable(req.user!, id),
        'sign-out': () => accountAdmin.signOut(req.user!, id),
        'password-reset': () => accountAdmin.sendPasswordReset(req.user!, id),
        'two-factor-reset': () => accountAdmin.resetTwoFactor(req.user!, id),
      }[action];
      await run();
      res.redirect(`/admin/users/${id}?done=${action}`);
    });
  }

  // ---- Settings: the letters' house style, reminders and signing in

  async function settingsPage(req: Request, res: Response, extra: Extra = {}, status = 200) {
    const current = await settings.get();
    render(
      req,
      res,
      'secretariat/admin/settings',
      {
        title: 'Settings',
        values: extra.values ?? {
          ...current,
          homeOfficeAddress: current.homeOfficeAddress.join('\n'),
          addressIncludesCsp: current.addressIncludesCsp ? 'yes' : 'no',
          twoFactorForEveryone: current.twoFactorForEveryone ? 'yes' : 'no',
        },
        areaStyleOptions: [
          { value: 'numbered', text: 'Numbered', hint: '1, 2, 3, with areas under a heading lettered: 2a, 2b' },
          {
            value: 'bulleted',
            text: 'Bulleted',
            hint: 'Each area a bullet point, with areas under a heading indented',
          },
        ],
        reviewKindOptions: REVIEW_KIND_KEYS.map((key) => ({
          value: key,
          text: `${REVIEW_KINDS[key].reviewKind} (${REVIEW_KINDS[key].reviewKindShort})`,
          hint:
            key === 'dardr'
              ? 'The name the Victims and Prisoners Act 2024, s.19, gives them, once it is in force'
              : 'The name in use until s.19 of the Victims and Prisoners Act 2024 comes into force',
        })),
        dateStyleOptions: [
          { value: 'plain', text: '6 September 2023' },
          { value: 'ordinal', text: '6th September 2023' },
        ],
        yesNoOptions: [
          { value: 'yes', text: 'Yes' },
          { value: 'no', text: "No, the contact's address is enough" },
        ],
        secondFactorRequired: accounts.staffNeedTwoFactor,
        everyoneOptions: [
          { value: 'yes', text: 'Yes, everyone', hint: 'CSPs, PCC offices and agencies too' },
          { value: 'no', text: 'No, only the secretariat and the panel' },
        ],
        errors: extra.errors,
        banner: req.query.saved && !extra.errors ? { success: true, text: 'Settings saved' } : null,
        backLink: { href: '/admin', text: 'Administration' },
      },
      status,
    );
  }

  router.get('/admin/settings', async (req, res) => {
    await settingsPage(req, res);
  });

  router.post('/admin/settings', async (req, res) => {
    const values = Object.fromEntries(Object.keys(SETTINGS_LABELS).map((k) => [k, formText(req.body[k])]));
    const yesNo = (v: string) => (v === 'yes' ? true : v === 'no' ? false : undefined);
    await handleForm(
      async () => {
        await withLineErrors(
          () =>
            settings.update(req.user!, {
              signatoryName: values.signatoryName,
              signatoryTitle: values.signatoryTitle,
              letterheadTitle: values.letterheadTitle,
              homeOfficeAddress: linesOf(values.homeOfficeAddress),
              dhrMailbox: values.dhrMailbox!.trim(),
              teamMailbox: values.teamMailbox!.trim(),
              commissionerMailbox: values.commissionerMailbox!.trim(),
              reviewKind: values.reviewKind || undefined,
              areaStyle: values.areaStyle || undefined,
              dateStyle: values.dateStyle || undefined,
              addressIncludesCsp: yesNo(values.addressIncludesCsp!),
              twoFactorForEveryone: yesNo(values.twoFactorForEveryone!),
              recommendationResponseDays:
                req.body.recommendationResponseDays === undefined
                  ? undefined
                  : (formNumber(values.recommendationResponseDays) ?? ''),
            }),
          ['homeOfficeAddress'],
        );
        res.redirect('/admin/settings?saved=1');
      },
      (errors, status) => settingsPage(req, res, { errors, values }, status),
      SETTINGS_LABELS,
      { values, choices: SETTINGS_CHOICES },
    );
  });
}
