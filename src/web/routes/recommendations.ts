import type express from 'express';
import type { Request, Response } from 'express';
import type { Services } from '../../services';
import { AppError, ValidationError } from '../../core/errors';
import { toIsoDate } from '../../core/clock';
import { ACTION_LABELS, LEVEL_LABELS, RESPONSE_LABELS } from '../../recommendations/labels';
import { SCALE_LABELS, SCALE_TAGS, type ScaleStatus } from '../../recommendations/status';
import { longDate } from '../../core/dates';
import { suggestThemes, THEMES } from '../../recommendations/themes';
import { dateFrom, handleForm, render, type PageError } from '../forms';
import type { WebContext } from '../context';
import { idParam } from '../../http';
import { allowRoles } from '../roles';
import { friendlier } from './csp/common';

type Rec = Awaited<ReturnType<Services['recommendations']['forReview']>>[number];

/** Progress of one recommendation: its agencies' actions completed, implemented counting as done. */
function progress(rec: Rec) {
  let done = 0;
  let total = 0;
  for (const a of rec.agencies) {
    if (a.stage === 'implemented' || a.stage === 'already_in_place') {
      done += 1;
      total += 1;
    } else if (a.stage !== 'not_accepted') {
      total += Math.max(a.actions.length, 1);
      done += a.actions.filter((x) => x.status === 'completed').length;
    }
  }
  return { done, total, percent: total ? Math.round((done / total) * 100) : 0 };
}

/**
 * A part's status as the pages show it: on the Commissioner's scale, except that a response not
 * yet due is shown by its due day ("missing" is for one that is late), and one waiting for triage
 * says so.
 */
function statusShown(part: { status: ScaleStatus; responseDueOn: string | null; responseOverdue: boolean }) {
  if (part.status === 'missing' && !part.responseOverdue) {
    return {
      statusLabel: part.responseDueOn ? `Response due ${longDate(part.responseDueOn)}` : 'Waiting for triage',
      statusTag: 'grey',
    };
  }
  return {
    statusLabel: SCALE_LABELS[part.status],
    statusTag: part.status === 'missing' ? 'red' : SCALE_TAGS[part.status],
  };
}

/** What the last change on a review's Recommendations page did, from its query string. */
const BANNERS: Record<string, Record<string, string>> = {
  imported: { '1': 'Recommendations saved' },
  reopened: { '1': 'Recommendation reopened' },
  level: {
    level: 'Level saved',
    triage: 'Level saved: the recommendation is waiting for the panel secretariat to assign who owns it',
    unchanged: 'The level was already that: nothing changed',
  },
  extended: { '1': 'Time to respond extended' },
  chair: { '1': "The review's chair is saved" },
};

function bannerOf(query: Request['query']) {
  for (const [key, texts] of Object.entries(BANNERS)) {
    const text = texts[String(query[key] ?? '')];
    if (text) return { success: true, text };
  }
  return null;
}

