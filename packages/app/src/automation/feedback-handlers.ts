import { AppError, conflict, notFound, preconditionFailed } from '@ballast/platform/errors.js';
import { etag } from '@ballast/platform/http/middlewares/validate/if-match.js';
import { type OptimisationStarter, startOptimisationFrom } from '../research/index.js';
import { acting, iso, jobActing, nextFeedbackSlot, scheduleFeedback } from './acting.js';
import { DEFAULT_FEEDBACK, runFeedback, type StartOptimisation } from './feedback.js';
import type { jobs } from './feedback-jobs.js';
import type { routes } from './feedback-routes.js';
import { playbookOf } from './playbooks.js';
import type { AutomationHandler, AutomationJobHandler } from './ports.js';
import type { FeedbackSettings } from './store.js';

type R = typeof routes;
type J = typeof jobs;

const decisionPath = (id: string) => `/v1/feedback/decisions/${id}`;

/**
 * Research's own "start an optimisation" for the feedback loop: the body is checked as
 * `POST /v1/optimisations` checks it, and the record and its plan job are written in the
 * caller's unit of work, in the playbook's project, created by `actor`.
 */
function optimisationStarter(d: OptimisationStarter): StartOptimisation {
  return async (input) => ({ optimisationId: (await startOptimisationFrom(d, input)).optimisationId });
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
    start: optimisationStarter({
      ports: h.ports.optimisation,
      unitOfWork: h.unitOfWork,
      now: h.now,
      scope: { tenantId: h.ctx.tenantId, env: h.ctx.env, projectId: h.ctx.projectId },
      actor: h.ctx.principal.id,
    }),
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
  await runFeedback(who, {
    playbook,
    trigger: payload.trigger,
    // the scheduler acts for the project: research records it as the optimisation's creator
    start: optimisationStarter({
      ports: h.ports.optimisation,
      unitOfWork: h.unitOfWork,
      now: h.now,
      scope: { tenantId: h.envelope.tenantId, env: h.envelope.env, projectId: who.projectId },
      actor: 'scheduler',
    }),
  });
  return 'processed';
};
