// The vitest configuration Stryker runs the suite with (stryker/stryker.config.mjs).
//
// Stryker copies the repository into a sandbox and links node_modules into it. Node resolves
// `@ballast/<package>` through that link back to the *original* working tree, so a mutant in the
// sandbox's packages/platform would never be loaded by packages/app (and two copies of a module
// break `instanceof`). The aliases below resolve every `@ballast/<package>/<path>.js` to the copy
// beside this file instead.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import base from '../vitest.config.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
/** `MUTATE_NO_DYNAMO=1` (core scopes): no test needs DynamoDB Local; do not start one per worker. */
const withDynamo = process.env.MUTATE_NO_DYNAMO !== '1';
/** The scope's test files (globs), set by stryker.config.mjs; the whole suite otherwise. */
const include = process.env.MUTATE_TEST_FILES ? JSON.parse(process.env.MUTATE_TEST_FILES) : base.test?.include;

export default defineConfig({
  ...base,
  root,
  resolve: {
    alias: [
      { find: /^@ballast\/([a-z]+)\/(.+)\.js$/, replacement: `${root}packages/$1/src/$2.ts` },
      { find: /^@ballast\/([a-z]+)$/, replacement: `${root}packages/$1/src/index.ts` },
    ],
  },
  test: {
    ...base.test,
    include,
    globalSetup: withDynamo ? base.test?.globalSetup : [],
    reporters: ['dot'],
    // Under Stryker's instrumentation (every mutant compiled in, switched at run time) the slow
    // property tests of core take several times their usual time on a shared 2-core machine; the
    // suite's 30 s limit made the core-rest dry run fail before any mutant ran.
    testTimeout: 180_000,
  },
});
