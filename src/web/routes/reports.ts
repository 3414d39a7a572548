import type express from 'express';
import type { Request, Response } from 'express';
import { organisationIdParam, type ReportDocument } from '../../services/reports';
import { render } from '../forms';
import type { WebContext } from '../context';
import { idParam } from '../../http';

/** The generated progress reports and agency responses, as pages and as PDFs. */
export function reportRoutes(router: express.Router, { services }: WebContext) {
  const { reports } = services;

  function show(
    req: Request,
    res: Response,
    doc: ReportDocument,
    pdfHref: string,
    back: { href: string; text: string },
  ) {
    render(req, res, 'recommendations/report', { title: doc.title, doc, pdfHref, backLink: back });
  }

  async function sendPdf(req: Request, res: Response, doc: ReportDocument) {
    const pdf = await reports.pdf(req.user!, doc);
    res.type('application/pdf').attachment(pdf.filename).send(pdf.content);
  }

  /** Keeps ?organisationId= on the PDF link when the page was asked for one. */
  const withQuery = (req: Request, path: string) => {
    const org = organisationIdParam(req.query.organisationId);
    return org === undefined ? path : `${path}?organisationId=${org}`;
  };

  router.get('/reviews/:id/recommendations/report', async (req, res) => {
    const id = idParam(req);
    const doc = await reports.reviewReport(req.user!, id);
    show(req, res, doc, `/reviews/${id}/recommendations/report.pdf`, {
      href: `/reviews/${id}/recommendations`,
      text: 'Back to the recommendations',
    });
  });
  router.get('/reviews/:id/recommendations/report.pdf', async (req, res) => {
    await sendPdf(req, res, await reports.reviewReport(req.user!, idParam(req)));
  });

  router.get('/recommendations/report', async (req, res) => {
    const doc = await reports.agencyReport(req.user!, organisationIdParam(req.query.organisationId));
    show(req, res, doc, withQuery(req, '/recommendations/report.pdf'), {
      href: '/recommendations',
      text: 'Back to the recommendations',
    });
  });
  router.get('/recommendations/report.pdf', async (req, res) => {
    await sendPdf(req, res, await reports.agencyReport(req.user!, organisationIdParam(req.query.organisationId)));
  });

  router.get('/reviews/:id/recommendations/response', async (req, res) => {
    const id = idParam(req);
    const doc = await reports.agencyResponse(req.user!, id, organisationIdParam(req.query.organisationId));
    show(
      req,
      res,
      doc,
      withQuery(req, `/reviews/${id}/recommendations/response.pdf`),
      req.user!.role === 'agency'
        ? { href: '/recommendations', text: 'Back to the recommendations' }
        : { href: `/reviews/${id}/recommendations`, text: 'Back to the recommendations' },
    );
  });
  router.get('/reviews/:id/recommendations/response.pdf', async (req, res) => {
    const doc = await reports.agencyResponse(req.user!, idParam(req), organisationIdParam(req.query.organisationId));
    await sendPdf(req, res, doc);
  });
}
