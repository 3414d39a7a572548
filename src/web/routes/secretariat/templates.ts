import type express from 'express';
import type { Request, Response } from 'express';
import { ConflictError, ValidationError } from '../../../core/errors';
import { render, type PageError } from '../../forms';
import type { WebContext } from '../../context';
import { idParam } from '../../../http';
import { allowRoles } from '../../roles';
import { formText } from './common';

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
      /** Every problem of the template, when it has more than the one its error message names. */
      problems?: string[];
      preview?: { html: string | null; text: string | null };
      /** The version the words typed were based on (the form's), when they are drawn again. */
      editing?: number;
    } = {},
    status = 200,
  ) {
    const user = who(req);
    const kind = kindOf(req);
    const [template, versions] = await Promise.all([templates.get(user, kind), templates.versions(user, kind)]);
    const conflict =
      extra.editing !== undefined && extra.editing !== template.version
        ? versions.find((v) => v.version === template.version)
        : null;
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
        // Someone saved a newer version while these words were typed: replacing it is a choice made knowing that.
        expectedVersion: conflict ? template.version : (extra.editing ?? template.version),
        conflict,
        // A subject is one line; a letter's box is as tall as the letter, within reason.
        rows:
          template.format === 'subject'
            ? 2
            : Math.min(Math.max((extra.body ?? template.body).split('\n').length + 2, 10), 40),
        preview: extra.preview,
        errors: extra.errors,
        problems: extra.problems,
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
    const editing = /^\d{1,9}$/.test(formText(req.body.expectedVersion)) ? Number(req.body.expectedVersion) : undefined;
    try {
      if (req.body.action === 'preview') {
        const preview = await templates.preview(user, kind, { body });
        return await editPage(req, res, { body, preview, editing });
      }
      // Saving, or (after a conflict) replacing the newer version with these words.
      const saved = await templates.save(user, kind, { body, expectedVersion: editing });
      res.redirect(`/admin/templates/${encodeURIComponent(kind)}?saved=${saved.changed ? saved.version : 'unchanged'}`);
    } catch (err) {
      if (err instanceof ValidationError) {
        return editPage(req, res, { body, editing, ...templateErrors(err.errors.map((e) => e.message)) }, 422);
      }
      if (err instanceof ConflictError) {
        const message =
          'The template was saved by someone else while you were editing it: read their version, then replace it with your words or copy your changes into it';
        return editPage(req, res, { body, editing, errors: [{ field: 'form', message, href: '#main-content' }] }, 409);
      }
      throw err;
    }
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

/**
 * A template's problems as one error at its box, as GOV.UK has one error per field: the first
 * problem, saying how many more there are; every problem is listed under the box by line.
 */
function templateErrors(problems: string[]): { errors: PageError[]; problems?: string[] } {
  const [first = 'The template cannot be used', ...more] = problems.map((p) =>
    p.replace(
      /^The template is empty: write the (\w+) it should produce$/,
      'Write the $1 this template should produce',
    ),
  );
  const message = more.length
    ? `${first} (and ${more.length} more ${more.length === 1 ? 'problem' : 'problems'}, listed under the template)`
    : first;
  return { errors: [{ field: 'body', message, href: '#body' }], problems: more.length ? [first, ...more] : undefined };
}
