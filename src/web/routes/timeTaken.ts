import type express from 'express';
import { STAGES, STAGE_NAMES } from '../../clocks/stages';
import type { StageFigure } from '../../clocks/figures';
import { longDate } from '../../core/dates';
import type { WebContext } from '../context';
import { render } from '../forms';
import { unitName } from '../clockRows';
import { timeChart } from '../timeChart';
import { allowRoles } from '../roles';
import { NATIONAL_READERS } from '../../core/scope';
import { queryText } from './secretariat/common';

const number = (n: number | null) => (n === null ? '–' : String(Math.round(n * 10) / 10));

/** A row of figures as the tables show them. */
const shown = (f: StageFigure) => ({
  ended: f.ended,
  median: number(f.median),
  p90: number(f.p90),
  met: f.metPercent === null ? '–' : `${f.metPercent}%`,
});

/** How long each stage of a review takes, nationally: per stage, per quarter and per CSP. */
export function timeTakenRoutes(router: express.Router, { services }: WebContext) {
  router.get('/time-taken', async (req, res) => {
    const user = allowRoles(
      req,
      NATIONAL_READERS,
      'Only the panel, its secretariat and oversight can see the national figures',
    );
    const figures = await services.stageFigures.figures(user, { stage: queryText(req.query.stage) });
    const unitOf = (stage: (typeof STAGES)[number]) => unitName(figures.units[stage]);
    const headline = figures.stages.find((s) => s.stage === 'panel_to_letter')!;
    const { current } = await services.stageTargets.get();
    render(req, res, 'national/time-taken', {
      title: 'Time taken',
      publishedOnly: user.role === 'commissioner',
      since: longDate(figures.since),
      headline: { ...shown(headline), unit: unitOf('panel_to_letter') },
      stages: figures.stages.map((s) => ({ ...s, ...shown(s), unit: unitOf(s.stage) })),
      stage: { value: figures.stage, name: STAGE_NAMES[figures.stage].name, unit: unitOf(figures.stage) },
      stageOptions: STAGES.map((s) => ({ value: s, text: STAGE_NAMES[s].name })),
      quarters: figures.quarters.map((q) => ({ label: q.label, ...shown(q) })),
      // Built by the app from figures and fixed labels, every text escaped: see timeChart.ts.
      chart: timeChart(figures.quarters, {
        stage: STAGE_NAMES[figures.stage].name,
        unit: unitOf(figures.stage),
        target: current.targets[figures.stage].days,
      }),
      csps: figures.csps.map((c) => ({ csp: c.csp, ...shown(c) })),
    });
  });
}
