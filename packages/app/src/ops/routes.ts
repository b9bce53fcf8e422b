import { defineRoutes } from '@ballast/platform/http/define-route.js';
import * as z from 'zod/mini';

const health = z.object({ status: z.literal('ok'), time: z.string() });
const check = z.object({ ok: z.boolean(), ms: z.optional(z.number()), detail: z.optional(z.string()) });
const readiness = z.object({
  status: z.literal('ready'),
  checks: z.object({ controlTable: check, jobs: z.optional(check) }),
});

/** Operations: liveness, readiness, the API's own description. */
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
    responses: { 200: { description: 'OpenAPI 3.1', body: z.record(z.string(), z.unknown()) } },
  },
});
