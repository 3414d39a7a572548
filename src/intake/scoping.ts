import { z } from 'zod';
import type { Db } from '../db/connect';
import type { Clock } from '../core/clock';
import type { User } from '../core/user';
import { ConflictError, ForbiddenError, NotFoundError } from '../core/errors';
import { visibleReviews } from '../core/scope';
import { optionalText, parse, printable } from '../core/validation';
import { stateLabel } from '../workflow/lifecycle';
import { FINAL_STATES, type ReviewState } from '../workflow/types';

const scopingSchema = z.strictObject({
  directedBySecretaryOfState: z.boolean({ error: 'must be true or false' }),
  earlyLearning: printable(optionalText(10_000)).default(''),
  immediateActions: printable(optionalText(10_000)).default(''),
});

export interface Scoping {
  directedBySecretaryOfState: boolean;
  earlyLearning: string;
  immediateActions: string;
}

/**
 * The scoping of a review, recorded by its CSP (or the secretariat for it): whether the
 * Secretary of State directed the review, and the early learning and immediate actions found
 * while deciding to hold it. Each change is a line of the review's history, naming what changed;
 * the words themselves stay on the review.
 */
export function createScoping(db: Db, clock: Clock) {
  return {
    async record(user: User, reviewId: number, input: unknown): Promise<{ changed: boolean }> {
      if (user.role !== 'csp' && user.role !== 'secretariat')
        throw new ForbiddenError("Only the CSP and the panel secretariat record a review's scoping");
      const data = parse(scopingSchema, input);
      return db.transaction(async (trx) => {
        const review = await visibleReviews(trx, user)
          .where('r.id', reviewId)
          .forUpdate('r')
          .first('r.id', 'r.state', 'r.directed_by_secretary_of_state', 'r.early_learning', 'r.immediate_actions');
        if (!review) throw new NotFoundError('No review with this id');
        const state = review.state as ReviewState;
        if ((FINAL_STATES as readonly string[]).includes(state))
          throw new ConflictError(`This review is ${stateLabel(state)}: its scoping can no longer change.`);
        const changed = [
          review.directed_by_secretary_of_state !== data.directedBySecretaryOfState && 'directedBySecretaryOfState',
          review.early_learning !== data.earlyLearning && 'earlyLearning',
          review.immediate_actions !== data.immediateActions && 'immediateActions',
        ].filter((f): f is string => Boolean(f));
        if (changed.length === 0) return { changed: false };
        const now = clock.now();
        await trx('reviews').where({ id: review.id }).update({
          directed_by_secretary_of_state: data.directedBySecretaryOfState,
          early_learning: data.earlyLearning,
          immediate_actions: data.immediateActions,
          updated_at: now,
        });
        await trx('review_events').insert({
          review_id: review.id,
          type: 'SCOPING_RECORDED',
          payload: JSON.stringify({ changed, directedBySecretaryOfState: data.directedBySecretaryOfState }),
          from_state: state,
          to_state: state,
          actor_id: user.id,
          at: now,
        });
        return { changed: true };
      });
    },
  };
}

export type ScopingService = ReturnType<typeof createScoping>;
