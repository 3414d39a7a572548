/**
 * A story told a test to a step, each step going on from where the steps before it left the
 * world (an app, and what the story has made in it so far).
 *
 * Jest may run the steps in any order (--randomize), or one alone (-t). A step always meets the
 * world as the steps before it, in order, leave it: steps not yet run on the current world run
 * first; when a later step has already run on it (or a step failed there, leaving it half-way),
 * the story starts again on a new world of its own and replays the steps before. Run in order,
 * every step runs once, on one world.
 *
 *   const mary = story(async () => ({ t: await createTestApp(), id: 0 }), (w) => w.t.close());
 *   mary.step('is notified', async (w) => { w.id = ... });
 *   mary.step('is submitted', async ({ t, id }) => { ... });
 */
export function story<World>(begin: () => Promise<World>, end: (world: World) => Promise<void>) {
  const steps: ((world: World) => Promise<void>)[] = [];
  /** The world the story is being told on, and how many of its steps have run there. */
  let current: { world: World; reached: number } | undefined;

  async function startAgain() {
    const previous = current;
    current = undefined;
    if (previous) await end(previous.world);
  }
  afterAll(startAgain);

  /** The world as the first `count` steps leave it, on the current world when they can go on from it. */
  async function after(count: number): Promise<{ world: World; reached: number }> {
    if (current && current.reached > count) await startAgain();
    current ??= { world: await begin(), reached: 0 };
    const telling = current;
    while (telling.reached < count) {
      await run(telling, steps[telling.reached]!);
    }
    return telling;
  }

  /** Runs the next step on the world; one that fails leaves the world half-way, so the story starts again. */
  async function run(telling: { world: World; reached: number }, next: (world: World) => Promise<void>) {
    try {
      await next(telling.world);
      telling.reached += 1;
    } catch (err) {
      await startAgain();
      throw err;
    }
  }

  return {
    /**
     * A test that is the story's next step. `timeout` (ms) is for steps that, told out of order,
     * replay slow steps before them (a browser's).
     */
    step(title: string, body: (world: World) => Promise<void>, timeout?: number) {
      const index = steps.length;
      steps.push(body);
      it(
        title,
        async () => {
          await run(await after(index), body);
        },
        timeout,
      );
    },
    /** The world as the whole story leaves it, for tests that read what it made. */
    async end(): Promise<World> {
      return (await after(steps.length)).world;
    },
  };
}
