import request from 'supertest';
import { PASSWORD, type TestApp, type Who } from './app';

const EMAILS: Record<Who, string> = {
  secretariat: 'secretariat@test.example',
  panel: 'panel@test.example',
  kent: 'kent@test.example',
  hackney: 'hackney@test.example',
  kentPcc: 'pcc@test.example',
  metPcc: 'mopac@test.example',
  commissioner: 'commissioner@test.example',
};

/** The CSRF token of the form in a page. */
export function csrfOf(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!match) throw new Error('no CSRF token in the page');
  return match[1]!;
}

/**
 * A browser-like agent (it keeps cookies) signed in through the sign-in form as
 * `who`. `form(url, fields)` fetches nothing: it posts with the token of the last
 * page read, as a browser would from that page.
 */
export async function signedIn(t: TestApp, who: Who) {
  return signedInAs(t, EMAILS[who]);
}

/** As signedIn, for any account with the test password (an agency's, one made by the test). */
export async function signedInAs(t: TestApp, email: string) {
  const agent = request.agent(t.app);
  const page = await agent.get('/sign-in');
  const res = await agent
    .post('/sign-in')
    .type('form')
    .send({ _csrf: csrfOf(page.text), email, password: PASSWORD, next: '/' });
  if (res.status !== 302) throw new Error(`sign-in as ${email} failed: ${res.status}`);
  let token = '';
  return {
    agent,
    /** GET a page and remember its CSRF token for the next form. */
    async get(url: string) {
      const r = await agent.get(url);
      if (r.type === 'text/html' && /name="_csrf"/.test(r.text)) token = csrfOf(r.text);
      return r;
    },
    /** POST a form as the page last read would. */
    form(url: string, fields: Record<string, string | string[] | number>) {
      return agent
        .post(url)
        .type('form')
        .send({ _csrf: token, ...fields });
    },
    get token() {
      return token;
    },
  };
}
