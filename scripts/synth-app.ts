import { rm } from 'node:fs/promises';
import path from 'node:path';
import { Aws } from 'aws-cdk-lib';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import type { SSTConfig } from 'sst';
import { App, Function as SstFunction } from 'sst/constructs';
import { initProject, useProject } from 'sst/project.js';
import { load } from 'sst/stacks/build.js';
import { APP_NAME, DEFAULT_REGION } from '../stacks/config.js';

export interface SynthOptions {
  stage: string;
  /** the repo root (where sst.config.ts is); handler paths resolve from process.cwd(), which must be it */
  root: string;
  /** cdk.out-style folder the assembly is written to */
  outdir: string;
  region?: string;
  /** CDK context values (e.g. `ballast:siloTenants`) */
  context?: Record<string, string>;
  /** stacks to build and synthesise fully; the others get placeholder function code (no bundling) */
  isActiveStack?: (stackName: string) => boolean;
  /**
   * Composes the stacks instead of sst.config.ts (the scale test passes a generated route table to
   * composeStacks this way). Without it the app is composed exactly as `sst deploy` composes it.
   */
  compose?: (app: App) => void | Promise<void>;
}

export interface Synthesized {
  app: App;
  assembly: CloudAssembly;
  /** SST's per-function build folders under .sst/artifacts (the bundles); remove with `cleanArtifacts` */
  artifactDirs: string[];
}

/**
 * Synthesises the SST app offline: no AWS credentials, no bootstrap stack lookup. What `sst deploy`
 * does minus its AWS calls: SST skips the bootstrap lookup (sourcemap upload) when NODE_ENV=test,
 * which `npm run synth` and vitest set; every function is really bundled by SST's esbuild during
 * `app.finish()`. The account stays the `AWS::AccountId` pseudo parameter, so ARNs read
 * `${AWS::AccountId}` in the templates.
 */
export async function synthApp(opts: SynthOptions): Promise<Synthesized> {
  if (path.resolve(process.cwd()) !== path.resolve(opts.root)) {
    throw new Error(`Run from the repo root (${opts.root}): SST resolves handler paths from the working directory`);
  }
  await initProject({ stage: opts.stage, root: opts.root });
  const region = opts.region ?? useProject().config.region ?? DEFAULT_REGION;
  const app = new App(
    {
      mode: 'deploy',
      stage: opts.stage,
      name: APP_NAME,
      region,
      account: Aws.ACCOUNT_ID,
      isActiveStack: opts.isActiveStack,
    },
    { outdir: opts.outdir, context: opts.context },
  );
  // Exactly what `sst deploy` runs: sst.config.ts bundled by SST's loader (into the repo root,
  // stacks inlined), then its stacks(app). Importing stacks/ directly would miss bugs that only
  // show in the bundled config (paths relative to import.meta.url, for one).
  if (opts.compose) await opts.compose(app);
  else {
    const [, config] = (await load(useProject().paths.config)) as readonly [unknown, SSTConfig];
    await config.stacks(app);
  }
  await app.finish();
  const assembly = app.synth();
  const artifactDirs = app.node
    .findAll()
    .filter((c): c is SstFunction => c instanceof SstFunction)
    .map((fn) => path.join(useProject().paths.artifacts, fn.node.addr));
  return { app, assembly, artifactDirs };
}

export async function cleanArtifacts(s: Pick<Synthesized, 'artifactDirs'>): Promise<void> {
  await Promise.all(s.artifactDirs.map((d) => rm(d, { recursive: true, force: true })));
}