export function recommendationRoutes(router: express.Router, ctx: WebContext) {
  const { services } = ctx;

  /**
   * A review's recommendations, with its forms (themes, reopening) drawn again with their
   * errors and what was typed when one of them was refused.
   */
  async function reviewPage(
    req: Request,
    res: Response,
    id: number,
    extra: { errors?: PageError[]; values?: { linkId?: number; reason?: string; recId?: number } } = {},
    status = 200,
  ) {
    const review = await services.reviews.view(req.user!, id);
    const { recommendations: recs, chair } = await services.recommendations.ofReview(req.user!, id);
    const mayChange = req.user!.role === 'secretariat' || req.user!.role === 'csp';
    const rows = recs.map((r) => ({
      ...r,
      levelLabel: LEVEL_LABELS[r.level],
      progress: progress(r),
      // Until someone confirms themes, the suggestions are ticked for them to check.
      themeChoices: THEMES.map((theme) => ({
        theme,
        checked: r.themes.length ? r.themes.includes(theme) : suggestThemes(r.text).includes(theme),
      })),
      suggested: r.themes.length === 0,
      agencies: r.agencies.map((a) => ({
        ...a,
        responseLabel: a.response ? RESPONSE_LABELS[a.response] : 'No response yet',
        ...statusShown(a),
        actions: a.actions.map((x) => ({ ...x, statusLabel: ACTION_LABELS[x.status] })),
        overdue: a.actions.some((x) => x.overdue),
      })),
    }));
    const totals = rows.reduce((t, r) => ({ done: t.done + r.progress.done, total: t.total + r.progress.total }), {
      done: 0,
      total: 0,
    });
    render(
      req,
      res,
      'recommendations/review',
      {
        title: `Recommendations – ${review.reference}`,
        review,
        rows,
        errors: extra.errors,
        values: extra.values ?? {},
        overall: { ...totals, percent: totals.total ? Math.round((totals.done / totals.total) * 100) : 0 },
        overdueCount: rows.filter((r) => r.agencies.some((a) => a.overdue)).length,
        canImport: mayChange,
        canReopen: mayChange,
        chair: mayChange ? chair : null,
        banner: extra.errors ? null : bannerOf(req.query),
        backLink: { href: `/reviews/${id}`, text: `Back to ${review.reference}` },
      },
      status,
    );
  }

  router.get('/reviews/:id/recommendations', async (req, res) => {
    await reviewPage(req, res, idParam(req));
  });

  async function showImport(
    req: Request,
    res: Response,
    id: number,
    extra: { errors?: PageError[]; preview?: unknown },
    status = 200,
  ) {
    const review = await services.reviews.view(req.user!, id);
    render(
      req,
      res,
      'recommendations/import',
      {
        title: `Import recommendations – ${review.reference}`,
        review,
        values: { format: req.body?.format ?? 'text', content: req.body?.content ?? '' },
        ...extra,
        backLink: { href: `/reviews/${id}/recommendations`, text: 'Back to the recommendations' },
      },
      status,
    );
  }

  router.get('/reviews/:id/recommendations/import', async (req, res) => {
    allowRoles(req, ['secretariat', 'csp'], 'Only the CSP or the panel secretariat can import recommendations');
    await showImport(req, res, idParam(req), {});
  });

  router.post('/reviews/:id/recommendations/import', async (req, res) => {
    const id = idParam(req);
    const input = {
      format: req.body.format === 'csv' ? 'csv' : 'text',
      content: String(req.body.content ?? ''),
      dryRun: req.body.action !== 'save',
    };
    await handleForm(
      async () => {
        const result = await services.recommendations.import(req.user!, id, input);
        if (result.saved) return res.redirect(`/reviews/${id}/recommendations?imported=1`);
        await showImport(req, res, id, { preview: result });
      },
      (errors, status) =>
        showImport(
          req,
          res,
          id,
          {
            // Nothing pasted is asked for; a list read as no recommendations says so.
            errors: errors.map((e) =>
              e.field === 'content' && !input.content.trim()
                ? { ...e, message: 'Paste the list of recommendations' }
                : e,
            ),
          },
          status,
        ),
      { content: 'The list' },
    );
  });

  /** The review a form on its Recommendations page came from (a hidden field of the form). */
  const reviewOf = (req: Request) =>
    /^\d{1,9}$/.test(String(req.body.reviewId ?? '')) ? Number(req.body.reviewId) : 0;

  router.post('/recommendations/:id/themes', async (req, res) => {
    const recId = idParam(req);
    const chosen = ([] as string[]).concat(req.body.themes ?? []);
    await handleForm(
      async () => {
        await services.themes.set(req.user!, recId, { themes: chosen });
        res.redirect(`/reviews/${reviewOf(req)}/recommendations?themes=1#rec-${recId}`);
      },
      // The themes' checkboxes of this recommendation: the error is at the first of them.
      (errors, status) =>
        reviewPage(
          req,
          res,
          reviewOf(req),
          {
            errors: errors.map((e) =>
              e.href === '#main-content' ? e : { ...e, field: `themes-${recId}`, href: `#theme-${recId}-0` },
            ),
            values: { recId },
          },
          status,
        ),
      { themes: 'The themes' },
      { choices: ['themes'] },
    );
  });

  router.post('/recommendation-agencies/:id/reopen', async (req, res) => {
    const linkId = idParam(req);
    const reason = String(req.body.reason ?? '');
    await handleForm(
      async () => {
        await services.recommendations.reopen(req.user!, linkId, { reason });
        res.redirect(`/reviews/${reviewOf(req)}/recommendations?reopened=1`);
      },
      // Each implemented agency has its own reason box: the error belongs to this one's.
      (errors, status) =>
        reviewPage(
          req,
          res,
          reviewOf(req),
          {
            errors: friendlier(errors, {
              reason: { 'must not be empty': 'Enter why the recommendation is reopened' },
            }).map((e) => (e.field === 'reason' ? { ...e, field: `reopen-${linkId}`, href: `#reopen-${linkId}` } : e)),
            values: { linkId, reason },
          },
          status,
        ),
      { reason: 'The reason to reopen' },
      { values: { reason } },
    );
  });

  router.get('/action-updates/:id/evidence', async (req, res) => {
    const doc = await services.recommendations.evidence(req.user!, idParam(req));
    res.attachment(doc.filename).type(doc.contentType).send(doc.content);
  });

  agencyRoutes(router, ctx);
}

