import type { RequestContext } from '@ballast/platform/context/types.js';
import type { UnitOfWork } from '@ballast/platform/data/unit-of-work.js';
import { AppError, conflict, notFound, preconditionFailed } from '@ballast/platform/errors.js';
import { etag } from '@ballast/platform/http/middlewares/validate/if-match.js';
import { acting, iso, jobActing, nextSlot, scheduleCycle } from './acting.js';
import { runCycle } from './cycle.js';
import { agentHealth, ordersToday } from './health.js';
import type { jobs } from './jobs.js';
import { createDraftPlaybook, deleteDraft, patchPlaybook, playbookOf, transitionPlaybook } from './playbooks.js';
import type { AutomationHandler, AutomationJobHandler, AutomationPorts } from './ports.js';
import type { routes } from './routes.js';
import type { Cycle, HaltState } from './store.js';

type R = typeof routes;
type J = typeof jobs;

const playbookPath = (id: string) => `/v1/playbooks/${id}`;

// --- playbooks ------------------------------------------------------------------------------

export const createPlaybook: AutomationHandler<R['createPlaybook']> = async ({ body }, h) => {
  const playbook = await createDraftPlaybook(
    {
      automation: h.ports.automation,
      trading: h.ports.trading,
      unitOfWork: h.unitOfWork,
      now: h.now,
      actor: h.ctx.principal.id,
    },
    body,
  );
  return {
    status: 201,
    body: playbook,
    headers: { ETag: etag(playbook.version), Location: playbookPath(playbook.playbookId) },
  };
};

export const listPlaybooks: AutomationHandler<R['listPlaybooks']> = async ({ query }, h) => {
  const page = await h.ports.automation.listPlaybooks(query);
  return { status: 200, body: { items: page.items, nextCursor: page.nextCursor } };
};

export const getPlaybook: AutomationHandler<R['getPlaybook']> = async ({ params }, h) => {
  const playbook = await playbookOf(h.ports.automation, params.playbookId);
  return { status: 200, body: playbook, headers: { ETag: etag(playbook.version) } };
};

export const patchPlaybookRoute: AutomationHandler<R['patchPlaybook']> = async ({ params, body, ifMatch }, h) => {
  const before = await playbookOf(h.ports.automation, params.playbookId);
  if (before.version !== ifMatch) throw preconditionFailed(`The playbook is at version ${before.version}`);
  const after = await patchPlaybook(acting(h), before, body);
  return { status: 200, body: after, headers: { ETag: etag(after.version) } };
};

export const deletePlaybook: AutomationHandler<R['deletePlaybook']> = async ({ params, ifMatch }, h) => {
  const before = await playbookOf(h.ports.automation, params.playbookId);
  if (before.version !== ifMatch) throw preconditionFailed(`The playbook is at version ${before.version}`);
  await deleteDraft(acting(h), before);
  return { status: 204 };
};

export const listVersions: AutomationHandler<R['listVersions']> = async ({ params, query }, h) => {
  await playbookOf(h.ports.automation, params.playbookId);
  const page = await h.ports.automation.listVersions(params.playbookId, query);
  return { status: 200, body: { items: page.items, nextCursor: page.nextCursor } };
};

export const activatePlaybook: AutomationHandler<R['activatePlaybook']> = async ({ params, body, ifMatch }, h) => {
  const before = await playbookOf(h.ports.automation, params.playbookId);
  if (ifMatch !== undefined && before.version !== ifMatch) {
    throw preconditionFailed(`The playbook is at version ${before.version}`);
  }
  const after = await transitionPlaybook(acting(h), before, 'active', body?.reason);
  return { status: 200, body: after, headers: { ETag: etag(after.version) } };
};

export const retirePlaybook: AutomationHandler<R['retirePlaybook']> = async ({ params, body, ifMatch }, h) => {
  const before = await playbookOf(h.ports.automation, params.playbookId);
  if (ifMatch !== undefined && before.version !== ifMatch) {
    throw preconditionFailed(`The playbook is at version ${before.version}`);
  }
  const after = await transitionPlaybook(acting(h), before, 'retired', body?.reason);
  return { status: 200, body: after, headers: { ETag: etag(after.version) } };
};

// --- cycles and decisions -------------------------------------------------------------------

const cyclePath = (c: Cycle) => `/v1/automation/cycles/${c.cycleId}`;

export const runCycleRoute: AutomationHandler<R['runCycle']> = async ({ body }, h) => {
  const playbook = await playbookOf(h.ports.automation, body.playbookId);
  if (playbook.status !== 'active') {
    throw conflict('PLAYBOOK_NOT_ACTIVE', `Playbook ${playbook.playbookId} is ${playbook.status}: activate it first`);
  }
  const agent = await h.ports.automation.getAgent(playbook.playbookId);
  const cycle = await runCycle(acting(h), { playbook, source: 'manual', agent });
  return { status: 201, body: cycle, headers: { Location: cyclePath(cycle) } };
};

