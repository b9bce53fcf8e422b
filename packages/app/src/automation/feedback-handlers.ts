import type { RequestContext } from '@ballast/platform/context/types.js';
import type { UnitOfWork } from '@ballast/platform/data/unit-of-work.js';
import { AppError, badRequest, conflict, notFound, preconditionFailed } from '@ballast/platform/errors.js';
import { etag } from '@ballast/platform/http/middlewares/validate/if-match.js';
import { resolveSchema } from '@ballast/platform/schemas/lazy.js';
import type { Logger } from '@aws-lambda-powertools/logger';
import { createOptimisation, researchRoutes } from '../research/index.js';
import { acting, iso, jobActing, nextFeedbackSlot, scheduleFeedback } from './acting.js';
import { DEFAULT_FEEDBACK, runFeedback, type StartOptimisation } from './feedback.js';
import type { jobs } from './feedback-jobs.js';
import type { routes } from './feedback-routes.js';
import { playbookOf } from './playbooks.js';
import type { AutomationHandler, AutomationJobHandler, AutomationPorts } from './ports.js';
import type { FeedbackSettings } from './store.js';

type R = typeof routes;
type J = typeof jobs;

const decisionPath = (id: string) => `/v1/feedback/decisions/${id}`;

interface Caller {
  ports: AutomationPorts;
  now: number;
  requestId: string;
  unitOfWork(): UnitOfWork;
  logger: Logger;
}

/**
 * Research's own `POST /v1/optimisations` handler, called in process for the caller: the body is
 * parsed by that route's schema (its defaults filled in), the record and its plan job are
 * written in research's unit of work, audited as the caller.
 */
function optimisationStarter(h: Caller, ctx: RequestContext): StartOptimisation {
  const route = researchRoutes.createOptimisation;
  return async (input) => {
    const parsed = resolveSchema(route.request.body).safeParse(input);
    if (!parsed.success) {
      throw badRequest(
        'VALIDATION_FAILED',
        'The optimisation the feedback loop asked for does not fit',
        parsed.error.issues.map((i) => ({ path: ['body', ...i.path.map(String)].join('.'), message: i.message })),
      );
    }
    const reply = await createOptimisation(
      { params: {}, query: {}, body: parsed.data, headers: {}, ifMatch: undefined },
      {
        route,
        requestId: h.requestId,
        now: h.now,
        ctx,
        ports: h.ports.optimisation,
        unitOfWork: h.unitOfWork,
        logger: h.logger,
        client: {},
      },
    );
    return { optimisationId: reply.body.optimisationId };
  };
}

// --- routes ---------------------------------------------------------------------------------

export const runFeedbackRoute: AutomationHandler<R['runFeedback']> = async ({ body }, h) => {
  const playbook = await playbookOf(h.ports.automation, body.playbookId);
  if (playbook.status !== 'active') {
    throw conflict('PLAYBOOK_NOT_ACTIVE', `Playbook ${playbook.playbookId} is ${playbook.status}: activate it first`);
  }
  const decision = await runFeedback(acting(h), {
    playbook,
    trigger: 'manual',
    start: optimisationStarter(h, h.ctx),
  });
  return { status: 201, body: decision, headers: { Location: decisionPath(decision.decisionId) } };
};

export const listFeedback: AutomationHandler<R['listFeedback']> = async ({ query }, h) => {
  const page = await h.ports.automation.listFeedback(query);
  return { status: 200, body: { items: page.items, nextCursor: page.nextCursor } };
};

export const getFeedback: AutomationHandler<R['getFeedback']> = async ({ params }, h) => {
  const found = await h.ports.automation.getFeedback(params.decisionId);
  if (!found) throw notFound('FEEDBACK_NOT_FOUND', `No feedback decision ${params.decisionId} in this project`);
  return { status: 200, body: found };
};

export const listSnapshots: AutomationHandler<R['listSnapshots']> = async ({ query }, h) => {
  const page = await h.ports.automation.listSnapshots(query);
  return { status: 200, body: { items: page.items, nextCursor: page.nextCursor } };
};

const settingsOrDefaults = (s: FeedbackSettings | undefined): FeedbackSettings =>
  s ?? { ...DEFAULT_FEEDBACK, version: 0 };

export const getFeedbackSettings: AutomationHandler<R['getFeedbackSettings']> = async (_input, h) => {
  const settings = settingsOrDefaults(await h.ports.automation.getFeedbackSettings());
  return { status: 200, body: settings, headers: { ETag: etag(settings.version) } };
};

export const putFeedbackSettings: AutomationHandler<R['putFeedbackSettings']> = async ({ body, ifMatch }, h) => {
  const stored = await h.ports.automation.getFeedbackSettings();
  const before = settingsOrDefaults(stored);
  if (before.version !== ifMatch) throw preconditionFailed(`The feedback settings are at version ${before.version}`);
  const after: FeedbackSettings = {
    ...body,
    version: before.version + 1,
    updatedAt: iso(h.now),
    updatedBy: h.ctx.principal.id,
  };
  const uow = h.unitOfWork();
  h.ports.automation.putFeedbackSettings(uow, after, stored?.version);
  uow.audit({ action: 'feedback.settings.update', resource: 'automation/feedback-settings', before, after });
  await uow.commit();
  return { status: 200, body: after, headers: { ETag: etag(after.version) } };
};

// --- the job --------------------------------------------------------------------------------

const alreadyRun = (e: unknown) => e instanceof AppError && e.code === 'SLOT_ALREADY_RUN';

/**
 * One feedback run from the jobs spine: a scheduled day's (which books the next day) or the one
 * after a cycle that closed a position. The run's claim — with the next day's booking — commits
 * first, so a duplicate delivery does nothing and an action (an optimisation started) happens
 * once; a run that then fails is not retried for that day (the next day's run is booked).
 */
export const runScheduledFeedback: AutomationJobHandler<J['feedbackRun']> = async (payload, h) => {
  const playbook = await h.ports.automation.getPlaybook(payload.playbookId);
  if (!playbook || playbook.status !== 'active') return 'skipped';
  const who = jobActing(h);
  const run = payload.trigger === 'cycle' ? `cycle:${payload.cycleId ?? h.envelope.dueAt}` : `day:${h.envelope.dueAt}`;
  const claim = who.unitOfWork();
  h.ports.automation.claimFeedbackRun(claim, playbook.playbookId, run, h.now);
  if (payload.trigger === 'schedule') scheduleFeedback(who, claim, playbook.playbookId, iso(nextFeedbackSlot(h.now)));
  try {
    await claim.commit();
  } catch (e) {
    if (alreadyRun(e)) return 'skipped';
    throw e;
  }
  const ctx: RequestContext = {
    requestId: h.invocation.requestId,
    tenantId: h.envelope.tenantId,
    env: h.envelope.env,
    projectId: who.projectId,
    // the scheduler acts for the project: research records it as the optimisation's creator
    principal: { kind: 'user', id: 'scheduler' },
    tier: 'navigator',
    roles: ['trader'],
    mode: 'scheduler',
    systemAdmin: false,
  };
  await runFeedback(who, {
    playbook,
    trigger: payload.trigger,
    start: optimisationStarter({ ...h, requestId: h.invocation.requestId }, ctx),
  });
  return 'processed';
};
