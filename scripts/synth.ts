import { copyFile, mkdir, readdir, rm } from 'node:fs/promises';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { SILO_CONTEXT, assertStageName } from '../stacks/config.js';
import { STACK_RESOURCE_BUDGET } from '../stacks/layout.js';
import { cleanArtifacts, synthApp } from './synth-app.js';

/**
 * `npm run synth -- --stage NAME [--region R] [--silo t_a,t_b]`: writes the CloudFormation templates of every stack,
 * as CDK names them (`<stage>-ballast-<Stack>.template.json`), into infra-out/<stage>/. Offline: no
 * AWS credentials are needed or used. Function bundles are built (that is how SST synthesises)
 * and left in the temporary cdk.out, which is removed.
 */
const { values } = parseArgs({
  options: { stage: { type: 'string' }, region: { type: 'string' }, silo: { type: 'string' } },
  strict: true,
});
const stage = values.stage;
if (!stage) {
  console.error('usage: npm run synth -- --stage NAME [--region REGION] [--silo t_a,t_b]');
  process.exit(2);
}
assertStageName(stage);

const root = process.cwd();
const outdir = mkdtempSync(path.join(os.tmpdir(), 'ballast-cdk.out-'));
const target = path.join(root, 'infra-out', stage);
const started = performance.now();
try {
  const synth = await synthApp({
    stage,
    root,
    outdir,
    region: values.region,
    context: values.silo ? { [SILO_CONTEXT]: values.silo } : undefined,
  });
  await rm(target, { recursive: true, force: true });
  await mkdir(target, { recursive: true });
  const written: string[] = [];
  for (const file of await readdir(outdir)) {
    if (!file.endsWith('.template.json')) continue;
    await copyFile(path.join(outdir, file), path.join(target, file));
    written.push(file);
  }
  await cleanArtifacts(synth);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`Synthesised stage '${stage}' (${synth.app.region}) in ${seconds}s → ${path.relative(root, target)}/`);
  // Deploy order, with each stack's resource count against the budget (CloudFormation's limit is 500).
  for (const stack of synth.assembly.stacksRecursively) {
    const file = `${stack.stackName}.template.json`;
    if (!written.includes(file)) continue;
    const count = Object.keys((stack.template as { Resources?: object }).Resources ?? {}).length;
    const flag = count > STACK_RESOURCE_BUDGET ? `  OVER THE BUDGET OF ${STACK_RESOURCE_BUDGET}` : '';
    console.log(`  ${file.padEnd(56)} ${String(count).padStart(4)} resources${flag}`);
  }
} finally {
  await rm(outdir, { recursive: true, force: true });
}
