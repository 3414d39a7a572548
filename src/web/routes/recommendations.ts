import type express from 'express';
import type { Request, Response } from 'express';
import type { Services } from '../../services';
import { ForbiddenError } from '../../services/errors';
import { ACTION_LABELS, RESPONSE_LABELS, STATUS_LABELS } from '../../recommendations/labels';
import { suggestThemes, THEMES } from '../../recommendations/themes';
import { handleForm, render, type PageError } from '../forms';
import type { WebContext } from '../index';
import { idParam } from '../../http';

type Rec = Awaited<ReturnType<Services['recommendations']['forReview']>>[number];

/** Progress of one recommendation: its agencies' actions completed, implemented counting as done. */
function progress(rec: Rec) {
  let done = 0;
  let total = 0;
  for (const a of rec.agencies) {
    if (a.status === 'implemented') {
      done += 1;
      total += 1;
    } else if (a.status !== 'not_accepted') {
      total += Math.max(a.actions.length, 1);
      done += a.actions.filter((x) => x.status === 'completed').length;
    }
  }
  return { done, total, percent: total ? Math.round((done / total) * 100) : 0 };
}

export function recommendationRoutes(router: express.Router, ctx: WebContext) {
  const { services } = ctx;

  router.get('/reviews/:id/recommendations', async (req, res) => {
    const id = idParam(req);
    const review = await services.reviews.view(req.user!, id);
    const recs = await services.recommendations.forReview(req.user!, id);
    const rows = recs.map((r) => ({
      ...r,
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
        statusLabel: STATUS_LABELS[a.status],
        actions: a.actions.map((x) => ({ ...x, statusLabel: ACTION_LABELS[x.status] })),
        overdue: a.actions.some((x) => x.overdue),
      })),
    }));
    const totals = rows.reduce((t, r) => ({ done: t.done + r.progress.done, total: t.total + r.progress.total }), {
      done: 0,
      total: 0,
    });
    render(req, res, 'recommendations/review', {
      title: `Recommendations – ${review.reference}`,
      review,
      rows,
      overall: { ...totals, percent: totals.total ? Math.round((totals.done / totals.total) * 100) : 0 },
      overdueCount: rows.filter((r) => r.agencies.some((a) => a.overdue)).length,
      canImport: req.user!.role === 'secretariat' || req.user!.role === 'csp',
      canReopen: req.user!.role === 'secretariat' || req.user!.role === 'csp',
      banner: req.query.imported
        ? { success: true, text: 'Recommendations saved' }
        : req.query.reopened
          ? { success: true, text: 'Recommendation reopened' }
          : null,
      backLink: { href: `/reviews/${id}`, text: `Back to ${review.reference}` },
    });
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
    if (req.user!.role !== 'secretariat' && req.user!.role !== 'csp')
      throw new ForbiddenError('Only the CSP or the panel secretariat can import recommendations');
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
      (errors, status) => showImport(req, res, id, { errors }, status),
      { content: 'The list' },
    );
  });

  router.post('/recommendations/:id/themes', async (req, res) => {
    const recId = idParam(req);
    const chosen = ([] as string[]).concat(req.body.themes ?? []);
    await services.themes.set(req.user!, recId, { themes: chosen });
    res.redirect(`/reviews/${Number(req.body.reviewId)}/recommendations?themes=1#rec-${recId}`);
  });

  router.post('/recommendation-agencies/:id/reopen', async (req, res) => {
    const linkId = idParam(req);
    const reviewId = Number(req.body.reviewId);
    await services.recommendations.reopen(req.user!, linkId, { reason: String(req.body.reason ?? '') });
    res.redirect(`/reviews/${reviewId}/recommendations?reopened=1`);
  });

  // Agencies: what is addressed to their organisation.
  async function agencyPage(req: Request, res: Response, errors?: PageError[], status = 200) {
    const recs = await services.recommendations.forAgency(req.user!);
    render(
      req,
      res,
      'recommendations/agency',
      {
        title: 'Recommendations addressed to you',
        rows: recs.map((r) => {
          const mine = r.agencies[0]!;
          return {
            ...r,
            mine: {
              ...mine,
              statusLabel: STATUS_LABELS[mine.status],
              actions: mine.actions.map((x) => ({ ...x, statusLabel: ACTION_LABELS[x.status] })),
            },
          };
        }),
        errors,
        values: req.body ?? {},
        banner: req.query.saved ? { success: true, text: 'Saved' } : null,
      },
      status,
    );
  }

  router.get('/recommendations', async (req, res) => {
    await agencyPage(req, res);
  });

  const agencyForm = (
    path: string,
    run: (req: Request, id: number) => Promise<unknown>,
    labels: Record<string, string>,
  ) =>
    router.post(path, async (req, res) => {
      const id = idParam(req);
      await handleForm(
        async () => {
          await run(req, id);
          res.redirect(`/recommendations?saved=1#r-${req.body.anchor ?? ''}`);
        },
        (errors, status) => agencyPage(req, res, errors, status),
        labels,
      );
    });

  agencyForm(
    '/recommendation-agencies/:id/response',
    (req, id) =>
      services.recommendations.respond(req.user!, id, {
        response: req.body.response ?? '',
        rationale: req.body.rationale ?? '',
      }),
    { response: 'Response', rationale: 'Rationale' },
  );
  agencyForm(
    '/recommendation-agencies/:id/actions',
    (req, id) =>
      services.recommendations.addAction(req.user!, id, {
        description: req.body.description ?? '',
        owner: req.body.owner ?? '',
        targetDate: req.body.targetDate ?? '',
      }),
    { description: 'Action', owner: 'Owner', targetDate: 'Target date' },
  );
  agencyForm(
    '/actions/:id/status',
    (req, id) => services.recommendations.setActionStatus(req.user!, id, { status: req.body.status ?? '' }),
    { status: 'Status' },
  );
  router.post('/actions/:id/updates', ctx.upload.single('file'), async (req, res) => {
    ctx.csrf.check(req);
    const id = idParam(req);
    const file = req.file ? { filename: req.file.originalname, bytes: req.file.buffer } : undefined;
    await handleForm(
      async () => {
        await services.recommendations.addUpdate(
          req.user!,
          id,
          { on: req.body.on ?? '', text: req.body.text ?? '' },
          file,
        );
        res.redirect(`/recommendations?saved=1#r-${req.body.anchor ?? ''}`);
      },
      (errors, status) => agencyPage(req, res, errors, status),
      { on: 'Date of the update', text: 'Progress update', file: 'Evidence' },
    );
  });

  router.get('/action-updates/:id/evidence', async (req, res) => {
    const doc = await services.recommendations.evidence(req.user!, idParam(req));
    res.attachment(doc.filename).type(doc.contentType).send(doc.content);
  });
  agencyForm(
    '/recommendation-agencies/:id/implemented',
    (req, id) => services.recommendations.markImplemented(req.user!, id, { evidence: req.body.evidence ?? '' }),
    { evidence: 'Evidence' },
  );
}
