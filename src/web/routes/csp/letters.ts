import type express from 'express';
import { render } from '../../forms';
import type { WebContext } from '../../context';
import { allowRoles } from '../../roles';

/** Every letter sent about the user's reviews: to a CSP, or copied to a PCC. */
export function cspLetterRoutes(router: express.Router, { services }: WebContext) {
  router.get('/letters', async (req, res) => {
    const user = allowRoles(
      req,
      ['csp', 'pcc'],
      "This page lists the letters a CSP or a PCC office received; see each review's letters on its page.",
    );
    const letters = await services.letters.listForUser(user);
    render(req, res, 'csp/letters', {
      title: 'Letters received',
      letters,
      backLink:
        user.role === 'csp' ? { href: '/my-reviews', text: 'My reviews' } : { href: '/reviews', text: 'Reviews' },
    });
  });
}
