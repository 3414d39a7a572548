import { z } from 'zod';
import type { Db } from '../db/connect';
import { THEMES } from './themes';
import type { User } from '../core/user';
import type { Clock } from '../core/clock';
import { ForbiddenError, NotFoundError } from '../core/errors';
import { visibleReviews } from '../core/scope';
import { parse } from '../core/validation';

const themesSchema = z.strictObject({
  themes: z
    .array(z.enum(THEMES, { error: `must each be one of ${THEMES.join(', ')}` }), { error: 'must be a list of themes' })
    .max(THEMES.length),
});

/** Tagging recommendations with themes: the CSP for its reviews, or the secretariat. */
export function createThemes(db: Db, clock: Clock) {
  return {
    async set(user: User, recommendationId: number, input: unknown): Promise<string[]> {
      if (user.role !== 'csp' && user.role !== 'secretariat') {
        throw new ForbiddenError('Only the CSP or the panel secretariat can set themes');
      }
      const { themes } = parse(themesSchema, input);
      const ordered = THEMES.filter((t) => themes.includes(t));
      return db.transaction(async (trx) => {
        const rec = await visibleReviews(trx, user)
          .join('recommendations as rec', 'rec.review_id', 'r.id')
          .where('rec.id', recommendationId)
          .first('rec.id', 'rec.review_id');
        if (!rec) throw new NotFoundError('No recommendation with this id');
        await trx('recommendations')
          .where({ id: rec.id })
          .update({ themes: JSON.stringify(ordered) });
        await trx('recommendation_events').insert({
          review_id: rec.review_id,
          recommendation_id: rec.id,
          type: 'THEMES_SET',
          payload: JSON.stringify({ themes: ordered }),
          actor_id: user.id,
          at: clock.now(),
        });
        return ordered;
      });
    },
  };
}