export const listCycles: AutomationHandler<R['listCycles']> = async ({ query }, h) => {
  const page = await h.ports.automation.listCycles(query);
  return { status: 200, body: { items: page.items, nextCursor: page.nextCursor } };
};

export const getCycle: AutomationHandler<R['getCycle']> = async ({ params }, h) => {
  const found = await h.ports.automation.getCycle(params.cycleId);
  if (!found) throw notFound('CYCLE_NOT_FOUND', `No cycle ${params.cycleId} in this project`);
  return { status: 200, body: found };
};

export const listDecisions: AutomationHandler<R['listDecisions']> = async ({ query }, h) => {
  const page = await h.ports.automation.listDecisions(query);
  return { status: 200, body: { items: page.items, nextCursor: page.nextCursor } };
};

// --- halt and health ------------------------------------------------------------------------

interface Caller {
  ports: AutomationPorts;
  now: number;
  unitOfWork(): UnitOfWork;
  ctx: RequestContext;
  client: { ip?: string; userAgent?: string };
}

async function setHalt(h: Caller, halted: boolean, reason: string): Promise<HaltState> {
  const before = await h.ports.automation.getHalt();
  const after: HaltState = {
    halted,
    reason,
    by: h.ctx.principal.id,
    at: iso(h.now),
    version: (before?.version ?? 0) + 1,
  };
  const uow = h.unitOfWork();
  h.ports.automation.putHalt(uow, after, before?.version);
  uow.audit({
    action: halted ? 'automation.halt' : 'automation.resume',
    resource: 'automation/halt',
    before: before ?? null,
    after: { ...after, ...h.client },
  });
  await uow.commit();
  return after;
}

export const halt: AutomationHandler<R['halt']> = async ({ body }, h) => ({
  status: 200,
  body: await setHalt(h, true, body.reason),
});

export const resume: AutomationHandler<R['resume']> = async ({ body }, h) => ({
  status: 200,
  body: await setHalt(h, false, body.reason),
});

export const health: AutomationHandler<R['health']> = async (_input, h) => {
  const [halted, playbooks] = await Promise.all([h.ports.automation.getHalt(), h.ports.automation.activePlaybooks()]);
  const agents = await Promise.all(
    playbooks.map(async (p) => {
      const agent = await h.ports.automation.getAgent(p.playbookId);
      const verdict = agentHealth(agent, h.now);
      return {
        playbookId: p.playbookId,
        healthy: verdict.healthy,
        problems: verdict.problems,
        lastHeartbeatAt: agent?.lastHeartbeatAt ?? null,
        nextRunAt: agent?.nextRunAt ?? null,
        successCount: agent?.successCount ?? 0,
        errorCount: agent?.errorCount ?? 0,
        window: verdict.window,
        ordersToday: ordersToday(agent, h.now),
      };
    }),
  );
  const isHalted = halted?.halted === true;
  return {
    status: 200,
    body: {
      halted: isHalted,
      ...(isHalted && halted?.reason ? { haltReason: halted.reason } : {}),
      healthy: !isHalted && agents.every((a) => a.healthy),
      agents,
    },
  };
};

// --- the scheduled cycle --------------------------------------------------------------------

const slotTaken = (e: unknown) => e instanceof AppError && e.code === 'SLOT_ALREADY_RUN';

/**
 * One slot of a playbook's schedule, exactly once: the slot's claim commits with the running
 * cycle, so a duplicate delivery or a second dispatcher loses on it. The next slot is counted
 * from now, so after an outage the overdue slot runs once and the ones it missed are skipped.
 */
export const runScheduledCycle: AutomationJobHandler<J['cycleRun']> = async (payload, h) => {
  const playbook = await h.ports.automation.getPlaybook(payload.playbookId);
  const agent = await h.ports.automation.getAgent(payload.playbookId);
  const slot = h.envelope.dueAt;
  if (!playbook || playbook.status !== 'active' || !playbook.schedule || !agent || agent.nextRunAt !== slot) {
    return 'skipped';
  }
  const schedule = playbook.schedule;
  const who = jobActing(h);
  const due = iso(nextSlot(schedule, h.now));
  const moved = { ...agent, nextRunAt: due, version: agent.version + 1 };
  try {
    await runCycle(who, {
      playbook,
      source: 'schedule',
      slot,
      agent: moved,
      stage: (uow) => {
        h.ports.automation.claimSlot(uow, playbook.playbookId, slot);
        h.ports.automation.putAgent(uow, moved, agent.version);
        scheduleCycle(who, uow, playbook.playbookId, due);
      },
    });
  } catch (e) {
    if (slotTaken(e)) return 'skipped';
    throw e;
  }
  return 'processed';
};
