import fc from 'fast-check';

// Property tests are reproducible run to run: a failure in CI replays exactly on a laptop.
// Explore other seeds locally with `BALLAST_FC_SEED=random npm run test:unit`.
const seed = process.env.BALLAST_FC_SEED;
if (seed !== 'random') fc.configureGlobal({ seed: seed ? Number(seed) : 20261125 });
