import type { FunctionProps } from 'sst/constructs';

/**
 * How every Ballast Lambda is bundled. SST v2 builds `nodejs` functions with its own esbuild
 * (sst/runtime/handlers/node.js); these are the props we hand it. The AWS SDK v3 is bundled (SST
 * does not mark `@aws-sdk/*` external for ESM), so each function ships the exact SDK versions it
 * was tested with, minified into one file; sourcemaps are off (nothing reads them without the SST
 * console, and they would need SST's uploader custom resource).
 */
export const NODEJS_BUNDLING: NonNullable<FunctionProps['nodejs']> = {
  format: 'esm',
  minify: true,
  sourcemap: false,
  esbuild: { target: 'node22' },
};

/** Turns a route table handler module (`functions/x/y.ts`) into SST's `file.export` form. */
export function sstHandler(module: string, exportName = 'handler'): string {
  if (!/^functions\/[A-Za-z0-9_/.-]+\.ts$/.test(module)) throw new Error(`Handler module '${module}' must be functions/….ts`);
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
    keepNames: true,
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