// ---- Agencies: the recommendations addressed to their organisation, a page each, and a page per task.

type AgencyRec = Awaited<ReturnType<Services['recommendations']['forAgency']>>[number];
type AgencyPart = Awaited<ReturnType<Services['recommendations']['forAgencyLink']>>;
type Mine = AgencyPart['mine'];
type Action = Mine['actions'][number];

const ACTION_TAGS: Record<string, string> = { not_started: 'grey', in_progress: 'blue', completed: 'green' };

/** The first words of a long text, for a list. */
function shortText(text: string, max = 120): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= max) return flat;
  const cut = flat.slice(0, max);
  const space = cut.lastIndexOf(' ');
  return `${(space > max / 2 ? cut.slice(0, space) : cut).replace(/[\s,.;:–-]+$/, '')}…`;
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** "12 recommendations: 3 need your response, 2 have overdue actions, 7 with the outcome achieved." */
function agencyCounts(recs: { stage: string; overdue: boolean }[]): string {
  const count = (test: (r: { stage: string; overdue: boolean }) => boolean) => recs.filter(test).length;
  const awaiting = count((r) => r.stage === 'awaiting_response');
  const overdue = count((r) => r.overdue);
  const inProgress = count((r) => r.stage === 'in_progress');
  const implemented = count((r) => r.stage === 'implemented');
  const notAccepted = count((r) => r.stage === 'not_accepted');
  const parts = [
    awaiting && plural(awaiting, 'needs your response', 'need your response'),
    overdue && plural(overdue, 'has an overdue action', 'have overdue actions'),
    inProgress && `${inProgress} in progress`,
    implemented && `${implemented} with the outcome achieved`,
    notAccepted && `${notAccepted} not accepted`,
  ].filter(Boolean);
  return `${plural(recs.length, 'recommendation', 'recommendations')}${parts.length ? `: ${parts.join(', ')}` : ''}.`;
}

/** What the agency may do now with its part in a recommendation. */
function abilities(mine: Mine) {
  const open = mine.stage === 'in_progress';
  return {
    respond: mine.stage !== 'implemented',
    addAction: open,
    changeActions: open,
    implement: open && mine.actions.length > 0 && mine.actions.every((a) => a.status === 'completed'),
  };
}

/** Why a task cannot be done now, in the words the page and its error summary use. */
function refusal(task: Ability, part: AgencyPart): string {
  const { mine, number } = part;
  if (mine.stage === 'implemented') {
    return `The outcome of recommendation ${number} is recorded as achieved. If the Community Safety Partnership reopens it, you can change it again.`;
  }
  if (task === 'implement') {
    if (mine.stage === 'in_progress' && mine.actions.length === 0)
      return `Add at least one action, and complete it, before you record that the outcome of recommendation ${number} is achieved.`;
    if (mine.stage === 'in_progress')
      return `Every action must be completed before you record that the outcome of recommendation ${number} is achieved.`;
  }
  return `Record that you accept recommendation ${number}, in full or in part, before you ${
    task === 'implement'
      ? 'record its outcome as achieved'
      : task === 'addAction'
        ? 'add actions'
        : 'change its actions'
  }.`;
}

const withLabels = (mine: Mine) => ({
  ...mine,
  ...statusShown(mine),
  responseLabel: mine.response ? RESPONSE_LABELS[mine.response] : null,
  overdue: mine.actions.some((a) => a.overdue),
  actions: mine.actions.map((a) => ({ ...a, statusLabel: ACTION_LABELS[a.status], statusTag: ACTION_TAGS[a.status] })),
});

