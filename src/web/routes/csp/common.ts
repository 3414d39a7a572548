import type { PageError } from '../../forms';

/**
 * GOV.UK error messages say what to do ("Enter a pseudonym"); the services say what
 * is wrong. Where a field has a better sentence than pageErrors makes for a kind of
 * problem, use it: the rules match the end of what the service said.
 */
export function friendlier(errors: PageError[], better: Record<string, Record<string, string>>): PageError[] {
  return errors.map((e) => {
    const rules = better[e.field] ?? {};
    const said = e.said ?? e.message;
    const hit = Object.keys(rules).find((ending) => said.endsWith(ending));
    return hit ? { ...e, message: rules[hit]! } : e;
  });
}
