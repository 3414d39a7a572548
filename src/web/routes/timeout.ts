import type express from 'express';
import { NotFoundError } from '../../core/errors';
import { render } from '../forms';
import { isLocalPath } from './auth';
import type { WebContext } from '../context';

/**
 * Signing out after two idle hours, done as GOV.UK services do: the page warns before it
 * happens and "Stay signed in" keeps the session; a form sent after it happened is kept,
 * and given back here once its user has signed in again.
 */
export function timeoutRoutes(router: express.Router, { sessions, keptForms }: WebContext) {
  router.post('/session/keep-alive', async (req, res) => {
    res.json({ secondsLeft: await sessions.keepAlive(req) });
  });

  router.get('/resume/:id', async (req, res) => {
    const kept = await keptForms.takeBack(req.user!.id, String(req.params.id).slice(0, 100));
    if (!kept || !isLocalPath(kept.action)) throw new NotFoundError('No form is kept with this id');
    render(req, res, 'resume', {
      title: 'Carry on where you left off',
      action: kept.action,
      fields: Object.entries(kept.fields).flatMap(([name, value]) =>
        (Array.isArray(value) ? value : [value]).map((v) => ({ name, value: v })),
      ),
    });
  });
}