// ---- Errors in GOV.UK's words: one per field, linked to the field (the day box of a date).

/** What to do when a field is left empty (or, for a choice, when none of its options was chosen). */
const EMPTY: Record<string, string> = {
  response: 'Select a response',
  rationale: 'Enter the rationale',
  description: 'Enter what will be done',
  owner: 'Enter the owner',
  targetDate: 'Enter the target date',
  status: 'Select the status of the action',
  on: 'Enter the date of the update',
  text: 'Enter the progress update',
  evidence: 'Enter the evidence that the outcome is achieved',
};
const LABELS: Record<string, string> = {
  rationale: 'Rationale',
  description: 'What will be done',
  owner: 'Owner',
  targetDate: 'Target date',
  on: 'Date of the update',
  text: 'Progress update',
  evidence: 'Evidence',
  file: 'The evidence document',
};
/** The fields in the order the pages show them, which is the order of the error summary. */
const ORDER = [
  'response',
  'rationale',
  'description',
  'owner',
  'targetDate',
  'status',
  'text',
  'on',
  'file',
  'evidence',
];
const place = (field: string) => (ORDER.includes(field) ? ORDER.indexOf(field) : ORDER.length);
const CHOICES = new Set(['response', 'status']);
const DATES = new Set(['targetDate', 'on']);

function fieldError(field: string, message: string): PageError {
  // An error about no field of the page is about the form as a whole.
  const href = DATES.has(field) ? `#${field}-day` : LABELS[field] || CHOICES.has(field) ? `#${field}` : '#main-content';
  const label = LABELS[field] ?? 'This field';
  let sentence: string;
  if (CHOICES.has(field)) sentence = EMPTY[field]!;
  else if (/^(must not be empty|is required)/.test(message) && EMPTY[field]) sentence = EMPTY[field]!;
  else if (DATES.has(field)) {
    sentence = /between/.test(message) ? `${label} must be between 1900 and 2100` : `${label} must be a real date`;
  } else {
    const longest = /^must be at most (\d+) characters$/.exec(message);
    sentence = longest
      ? `${label} must be ${Number(longest[1]).toLocaleString('en-GB')} characters or fewer`
      : `${label} ${message}`;
  }
  return { field, message: sentence, href };
}

/** Runs a task; on bad input (422) or a refusal (409), draws its page again with the errors. */
async function attempt(
  run: () => Promise<void>,
  redraw: (errors: PageError[], status: number) => Promise<void> | void,
): Promise<void> {
  try {
    await run();
  } catch (err) {
    if (err instanceof ValidationError) {
      const seen = new Set<string>();
      const errors = err.errors
        .filter((e) => !seen.has(e.field) && seen.add(e.field))
        .sort((a, b) => place(a.field) - place(b.field));
      return redraw(
        errors.map((e) => fieldError(e.field, e.message)),
        422,
      );
    }
    if (err instanceof AppError && err.status === 409)
      return redraw([{ field: 'body', message: err.message, href: '#main-content' }], 409);
    throw err;
  }
}

/** A date typed into the day, month and year boxes, or (from an older form, or a script) as YYYY-MM-DD. */
const typedDate = (body: Record<string, unknown>, name: string) => dateFrom(body, name) ?? (body[name] || undefined);

/** The day, month and year boxes of a YYYY-MM-DD date. */
function dateBoxes(name: string, iso: string | null | undefined): Record<string, string> {
  if (!iso) return {};
  const [year, month, day] = iso.split('-');
  return { [`${name}-day`]: String(Number(day)), [`${name}-month`]: String(Number(month)), [`${name}-year`]: year! };
}

/** The banner on the recommendation's page after each task (`?done=`), naming what changed. */
const DONE: Record<string, (part: AgencyPart, action?: { number: number; status: string }) => string> = {
  response: (p) => `Your response to recommendation ${p.number} is saved`,
  action: (p) => `Action added to recommendation ${p.number}`,
  status: (_p, a) =>
    a ? `Action ${a.number} is now ${ACTION_LABELS[a.status]!.toLowerCase()}` : 'Status of the action saved',
  update: (_p, a) => (a ? `Progress update added to action ${a.number}` : 'Progress update added'),
  implemented: (p) => `The outcome of recommendation ${p.number} is recorded as achieved`,
  acknowledged: (p) => `You have confirmed that recommendation ${p.number} reached you`,
};

