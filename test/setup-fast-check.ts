import fc from 'fast-check';

// Property tests are reproducible run to run: a failure in CI replays exactly on a laptop.
// To explore other cases locally, change SEED (or use Date.now()) and run `npm run test:unit`.
const SEED = 20261125;
fc.configureGlobal({ seed: SEED });
