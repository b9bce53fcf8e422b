import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { App } from 'sst/constructs';
import { cleanArtifacts, synthApp, type Synthesized } from '../../scripts/synth-app.js';
import { APP_NAME } from '../../stacks/config.js';

export const ROOT = path.resolve(import.meta.dirname, '../..');

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
  Outputs?: Record<string, { Value: unknown; Export?: { Name: unknown } }>;
}

export interface TestSynth {
  stage: string;
  synth: Synthesized;
  /** SST stack ids (`Api`, `ControlRoutes`, …) of every stack the app composed, in deploy order */
  stacks: string[];
  /** stack id → template */
  json: Record<string, CfnTemplate>;
  cleanup: () => Promise<void>;
}

/**
 * Synthesises the SST app offline for a test file (call once, in beforeAll). Each test file uses
 * its own stage: SST keeps its build folders under .sst/artifacts by construct address, which
 * includes the stage, so parallel files never share one.
 * - `build: false`: every stack is inactive, so SST gives functions placeholder code and bundles
 *   nothing (what is synthesised is otherwise the same).
 * - `compose`: compose the stacks with this instead of sst.config.ts (e.g. with a generated table).
 */
export async function synthForTest(opts: {
  stage: string;
  context?: Record<string, string>;
  build?: boolean;
  compose?: (app: App) => void;
}): Promise<TestSynth> {
  if (path.resolve(process.cwd()) !== ROOT) process.chdir(ROOT);
  const outdir = await mkdtemp(path.join(os.tmpdir(), 'ballast-infra-test-'));
  const synth = await synthApp({
    stage: opts.stage,
    root: ROOT,
    outdir,
    context: opts.context,
    isActiveStack: opts.build === false ? () => false : undefined,
    compose: opts.compose,
  });
  const prefix = `${opts.stage}-${APP_NAME}-`;
  const json: Record<string, CfnTemplate> = {};
  const stacks: string[] = [];
  for (const stack of synth.assembly.stacksRecursively) {
    if (!stack.stackName.startsWith(prefix)) throw new Error(`unexpected stack ${stack.stackName}`);
    const id = stack.stackName.slice(prefix.length);
    stacks.push(id);
    json[id] = stack.template as CfnTemplate;
  }
  return {
    stage: opts.stage,
    synth,
    stacks,
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

/** A resource with the stack it lives in. */
export interface Located {
  stack: string;
  id: string;
  resource: CfnResource;
}

/** Resources of a type across every stack. */
export function resourcesAcross(s: Pick<TestSynth, 'json'>, type: string): Located[] {
  return Object.entries(s.json).flatMap(([stack, t]) =>
    resourcesOf(t, type).map(([id, resource]) => ({ stack, id, resource })),
  );
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
      if (
        r.Type === 'AWS::IAM::Policy' ||
        r.Type === 'AWS::IAM::ManagedPolicy' ||
        r.Type === 'AWS::SQS::QueuePolicy' ||
        r.Type === 'AWS::SNS::TopicPolicy'
      )
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

export const refOf = (x: unknown): string | undefined => (x as { Ref?: string } | undefined)?.Ref;
export const getAttOf = (x: unknown): string | undefined =>
  (x as { 'Fn::GetAtt'?: [string, string] } | undefined)?.['Fn::GetAtt']?.[0];
const importOf = (x: unknown): string | undefined => {
  const name = (x as { 'Fn::ImportValue'?: unknown } | undefined)?.['Fn::ImportValue'];
  return typeof name === 'string' ? name : undefined;
};

/**
 * What a value in one stack points at, as `stack/logicalId`: a Ref or GetAtt in the same stack, or
 * an Fn::ImportValue of another stack's export (followed to the Ref/GetAtt that stack exports).
 */
export function pointsAt(s: Pick<TestSynth, 'json' | 'stage'>, stack: string, value: unknown): string | undefined {
  const local = refOf(value) ?? getAttOf(value);
  if (local) return `${stack}/${local}`;
  const imported = importOf(value);
  if (!imported) return undefined;
  const [stackName, exportName] = imported.split(':');
  const from = stackName.slice(`${s.stage}-${APP_NAME}-`.length);
  const out = Object.values(s.json[from]?.Outputs ?? {}).find((o) => o.Export?.Name === imported);
  if (!out) throw new Error(`no export ${exportName} in ${from}`);
  return pointsAt(s, from, out.Value);
}

/** Resource count of every stack. */
export function resourceCounts(s: Pick<TestSynth, 'json' | 'stacks'>): Record<string, number> {
  return Object.fromEntries(s.stacks.map((id) => [id, Object.keys(s.json[id].Resources).length]));
}

export function printCounts(title: string, s: Pick<TestSynth, 'json' | 'stacks'>): void {
  const counts = resourceCounts(s);
  const bytes = (id: string) => `${Math.round(JSON.stringify(s.json[id]).length / 1024)} KB`;
  console.log(
    [
      `${title}: resources per stack`,
      ...s.stacks.map((id) => `  ${id.padEnd(24)} ${String(counts[id]).padStart(4)}  (${bytes(id)})`),
    ].join('\n'),
  );
}