function agencyRoutes(router: express.Router, ctx: WebContext) {
  const { services } = ctx;
  const recommendations = services.recommendations;
  const pageOf = (linkId: number) => `/recommendation-agencies/${linkId}`;

  router.get('/recommendations', async (req, res) => {
    const recs = await recommendations.forAgency(req.user!);
    const rows = recs.map((r: AgencyRec) => {
      const mine = withLabels(r.agencies[0]!);
      return {
        linkId: mine.id,
        number: r.number,
        short: shortText(r.text),
        stage: mine.stage,
        statusLabel: mine.statusLabel,
        statusTag: mine.statusTag,
        overdue: mine.overdue,
      };
    });
    const reviews: { id: number; reference: string; pseudonym: string; cspName: string; rows: typeof rows }[] = [];
    recs.forEach((r, i) => {
      let group = reviews.at(-1);
      if (group?.id !== r.reviewId) {
        group = { id: r.reviewId, reference: r.reference, pseudonym: r.pseudonym, cspName: r.cspName, rows: [] };
        reviews.push(group);
      }
      group.rows.push(rows[i]!);
    });
    render(req, res, 'recommendations/agency', {
      title: 'Recommendations addressed to you',
      reviews,
      counts: agencyCounts(rows),
    });
  });

  router.get('/recommendation-agencies/:id', async (req, res) => {
    const part = await recommendations.forAgencyLink(req.user!, idParam(req));
    const mine = withLabels(part.mine);
    const key = String(req.query.done ?? '');
    const done = Object.hasOwn(DONE, key) ? DONE[key] : undefined;
    const index = mine.actions.findIndex((a) => String(a.id) === req.query.action);
    const action = index < 0 ? undefined : { number: index + 1, status: mine.actions[index]!.status };
    render(req, res, 'recommendations/agency-recommendation', {
      title: `Recommendation ${part.number} – ${part.reference}`,
      part,
      mine,
      can: abilities(part.mine),
      banner: done ? { success: true, text: done(part, action) } : null,
      backLink: { href: '/recommendations', text: 'Back to the recommendations addressed to you' },
    });
  });

  /**
   * A task's page: the recommendation for context, then the task's one form, or why it cannot
   * be done now (on a POST, also in the error summary: 409).
   */
  function taskPage(
    req: Request,
    res: Response,
    task: Task,
    part: AgencyPart & { action?: Action },
    extra: { values?: Record<string, unknown>; errors?: PageError[] } = {},
    status = 200,
  ) {
    const { template, title, ability, defaults } = TASKS[task];
    const allowed = abilities(part.mine)[ability];
    render(
      req,
      res,
      `recommendations/${template}`,
      {
        title: title(part),
        part,
        action: part.action,
        allowed,
        notice: allowed || extra.errors?.length ? null : refusal(ability, part),
        values: extra.values ?? defaults(part, services.clock.now()),
        errors: extra.errors,
        responseOptions: Object.entries(RESPONSE_LABELS).map(([value, text]) => ({ value, text })),
        statusOptions: Object.entries(ACTION_LABELS).map(([value, text]) => ({ value, text })),
        backLink: { href: pageOf(part.mine.id), text: `Back to recommendation ${part.number}` },
      },
      status,
    );
  }

  /**
   * The GET and POST of a task's page, at one path: the part is found first (403 for any other
   * role, 404 for another organisation's), then the task is asked of the service.
   */
  function taskRoutes(
    path: string,
    task: Task,
    find: (req: Request) => Promise<AgencyPart & { action?: Action }>,
    run: (req: Request, part: AgencyPart & { action?: Action }) => Promise<string>,
    upload = false,
  ) {
    router.get(path, async (req, res) => {
      taskPage(req, res, task, await find(req));
    });
    const post = async (req: Request, res: Response) => {
      // A file upload's form token is read only once the upload is parsed (see UPLOAD_PATHS).
      if (upload) ctx.csrf.check(req);
      // A POST with no form at all reads as an empty one.
      req.body ??= {};
      const part = await find(req);
      const values: Record<string, unknown> = { ...req.body };
      delete values._csrf;
      if (!abilities(part.mine)[TASKS[task].ability]) {
        return taskPage(req, res, task, part, { values, errors: [refused(TASKS[task].ability, part)] }, 409);
      }
      await attempt(
        async () => res.redirect(`${pageOf(part.mine.id)}?done=${await run(req, part)}`),
        (errors, status) => taskPage(req, res, task, part, { values, errors }, status),
      );
    };
    if (upload) router.post(path, ctx.upload.single('file'), post);
    else router.post(path, post);
  }

  const link = (req: Request) => recommendations.forAgencyLink(req.user!, idParam(req));
  const action = (req: Request) => recommendations.forAgencyAction(req.user!, idParam(req));

  taskRoutes('/recommendation-agencies/:id/response', 'respond', link, async (req, part) => {
    await recommendations.respond(req.user!, part.mine.id, {
      response: req.body.response ?? '',
      rationale: req.body.rationale ?? '',
    });
    return 'response';
  });
  taskRoutes('/recommendation-agencies/:id/actions', 'addAction', link, async (req, part) => {
    await recommendations.addAction(req.user!, part.mine.id, {
      description: req.body.description ?? '',
      owner: req.body.owner ?? '',
      targetDate: typedDate(req.body, 'targetDate'),
    });
    return 'action';
  });
  taskRoutes('/actions/:id/status', 'status', action, async (req, part) => {
    await recommendations.setActionStatus(req.user!, part.action!.id, { status: req.body.status ?? '' });
    return `status&action=${part.action!.id}`;
  });
  taskRoutes(
    '/actions/:id/updates',
    'update',
    action,
    async (req, part) => {
      const file = req.file ? { filename: req.file.originalname, bytes: req.file.buffer } : undefined;
      await recommendations.addUpdate(
        req.user!,
        part.action!.id,
        { on: typedDate(req.body, 'on'), text: req.body.text ?? '' },
        file,
      );
      return `update&action=${part.action!.id}`;
    },
    true,
  );
  taskRoutes('/recommendation-agencies/:id/implemented', 'implement', link, async (req, part) => {
    await recommendations.markImplemented(req.user!, part.mine.id, { evidence: req.body.evidence ?? '' });
    return 'implemented';
  });
  router.post('/recommendation-agencies/:id/acknowledge', async (req, res) => {
    const linkId = idParam(req);
    await services.owners.acknowledge(req.user!, linkId);
    res.redirect(`${pageOf(linkId)}?done=acknowledged`);
  });
}

