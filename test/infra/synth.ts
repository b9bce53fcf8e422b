import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { cleanArtifacts, synthApp, type Synthesized } from '../../scripts/synth-app.js';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const STACKS = ['Data', 'Auth', 'Api'] as const;
export type StackName = (typeof STACKS)[number];

/** A CloudFormation resource as it appears in a synthesised template. */
export interface CfnResource {
  Type: string;
  Properties?: Record<string, unknown>;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
  DependsOn?: string[] | string;
}
export interface CfnTemplate {
  Resources: Record<string, CfnResource>;
  Outputs?: Record<string, { Value: unknown; Export?: unknown }>;
}

export interface TestSynth {
  stage: string;
  synth: Synthesized;
  template: Record<StackName, Template>;
  json: Record<StackName, CfnTemplate>;
  cleanup: () => Promise<void>;
}

/**
 * Synthesises the SST app offline for a test file (call once, in beforeAll). Each test file uses
 * its own stage: SST keeps its build folders under .sst/artifacts by construct address, which
 * includes the stage, so parallel files never share one.
 */
export async function synthForTest(opts: {
  stage: string;
  context?: Record<string, string>;
  buildApi?: boolean;
}): Promise<TestSynth> {
  if (path.resolve(process.cwd()) !== ROOT) process.chdir(ROOT);
  const outdir = await mkdtemp(path.join(os.tmpdir(), 'ballast-infra-test-'));
  const apiStack = `${opts.stage}-ballast-Api`;
  const synth = await synthApp({
    stage: opts.stage,
    root: ROOT,
    outdir,
    context: opts.context,
    isActiveStack: opts.buildApi === false ? (name) => name !== apiStack : undefined,
  });
  const json = {} as Record<StackName, CfnTemplate>;
  const template = {} as Record<StackName, Template>;
  for (const name of STACKS) {
    json[name] = synth.assembly.getStackByName(`${opts.stage}-ballast-${name}`).template as CfnTemplate;
    template[name] = Template.fromJSON(json[name] as unknown as Record<string, unknown>);
  }
  return {
    stage: opts.stage,
    synth,
    template,
    json,
    cleanup: async () => {
      await cleanArtifacts(synth);
      await rm(outdir, { recursive: true, force: true });
    },
  };
}

export function resourcesOf(t: CfnTemplate, type: string): Array<[string, CfnResource]> {
  return Object.entries(t.Resources).filter(([, r]) => r.Type === type);
}

export function tagValue(r: CfnResource, key: string): string | undefined {
  const tags = (r.Properties?.Tags ?? []) as Array<{ Key: string; Value: string }>;
  return tags.find((t) => t.Key === key)?.Value;
}

/** Every IAM statement of every template, with where it came from. */
export function allStatements(templates: CfnTemplate[]): Array<{ where: string; statement: Record<string, unknown> }> {
  const out: Array<{ where: string; statement: Record<string, unknown> }> = [];
  for (const t of templates) {
    for (const [id, r] of Object.entries(t.Resources)) {
      const docs: unknown[] = [];
      if (r.Type === 'AWS::IAM::Policy' || r.Type === 'AWS::IAM::ManagedPolicy')
        docs.push(r.Properties?.PolicyDocument);
      if (r.Type === 'AWS::IAM::Role') {
        for (const p of (r.Properties?.Policies ?? []) as Array<{ PolicyDocument: unknown }>)
          docs.push(p.PolicyDocument);
      }
      for (const d of docs) {
        for (const s of ((d as { Statement?: unknown[] })?.Statement ?? []) as Array<Record<string, unknown>>)
          out.push({ where: id, statement: s });
      }
    }
  }
  return out;
}

export const asArray = <T>(x: T | T[] | undefined): T[] => (x === undefined ? [] : Array.isArray(x) ? x : [x]);
