import { MetricUnit, Metrics } from '@aws-lambda-powertools/metrics';

/**
 * CloudWatch EMF metrics (Powertools). Dimensions are low-cardinality by rule: context, route,
 * job, outcome and error code — never a tenant, user or resource id (each distinct dimension value
 * is a billed custom metric, and a tenant id would also leak who uses the platform into dashboards).
 */
export const METRICS_NAMESPACE = 'Ballast';

/** Where EMF lines go: stdout in Lambda (CloudWatch reads them there); a sink locally and in tests. */
export type MetricsSink = (line: string) => void;

export function createMetrics(stage: string, sink?: MetricsSink): Metrics {
  const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: 'ballast', defaultDimensions: { stage } });
  if (sink) {
    // Powertools prints through its own Console on stdout; the local runtime would drown its
    // terminal in JSON, so it hands a sink instead (the lines are the same EMF documents).
    Object.defineProperty(metrics, 'console', { value: { log: sink }, writable: true });
  }
  return metrics;
}

/** One HTTP request's outcome: count and latency by route; errors again by route and code. */
export function recordRequest(
  metrics: Metrics,
  m: { context: string; route: string; status: number; latencyMs: number; code?: string },
): void {
  metrics.addDimensions({ context: m.context, route: m.route });
  metrics.addMetric('requests', MetricUnit.Count, 1);
  metrics.addMetric('latency', MetricUnit.Milliseconds, m.latencyMs);
  if (m.status >= 500) metrics.addMetric('serverErrors', MetricUnit.Count, 1);
  else if (m.status >= 400) metrics.addMetric('clientErrors', MetricUnit.Count, 1);
  metrics.publishStoredMetrics();
  if (m.code) {
    // Another dimension set: its own EMF document.
    metrics.addDimensions({ context: m.context, route: m.route, code: m.code });
    metrics.addMetric('errors', MetricUnit.Count, 1);
    metrics.publishStoredMetrics();
  }
}

/** One job message's outcome, by job. */
export function recordJob(
  metrics: Metrics,
  m: { job: string; outcome: 'processed' | 'failed' | 'duplicate' | 'skipped'; latencyMs: number },
): void {
  metrics.addDimensions({ job: m.job, outcome: m.outcome });
  metrics.addMetric('jobs', MetricUnit.Count, 1);
  metrics.addMetric('jobLatency', MetricUnit.Milliseconds, m.latencyMs);
  metrics.publishStoredMetrics();
}
