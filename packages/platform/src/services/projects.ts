import type * as z from 'zod/mini';
import type { ProjectRecord } from '../data/control.js';
import { BEGINS, k } from '../data/keys.js';
import { conflict, notFound } from '../errors.js';
import type { RouteHandler } from '../http/types.js';
import type * as s from '../routes/schemas.js';
import { audit, iso } from './common.js';

type Params = Record<string, string>;

export const listProjects: RouteHandler = async (i, h) => {
  const { tenantId } = i.params as Params;
  const q = i.query as z.infer<typeof s.listQuery>;
  return {
    body: await h.platform.control.queryPrefix<ProjectRecord>(k.tenant(tenantId).PK, BEGINS.project, q.limit, q.cursor),
  };
};

export const createProject: RouteHandler = async (i, h) => {
  const { tenantId } = i.params as Params;
  const body = i.body as z.infer<typeof s.createProjectBody>;
  const c = h.platform.control;
  if (!(await c.getTenant(tenantId))) throw notFound('TENANT_NOT_FOUND', `Tenant ${tenantId} does not exist`);
  const project: ProjectRecord = {
    tenantId,
    projectId: body.projectId,
    name: body.name,
    surface: body.surface,
    app: body.app,
    createdAt: iso(h.now),
  };
  await c.transact(
    [
      {
        Put: {
          TableName: c.table,
          Item: { ...k.project(tenantId, body.projectId), ...project },
          ConditionExpression: 'attribute_not_exists(PK)',
        },
      },
      audit(h, { action: 'project.create', resource: `project/${body.projectId}`, after: project, tenantId }),
    ],
    () => conflict('PROJECT_EXISTS', `Project ${body.projectId} already exists`),
  );
  return { status: 201, body: project };
};
