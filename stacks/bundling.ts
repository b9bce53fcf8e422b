import { createRequire } from 'node:module';
import path from 'node:path';
import type { FunctionProps } from 'sst/constructs';

/**
 * Replaces the SDK's default credential chain in Lambda bundles (see stacks/lambda/credentials.ts).
 * A path from the working directory: SST runs from the repo root and bundles this module into the
 * root, so `import.meta.url` would not point here.
 */
export const CREDENTIALS_ALIAS = {
  '@aws-sdk/credential-provider-node': path.resolve('stacks', 'lambda', 'credentials.ts'),
};

/**
 * One zod per bundle. The root node_modules holds zod 3 (a tool's dependency), so npm installs
 * zod 4 separately under packages/core and packages/platform, and esbuild would bundle both copies
 * (+100 KB, and two ZodError classes that fail each other's `instanceof`). Every import of `zod`
 * is pointed at the copy packages/platform resolves — still right once zod 4 is hoisted to the root.
 */
export function zodAlias(): Record<string, string> {
  const fromPlatform = createRequire(path.resolve('packages', 'platform', 'package.json'));
  return { zod: path.dirname(fromPlatform.resolve('zod/package.json')) };
}

/**
 * How every Ballast Lambda is bundled. SST v2 builds `nodejs` functions with its own esbuild
 * (sst/runtime/handlers/node.js); these are the props we hand it.
 * - The AWS SDK v3 is bundled (SST does not mark `@aws-sdk/*` external for ESM): each function
 *   ships the SDK versions it was tested with, minified into one file, which also loads faster
 *   than the runtime's copy spread over hundreds of files.
 * - The SDK's default credential chain is swapped for the environment provider it would pick in
 *   Lambda anyway: −110 KB a function.
 * - One copy of zod (see zodAlias).
 * - keepNames off (SST turns it on): −25 KB. Nothing in Ballast, the SDK or zod depends on class
 *   or function names; SDK errors carry explicit `name`s. Stack traces show minified names either
 *   way without sourcemaps.
 * - Sourcemaps off: nothing reads them without the SST console, and they would need SST's
 *   uploader custom resource.
 */
export const NODEJS_BUNDLING: NonNullable<FunctionProps['nodejs']> = {
  format: 'esm',
  minify: true,
  sourcemap: false,
  esbuild: {
    target: 'node22',
    keepNames: false,
    legalComments: 'none',
    alias: { ...CREDENTIALS_ALIAS, ...zodAlias() },
  },
};

/** Turns a route table handler module (`functions/x/y.ts`) into SST's `file.export` form. */
export function sstHandler(module: string, exportName = 'handler'): string {
  if (!/^functions\/[A-Za-z0-9_/.-]+\.ts$/.test(module))
    throw new Error(`Handler module '${module}' must be functions/….ts`);
  return `${module.slice(0, -'.ts'.length)}.${exportName}`;
}

/**
 * The esbuild options SST v2.49 derives from NODEJS_BUNDLING for an ESM function in deploy mode
 * (mirrors sst/runtime/handlers/node.js), so bench/functions.ts measures the bundles the stack
 * would ship. Keep the two in step when upgrading SST.
 */
export function sstEsbuildOptions(entry: string, outfile: string) {
  const { esbuild: override = {}, minify, sourcemap } = NODEJS_BUNDLING;
  return {
    entryPoints: [entry],
    platform: 'node' as const,
    external: ['sharp', 'pg-native'],
    keepNames: true as boolean,
    bundle: true,
    logLevel: 'silent' as const,
    metafile: true,
    format: 'esm' as const,
    target: 'esnext',
    mainFields: ['module', 'main'],
    banner: {
      js: [
        `import { createRequire as topLevelCreateRequire } from 'module';`,
        `const require = topLevelCreateRequire(import.meta.url);`,
        `import { fileURLToPath as topLevelFileUrlToPath, URL as topLevelURL } from "url"`,
        `const __dirname = topLevelFileUrlToPath(new topLevelURL(".", import.meta.url))`,
        '',
      ].join('\n'),
    },
    outfile,
    sourcemap: sourcemap === false ? false : true,
    minify,
    ...override,
  };
}
