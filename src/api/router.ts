import express, { type NextFunction, type Request, type Response } from 'express';
import { readsNational } from '../core/scope';
import type { User } from '../core/user';
import { ForbiddenError, NotFoundError, UnauthorizedError, ValidationError } from '../core/errors';
import type { Services } from '../services';
import { documentUpload } from '../services/documentTypes';
import { organisationIdParam } from '../services/reports';
import { sendReport } from './reports';
import { idParam } from '../http';
import { withVersions } from '../db/cacheVersions';

declare module 'express-serve-static-core' {
  interface Request {
    user?: User;
  }
}

function user(req: Request): User {
  if (!req.user) throw new UnauthorizedError();
  return req.user;
}

export function apiRouter(services: Services, options: { maxUploadBytes: number }): express.Router {
  const { accounts, directory, meetings, reviews, letters, mail, settings, stageTargets, stageFigures } = services;
  const router = express.Router();
  const upload = documentUpload(services, { fileSize: options.maxUploadBytes, fields: 4, parts: 5 });

  router.use(express.json({ limit: '1mb' }));
  // Answers concern named reviews of deaths: no cache along the way may keep them.
  router.use((_req: Request, res: Response, next: NextFunction) => {
    res.set('Cache-Control', 'no-store');
    next();
  });

  // A body that is not JSON would otherwise arrive as nothing and be judged as missing fields.
  router.use((req: Request, _res: Response, next: NextFunction) => {
    const hasBody = ['POST', 'PUT', 'PATCH'].includes(req.method) && Number(req.headers['content-length'] ?? 0) > 0;
    if (hasBody && !req.is('application/json') && !req.is('multipart/form-data')) {
      res415(next);
      return;
    }
    next();
  });

  router.post('/session', async (req, res) => {
    const { token, user: u } = await accounts.signIn(req.body ?? {}, { address: req.ip });
    res.json({ token, user: { id: u.id, email: u.email, name: u.name, role: u.role } });
  });

  router.use(async (req: Request, _res: Response, next: NextFunction) => {
    const header = req.headers.authorization ?? '';
    const match = /^Bearer ([A-Za-z0-9_-]{20,100})$/.exec(header);
    const found = match ? await accounts.tokenHolder(match[1]!) : null;
    if (!found) throw new UnauthorizedError();
    req.user = found.user;
    // The rest of the request serves the process's caches while the versions read with the token hold.
    withVersions(services.db, found.cacheVersions, next);
  });

  router.delete('/session', async (req, res) => {
    await accounts.revokeToken(req.headers.authorization!.slice('Bearer '.length));
    res.status(204).end();
  });

  router.get('/me', (req, res) => {
    res.json(user(req));
  });

  router.get('/police-force-areas', async (_req, res) => {
    res.json(await directory.listPoliceForceAreas());
  });
  router.put('/police-force-areas/:id', async (req, res) => {
    res.json(await directory.updatePcc(user(req), idParam(req, 'id'), req.body ?? {}));
  });

  router.get('/csps', async (req, res) => {
    res.json(await directory.listCsps(user(req)));
  });
  router.post('/csps', async (req, res) => {
    res.status(201).json(await directory.createCsp(user(req), req.body ?? {}));
  });
  router.put('/csps/:id', async (req, res) => {
    res.json(await directory.updateCsp(user(req), idParam(req, 'id'), req.body ?? {}));
  });

  const { accountAdmin } = services;
  router.get('/users', async (req, res) => {
    res.json(await accountAdmin.list(user(req)));
  });
  router.get('/users/:id', async (req, res) => {
    const id = idParam(req, 'id');
    res.json({ ...(await accountAdmin.get(user(req), id)), history: await accountAdmin.history(user(req), id) });
  });
  router.post('/users/:id/disable', async (req, res) => {
    res.json(await accountAdmin.disable(user(req), idParam(req, 'id')));
  });
  router.post('/users/:id/enable', async (req, res) => {
    res.json(await accountAdmin.enable(user(req), idParam(req, 'id')));
  });
  router.post('/users/:id/sign-out', async (req, res) => {
    res.json(await accountAdmin.signOut(user(req), idParam(req, 'id')));
  });
  router.post('/users/:id/password-reset', async (req, res) => {
    res.status(202).json(await accountAdmin.sendPasswordReset(user(req), idParam(req, 'id')));
  });
  router.post('/users/:id/two-factor-reset', async (req, res) => {
    res.json(await accountAdmin.resetTwoFactor(user(req), idParam(req, 'id')));
  });
  router.post('/users', async (req, res) => {
    res.status(201).json(await accounts.createUserAs(user(req), req.body ?? {}));
  });

  router.get('/panel-meetings', async (req, res) => {
    res.json(await meetings.list(user(req)));
  });
  router.post('/panel-meetings', async (req, res) => {
    res.status(201).json(await meetings.create(user(req), req.body ?? {}));
  });
  router.get('/panel-meetings/:id', async (req, res) => {
    res.json(await meetings.get(user(req), idParam(req, 'id')));
  });

  router.post('/panel-meetings/:id/send-letters', async (req, res) => {
    res.json(await reviews.sendMeetingLetters(user(req), idParam(req, 'id')));
  });

  router.get('/letters/:id', async (req, res) => {
    res.json(await letters.get(user(req), idParam(req, 'id')));
  });
  router.get('/letters/:id/pdf', async (req, res) => {
    const pdf = await letters.pdf(user(req), idParam(req, 'id'));
    res.type('application/pdf').attachment(pdf.filename).send(pdf.content);
  });
  router.patch('/letters/:id', async (req, res) => {
    res.json(await letters.update(user(req), idParam(req, 'id'), req.body ?? {}));
  });

  const { templates } = services;
  router.get('/letter-templates', async (req, res) => {
    res.json(await templates.list(user(req)));
  });
  router.get('/letter-templates/:kind', async (req, res) => {
    res.json(await templates.get(user(req), req.params.kind as string));
  });
  router.put('/letter-templates/:kind', async (req, res) => {
    res.json(await templates.save(user(req), req.params.kind as string, req.body ?? {}));
  });
  router.post('/letter-templates/:kind/preview', async (req, res) => {
    res.json(await templates.preview(user(req), req.params.kind as string, req.body ?? {}));
  });
  router.get('/letter-templates/:kind/versions', async (req, res) => {
    res.json(await templates.versions(user(req), req.params.kind as string));
  });
  router.get('/letter-templates/:kind/versions/:version', async (req, res) => {
    res.json(await templates.version(user(req), req.params.kind as string, idParam(req, 'version')));
  });
  router.post('/letter-templates/:kind/versions/:version/restore', async (req, res) => {
    const restored = await templates.restore(
      user(req),
      req.params.kind as string,
      idParam(req, 'version'),
      req.body ?? {},
    );
    res.status(restored.changed ? 201 : 200).json(restored);
  });

  router.get('/settings', async (req, res) => {
    if (user(req).role !== 'secretariat' && user(req).role !== 'panel') {
      throw new ForbiddenError('Only the panel and its secretariat can see the settings');
    }
    res.json(await settings.get());
  });
  router.patch('/settings', async (req, res) => {
    res.json(await settings.update(user(req), req.body ?? {}));
  });

  // The targets each stage of a review is measured against: every version, and the bank holidays.
  router.get('/stage-targets', async (req, res) => {
    if (!readsNational(user(req))) {
      throw new ForbiddenError('Only the panel, its secretariat and oversight can see the stage targets');
    }
    res.json(await stageTargets.get());
  });
  router.get('/stage-times', async (req, res) => {
    res.json(await stageFigures.figures(user(req), { stage: req.query.stage }));
  });
  router.put('/stage-targets', async (req, res) => {
    const { changed, ...saved } = await stageTargets.save(user(req), req.body ?? {});
    res.status(changed ? 201 : 200).json(saved);
  });

  router.get('/mail', async (req, res) => {
    res.json(await mail.list(user(req), { ...req.query }));
  });
  router.get('/mail/:id', async (req, res) => {
    res.json(await mail.get(user(req), idParam(req, 'id')));
  });
  router.get('/mail/:id/eml', async (req, res) => {
    // The message first: a refusal must not go out dressed as a download.
    const id = idParam(req, 'id');
    const raw = await mail.raw(user(req), id);
    res.type('message/rfc822').attachment(`message-${id}.eml`).send(raw);
  });
  router.post('/mail/:id/retry', async (req, res) => {
    res.json(await mail.retry(user(req), idParam(req, 'id')));
  });

  const { recommendations } = services;
  router.post('/reviews/:id/recommendations/import', async (req, res) => {
    res.json(await recommendations.import(user(req), idParam(req, 'id'), req.body ?? {}));
  });
  router.get('/reviews/:id/recommendations', async (req, res) => {
    res.json(await recommendations.forReview(user(req), idParam(req, 'id')));
  });
  router.get('/recommendations', async (req, res) => {
    res.json(await recommendations.forAgency(user(req)));
  });
  router.get('/organisations', async (req, res) => {
    res.json(await recommendations.organisationsList(user(req)));
  });
  router.put('/organisations/:id', async (req, res) => {
    res.json(await services.national.setOrganisationKind(user(req), idParam(req, 'id'), req.body ?? {}));
  });
  router.get('/national', async (req, res) => {
    res.json(await services.national.figures(user(req), { ...req.query }));
  });
  router.post('/recommendation-agencies/:id/response', async (req, res) => {
    await recommendations.respond(user(req), idParam(req, 'id'), req.body ?? {});
    res.status(204).end();
  });
  router.post('/recommendation-agencies/:id/actions', async (req, res) => {
    res.status(201).json({ id: await recommendations.addAction(user(req), idParam(req, 'id'), req.body ?? {}) });
  });
  router.post('/recommendation-agencies/:id/implemented', async (req, res) => {
    await recommendations.markImplemented(user(req), idParam(req, 'id'), req.body ?? {});
    res.status(204).end();
  });
  router.post('/recommendation-agencies/:id/reopen', async (req, res) => {
    await recommendations.reopen(user(req), idParam(req, 'id'), req.body ?? {});
    res.status(204).end();
  });
  const { qaCriteria, qaChecklist } = services;
  router.get('/qa-criteria', async (req, res) => {
    res.json(await qaCriteria.versions(user(req)));
  });
  router.put('/qa-criteria', async (req, res) => {
    res.json(await qaCriteria.save(user(req), req.body ?? {}));
  });
  router.get('/reviews/:id/qa-checklist', async (req, res) => {
    res.json(await qaChecklist.forReview(user(req), idParam(req, 'id')));
  });
  router.put('/reviews/:id/qa-checklist', async (req, res) => {
    res.json(await qaChecklist.save(user(req), idParam(req, 'id'), req.body ?? {}));
  });
  router.put('/reviews/:id/scoping', async (req, res) => {
    res.json(await services.scoping.record(user(req), idParam(req, 'id'), req.body ?? {}));
  });
  router.get('/national/qa-criteria', async (req, res) => {
    res.json(await qaChecklist.national(user(req)));
  });
  const { owners } = services;
  router.put('/recommendations/:id/level', async (req, res) => {
    res.json(await owners.setLevel(user(req), idParam(req, 'id'), req.body ?? {}));
  });
  router.get('/recommendations/triage', async (req, res) => {
    res.json(await owners.triageQueue(user(req)));
  });
  router.post('/recommendations/:id/assign', async (req, res) => {
    res.json(await owners.assign(user(req), idParam(req, 'id'), req.body ?? {}));
  });
  router.post('/recommendation-agencies/:id/acknowledge', async (req, res) => {
    res.json(await owners.acknowledge(user(req), idParam(req, 'id')));
  });
  router.post('/recommendation-agencies/:id/extend', async (req, res) => {
    res.json(await owners.extend(user(req), idParam(req, 'id'), req.body ?? {}));
  });
  router.put('/reviews/:id/chair', async (req, res) => {
    res.json(await owners.setChair(user(req), idParam(req, 'id'), req.body ?? {}));
  });
  router.put('/recommendations/:id/themes', async (req, res) => {
    res.json({ themes: await services.themes.set(user(req), idParam(req, 'id'), req.body ?? {}) });
  });
  router.put('/actions/:id/status', async (req, res) => {
    await recommendations.setActionStatus(user(req), idParam(req, 'id'), req.body ?? {});
    res.status(204).end();
  });
  // JSON, or multipart with an optional evidence document in "file".
  router.post('/actions/:id/updates', upload.single('file'), async (req, res) => {
    const { on, text } = req.body ?? {};
    const file = req.file ? { filename: req.file.originalname, bytes: req.file.buffer } : undefined;
    await recommendations.addUpdate(user(req), idParam(req, 'id'), { on, text }, file);
    res.status(201).end();
  });
  router.get('/action-updates/:id/evidence', async (req, res) => {
    const doc = await recommendations.evidence(user(req), idParam(req, 'id'));
    res.attachment(doc.filename).type(doc.contentType).send(doc.content);
  });
  const { reports } = services;
  router.get('/reviews/:id/recommendations/report', async (req, res) => {
    await sendReport(req, res, reports, () => reports.reviewReport(user(req), idParam(req, 'id')));
  });
  router.get('/recommendations/report', async (req, res) => {
    const org = organisationIdParam(req.query.organisationId);
    await sendReport(req, res, reports, () => reports.agencyReport(user(req), org));
  });
  router.get('/reviews/:id/recommendations/response', async (req, res) => {
    const org = organisationIdParam(req.query.organisationId);
    await sendReport(req, res, reports, () => reports.agencyResponse(user(req), idParam(req, 'id'), org));
  });

  router.get('/reviews', async (req, res) => {
    res.json(await reviews.list(user(req), { ...req.query }));
  });
  router.post('/reviews', async (req, res) => {
    res.status(201).json(await reviews.create(user(req), req.body ?? {}));
  });
  router.get('/reviews/:id', async (req, res) => {
    res.json(await reviews.view(user(req), idParam(req, 'id')));
  });
  router.post('/reviews/:id/events', async (req, res) => {
    res.json(await reviews.sendEvent(user(req), idParam(req, 'id'), req.body ?? {}));
  });
  // Where the final report went: the list as the review shows it, and a recipient recorded.
  router.get('/reviews/:id/distribution', async (req, res) => {
    const review = await reviews.view(user(req), idParam(req, 'id'));
    res.json(review.distribution ?? { lines: [], complete: false });
  });
  router.post('/reviews/:id/distribution', async (req, res) => {
    const id = idParam(req, 'id');
    const recorded = await services.distribution.record(user(req), id, req.body ?? {});
    const review = await reviews.view(user(req), id);
    res.status(recorded.changed ? 201 : 200).json(review.distribution);
  });
  router.post('/reviews/:id/documents', upload.single('file'), async (req, res) => {
    const file = req.file;
    // `replaces`: the id of a document uploaded in error, which this one takes the place of.
    const replaces = req.body?.replaces;
    if (replaces !== undefined && !/^\d{1,9}$/.test(String(replaces))) {
      throw ValidationError.field('replaces', "must be the id of one of the review's documents");
    }
    const doc = await reviews.attachDocument(
      user(req),
      idParam(req, 'id'),
      { kind: req.body?.kind, filename: file?.originalname ?? '', bytes: file?.buffer ?? Buffer.alloc(0) },
      replaces === undefined ? undefined : Number(replaces),
    );
    res.status(201).json(doc);
  });
  router.get('/reviews/:id/documents/:documentId', async (req, res) => {
    const doc = await reviews.document(user(req), idParam(req, 'id'), idParam(req, 'documentId'));
    res.attachment(doc.filename).type(doc.contentType).send(doc.content);
  });

  router.use(() => {
    throw new NotFoundError('No such API endpoint');
  });
  return router;
}

function res415(next: NextFunction) {
  const err = Object.assign(new Error('Send the body as JSON with "Content-Type: application/json"'), {
    status: 415,
    expose: true,
  });
  next(err);
}
