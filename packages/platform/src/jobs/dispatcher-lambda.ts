import type { Context, ScheduledEvent } from 'aws-lambda';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { platform as defaultPlatform, type Platform } from '../platform.js';
import type { JobDef } from './define-job.js';
import { type DispatchReport, dispatchDue } from './dispatcher.js';
import type { JobQueues } from './queue.js';

/**
 * The dispatcher's Lambda entry: the one-minute EventBridge rule invokes it; it moves due work
 * onto the job queues. `queues` is linked by the entry (the SQS client is in no other bundle).
 */
export function dispatcher(
  jobs: readonly JobDef[],
  queues: (p: Platform) => JobQueues,
  getPlatform: () => Platform = defaultPlatform,
) {
  let linked: JobQueues | undefined;
  return async (_event?: ScheduledEvent, context?: Context): Promise<DispatchReport> => {
    const p = getPlatform();
    if (context?.functionName) p.logger.addContext(context);
    linked ??= queues(p);
    const started = p.now();
    const report = await dispatchDue(
      { due: p.due, queues: linked, jobs, logger: p.logger, env: p.config.defaultEnv },
      started,
    );
    const total = Object.values(report.sent).reduce((a, b) => a + b, 0);
    p.logger.info('tick', { ...report, total });
    p.metrics.addDimensions({ job: 'dispatcher' });
    p.metrics.addMetric('dispatched', MetricUnit.Count, total);
    p.metrics.addMetric('dispatchLatency', MetricUnit.Milliseconds, Math.round(p.now() - started));
    p.metrics.publishStoredMetrics();
    return report;
  };
}
