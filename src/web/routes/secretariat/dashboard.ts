import type express from 'express';
import { render } from '../../forms';
import type { WebContext } from '../../context';
import { pipelineChart } from '../../pipelineChart';
import { count } from '../../clockRows';

/** The Home Office's start page: what needs doing now, and how the pipeline stands. */
export function dashboardRoutes(router: express.Router, { services }: WebContext) {
  router.get('/dashboard', async (req, res) => {
    // The service refuses anyone but the panel and its secretariat.
    const dashboard = await services.dashboard.get(req.user!);
    const { counts, stages } = dashboard.stats;
    const median = new Map(stages.map((s) => [s.state, s.medianDays]));
    render(req, res, 'secretariat/dashboard', {
      title: 'Dashboard',
      ...dashboard,
      overdue: {
        ...dashboard.overdue,
        reviews: dashboard.overdue.reviews.map((r) => ({
          ...r,
          late: `${r.stageName}: ${count(r.over, r.unit)} over target`,
        })),
      },
      headline: {
        ...dashboard.headline,
        median: dashboard.headline.median === null ? null : count(dashboard.headline.median, dashboard.headline.unit),
        p90: dashboard.headline.p90 === null ? null : count(dashboard.headline.p90, dashboard.headline.unit),
      },
      // Built by the app from figures and fixed labels, every text escaped: see pipelineChart.ts.
      chart: pipelineChart(counts),
      pipeline: counts.map((c) => {
        const days = median.get(c.state);
        return {
          ...c,
          // Published and withdrawn are where reviews end, so they have no time "in" them.
          medianDays: days === null || days === undefined ? '–' : String(days),
          href: `/reviews?state=${c.state}`,
        };
      }),
      total: counts.reduce((sum, c) => sum + c.count, 0),
    });
  });
}