type Ability = keyof ReturnType<typeof abilities>;
type Task = 'respond' | 'addAction' | 'status' | 'update' | 'implement';

/** Each task's page: its template, heading, what it needs to be allowed, and what its form starts with. */
const TASKS: Record<
  Task,
  {
    template: string;
    title: (part: AgencyPart) => string;
    ability: Ability;
    defaults: (part: AgencyPart & { action?: Action }, now: Date) => Record<string, unknown>;
  }
> = {
  respond: {
    template: 'agency-respond',
    title: (p) => `Respond to recommendation ${p.number}`,
    ability: 'respond',
    defaults: (p) => ({ response: p.mine.response ?? '', rationale: p.mine.rationale ?? '' }),
  },
  addAction: {
    template: 'agency-add-action',
    title: (p) => `Add an action to recommendation ${p.number}`,
    ability: 'addAction',
    defaults: () => ({}),
  },
  status: {
    template: 'agency-action-status',
    title: () => 'Update the status of the action',
    ability: 'changeActions',
    defaults: (p) => ({ status: p.action?.status ?? '' }),
  },
  update: {
    template: 'agency-add-update',
    title: () => 'Add a progress update',
    ability: 'changeActions',
    defaults: (_p, now) => dateBoxes('on', toIsoDate(now)),
  },
  implement: {
    template: 'agency-implemented',
    title: (p) => `Mark recommendation ${p.number} as implemented`,
    ability: 'implement',
    defaults: (p) => ({ evidence: p.mine.evidence ?? '' }),
  },
};

/** A task refused in the error summary: a sentence about the whole form, not linked to a field. */
const refused = (task: Ability, part: AgencyPart): PageError => ({
  field: 'body',
  message: refusal(task, part),
  href: '#main-content',
});
