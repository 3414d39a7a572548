/**
 * How long a failed sign-in takes for an unknown email and for a known email with a
 * wrong password, and the difference, which should be within the noise: both compute
 * one scrypt hash. Prints figures and asserts nothing (timing belongs here, not in the
 * tests, which check the work done instead).
 *
 *   npx tsx scripts/signin-timing.ts [samples]
 */
import { connect, migrate } from '../src/db/connect';
import { createAccounts } from '../src/services/accounts';

export interface SignInTiming {
  samples: number;
  unknownEmailMs: number;
  wrongPasswordMs: number;
  /** unknown minus wrong: positive when an unknown email is slower. */
  differenceMs: number;
}

/** Times `samples` failed sign-ins of each kind, alternating, on an in-memory embedded database. */
export async function measureSignInTiming(samples = 40): Promise<SignInTiming> {
  const db = connect({});
  await migrate(db);
  // Each attempt happens an hour after the last, so no failure limit ever cuts one short.
  let now = Date.now();
  const accounts = createAccounts(db, { now: () => new Date(now) }, { sessionTtlHours: 1, twoFactorRequired: false });
  await accounts.createUser({
    email: 'known@timing.example',
    name: 'Known user',
    role: 'secretariat',
    password: 'the right password',
  });
  const failOnce = async (email: string): Promise<number> => {
    now += 3600_000;
    const start = process.hrtime.bigint();
    await accounts.verifyCredentials({ email, password: 'a wrong password' }).then(
      () => {
        throw new Error('the wrong password was accepted');
      },
      () => undefined,
    );
    return Number(process.hrtime.bigint() - start) / 1e6;
  };
  try {
    await failOnce('warm-up@timing.example');
    const unknown: number[] = [];
    const wrong: number[] = [];
    for (let i = 0; i < samples; i++) {
      unknown.push(await failOnce(`nobody${i}@timing.example`));
      wrong.push(await failOnce('known@timing.example'));
    }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const round = (x: number) => Math.round(x * 100) / 100;
    return {
      samples,
      unknownEmailMs: round(mean(unknown)),
      wrongPasswordMs: round(mean(wrong)),
      differenceMs: round(mean(unknown) - mean(wrong)),
    };
  } finally {
    await db.destroy();
  }
}

if (require.main === module) {
  const samples = Number(process.argv[2] ?? 40);
  measureSignInTiming(Number.isInteger(samples) && samples > 0 ? samples : 40).then(
    (r) => {
      console.log(`failed sign-ins, mean of ${r.samples} each:`);
      console.log(`  unknown email          ${r.unknownEmailMs} ms`);
      console.log(`  known, wrong password  ${r.wrongPasswordMs} ms`);
      console.log(`  difference             ${r.differenceMs} ms`);
    },
    (err) => {
      console.error(`timing failed: ${(err as Error).message}`);
      process.exit(1);
    },
  );
}
