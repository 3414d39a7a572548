import type express from 'express';
import type { Request, Response } from 'express';
import { ValidationError } from '../../../services/errors';
import { handleForm, render, type PageError } from '../../forms';
import type { WebContext } from '../../index';
import { idParam } from '../../../http';
import { allowRoles, formText } from './common';

/**
 * The house templates, for the secretariat: every letter and email, edited here,
 * previewed against a sample review, saved as a new version, and any earlier
 * version viewed and restored.
 */
export function templateRoutes(router: express.Router, { services }: WebContext) {
  const { templates } = services;
  const who = (req: Request) => allowRoles(req, ['secretariat'], 'Only the panel secretariat can change templates');
  const kindOf = (req: Request) => String(req.params.kind);

  router.get('/admin/templates', async (req, res) => {
    const list = await templates.list(who(req));
    render(req, res, 'secretariat/admin/templates', {
      title: 'Letter and email templates',
      letters: list.filter((t) => t.group === 'letter'),
      emails: list.filter((t) => t.group === 'email'),
      backLink: { href: '/admin', text: 'Administration' },
    });
  });

  async function editPage(
    req: Request,
    res: Response,
    extra: {
      body?: string;
      errors?: PageError[];
      preview?: { html: string | null; text: string | null };
      /** The version the user was editing, when someone else saved a newer one meanwhile. */
      editing?: number;
    } = {},
    status = 200,
  ) {
    const user = who(req);
    const kind = kindOf(req);
    const [template, versions] = await Promise.all([templates.get(user, kind), templates.versions(user, kind)]);
    const banner =
      typeof req.query.saved === 'string'
        ? req.query.saved === 'unchanged'
          ? { success: true, text: 'Nothing changed, so no new version was made' }
          : { success: true, text: `Version ${req.query.saved} saved: letters drafted from now on use it` }
        : typeof req.query.restored === 'string'
          ? { success: true, text: `Version ${req.query.restored} restored as version ${template.version}` }
          : null;
    render(
      req,
      res,
      'secretariat/admin/template',
      {
        title: template.title,
        template: {
          ...template,
          placeholders: template.placeholders.map((p) => ({ ...p, syntax: `{{${p.name}}}` })),
          blocks: template.blocks.map((b) => ({ ...b, syntax: `{{> ${b.name}}}` })),
        },
        versions,
        body: extra.body ?? template.body,
        expectedVersion: extra.editing ?? template.version,
        conflict: extra.editing !== undefined ? versions.find((v) => v.version === template.version) : null,
        // A subject is one line; a letter's box is as tall as the letter, within reason.
        rows:
          template.format === 'subject'
            ? 2
            : Math.min(Math.max((extra.body ?? template.body).split('\n').length + 2, 10), 40),
        preview: extra.preview,
        errors: extra.errors,
        banner: extra.errors ? null : banner,
        backLink: { href: '/admin/templates', text: 'All templates' },
      },
      status,
    );
  }

  router.get('/admin/templates/:kind', async (req, res) => {
    await editPage(req, res);
  });

  router.post('/admin/templates/:kind', async (req, res) => {
    const user = who(req);
    const kind = kindOf(req);
    const body = formText(req.body.body);
    const bodyErrors = (errors: PageError[]) => errors.map((e) => ({ ...e, field: 'body', href: '#body' }));
    if (req.body.action === 'preview') {
      try {
        const preview = await templates.preview(user, kind, { body });
        return editPage(req, res, { body, preview });
      } catch (err) {
        if (err instanceof ValidationError) {
          return editPage(req, res, { body, errors: bodyErrors(err.errors as PageError[]) }, 422);
        }
        throw err;
      }
    }
    await handleForm(
      async () => {
        const saved = await templates.save(user, kind, {
          body,
          expectedVersion: Number(req.body.expectedVersion) || undefined,
        });
        res.redirect(
          `/admin/templates/${encodeURIComponent(kind)}?saved=${saved.changed ? saved.version : 'unchanged'}`,
        );
      },
      (errors, status) => editPage(req, res, { body, errors: bodyErrors(errors) }, status),
    );
  });

  router.get('/admin/templates/:kind/versions/:version', async (req, res) => {
    const user = who(req);
    const kind = kindOf(req);
    const [template, version] = await Promise.all([
      templates.get(user, kind),
      templates.version(user, kind, idParam(req, 'version')),
    ]);
    const preview = await templates.preview(user, kind, { body: version.body }).catch(() => null);
    render(req, res, 'secretariat/admin/template-version', {
      title: `${template.title}, version ${version.version}`,
      template,
      version,
      preview,
      backLink: { href: `/admin/templates/${encodeURIComponent(kind)}`, text: template.title },
    });
  });

  router.post('/admin/templates/:kind/versions/:version/restore', async (req, res) => {
    const kind = kindOf(req);
    const version = idParam(req, 'version');
    const restored = await templates.restore(who(req), kind, version);
    res.redirect(
      `/admin/templates/${encodeURIComponent(kind)}?${restored.changed ? `restored=${version}` : 'saved=unchanged'}`,
    );
  });
}
