import { defineRoutes } from '@ballast/platform/http/define-route.js';
import { env, tenantId } from '@ballast/platform/schemas/common.js';
import * as z from 'zod/mini';
import * as archive from './schemas.js';

const health = z.object({ status: z.literal('ok'), time: z.string() });
const check = z.object({ ok: z.boolean(), ms: z.optional(z.number()), detail: z.optional(z.string()) });
const dependency = z.object({ ok: z.boolean(), ms: z.optional(z.number()), detail: z.optional(z.string()) });
const detailed = z.object({
  status: z.enum(['ok', 'degraded']),
  time: z.string(),
  build: z.object({ version: z.string(), stage: z.string(), node: z.string() }),
  process: z.object({
    /** the first request this function instance served */
    coldStart: z.boolean(),
    uptimeSeconds: z.number(),
    requestsServed: z.number(),
    heapUsedMb: z.number(),
  }),
  checks: z.object({ controlTable: dependency, dataTable: dependency, secrets: dependency, jobs: dependency }),
});
const detailedQuery = z.strictObject({ tenantId: z.optional(tenantId), env: z.optional(env) });
const readiness = z.object({
  status: z.literal('ready'),
  checks: z.object({ controlTable: check, jobs: z.optional(check) }),
});

/**
 * Scalar's standalone browser bundle (~4.8 MB, over any Lambda bundle budget): the route stacks copy
 * it beside the docs script function's bundle instead (`files`), and the function reads it from there.
 */
/** The generated OpenAPI document (`npm run client`), shipped beside the openapi function's bundle. */
export const OPENAPI_DOCUMENT = { from: 'packages/app/src/ops/openapi.json', to: 'openapi.json' } as const;

export const SCALAR_SCRIPT = {
  from: 'node_modules/@scalar/api-reference/dist/browser/standalone.js',
  to: 'docs-assets/scalar.js',
} as const;

/** Operations: liveness, readiness, the API's own description and its reference page. */
export const routes = defineRoutes('ops', {
  live: {
    id: 'health.live',
    method: 'GET',
    path: '/v1/health',
    summary: 'Liveness',
    access: 'public',
    minTier: 'observer',
    roles: [],
    uses: { control: 'read' },
    request: {},
    responses: { 200: { description: 'The function runs', body: health } },
  },
  ready: {
    id: 'health.ready',
    method: 'GET',
    path: '/v1/health/ready',
    summary: 'Readiness: checks the control table and the jobs heartbeat',
    access: 'public',
    minTier: 'observer',
    roles: [],
    uses: { control: 'read' },
    request: {},
    responses: { 200: { description: 'Every dependency answers', body: readiness } },
  },
  openapi: {
    id: 'openapi.get',
    method: 'GET',
    path: '/v1/openapi.json',
    summary: 'The OpenAPI 3.1 document, generated from the route table',
    access: 'public',
    minTier: 'observer',
    roles: [],
    uses: { control: 'read' },
    request: {},
    files: [OPENAPI_DOCUMENT],
    responses: { 200: { description: 'OpenAPI 3.1', body: z.record(z.string(), z.unknown()) } },
  },
  docs: {
    id: 'docs.page',
    method: 'GET',
    path: '/v1/docs',
    summary: 'The API reference page (Scalar), rendered from /v1/openapi.json',
    access: 'public',
    minTier: 'observer',
    roles: [],
    uses: { control: 'read' },
    request: {},
    responses: { 200: { description: 'An HTML page', contentType: 'text/html; charset=utf-8', body: z.string() } },
  },
  docsScript: {
    id: 'docs.script',
    method: 'GET',
    path: '/v1/docs/scalar.js',
    summary: 'The script of the API reference page (Scalar’s browser bundle)',
    access: 'public',
    minTier: 'observer',
    roles: [],
    uses: { control: 'read' },
    files: [SCALAR_SCRIPT],
    request: {},
    responses: {
      200: { description: 'JavaScript', contentType: 'text/javascript; charset=utf-8', body: z.string() },
    },
  },
  detailed: {
    id: 'health.detailed',
    method: 'GET',
    path: '/v1/health/detailed',
    summary:
      'Every dependency with its latency — the control table, a tenant’s data table (`tenantId`, default the ' +
      'caller’s), the secret store, the job loop — and the build and this instance’s cold start (system admin)',
    access: 'system',
    minTier: 'observer',
    roles: ['admin'],
    uses: { control: 'read', data: 'read', secrets: ['cursor'] },
    request: { query: detailedQuery },
    responses: { 200: { description: 'The checks; `degraded` when any failed', body: detailed } },
  },
  listArchives: {
    id: 'archives.list',
    method: 'GET',
    path: '/v1/archives',
    summary:
      'Manifests of the tenant’s archives of a kind (`audit`, or the `journal` of the caller’s env) whose period ' +
      'overlaps [`from`, `to`), newest period first (tenant admin)',
    access: 'tenant',
    minTier: 'observer',
    roles: ['admin'],
    projectKeys: 'refused',
    uses: { control: 'read', secrets: ['cursor'] },
    request: { query: archive.archiveListQuery },
    responses: { 200: { description: 'A page of archive manifests', body: archive.pages.archives } },
  },
  archiveRecords: {
    id: 'archives.records',
    method: 'GET',
    path: '/v1/archives/{archiveId}/records',
    summary: 'The records of one archive, read back from S3, decompressed and checked, in their archived order',
    access: 'tenant',
    minTier: 'observer',
    roles: ['admin'],
    projectKeys: 'refused',
    uses: { control: 'read', blobs: 'read', secrets: ['cursor'] },
    request: { params: archive.archiveParams, query: archive.archiveRecordsQuery },
    responses: { 200: { description: 'A page of the archive’s records', body: archive.pages.records } },
  },
});
