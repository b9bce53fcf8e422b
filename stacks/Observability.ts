import { CfnOutput, Duration } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  MathExpression,
  Metric,
  TextWidget,
  TreatMissingData,
  type IMetric,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { dependsOn, use, type StackContext } from 'sst/constructs';
import { METRICS_NAMESPACE } from '../packages/platform/src/observability/metrics.js';
import type { ApiOutputs } from './Api.js';
import { JOB_SETTINGS, OUTPUTS, stageNames, stageSettings } from './config.js';
import type { TrackedFunction } from './functions.js';
import type { JobsOutputs } from './Jobs.js';
import { EDGE_GROUP, JOBS_GROUP } from './layout.js';
import type { RouteStackOutputs } from './RouteStack.js';

/** A CloudWatch alarm's metric math may use at most 10 metrics: larger groups get several alarms. */
export const FUNCTIONS_PER_ALARM = 10;

export interface ObservabilityInputs {
  Api: (ctx: StackContext) => ApiOutputs;
  routeStacks: ReadonlyArray<(ctx: StackContext) => RouteStackOutputs>;
  Jobs: (ctx: StackContext) => JobsOutputs;
}

/** Every Ballast function by alarm group, in the order the stacks declared them. */
export function functionGroups(functions: readonly TrackedFunction[]): Map<string, TrackedFunction[]> {
  const groups = new Map<string, TrackedFunction[]>();
  const names = new Set<string>();
  for (const f of functions) {
    if (names.has(f.name)) throw new Error(`two functions are named ${f.name}`);
    names.add(f.name);
    groups.set(f.group, [...(groups.get(f.group) ?? []), f]);
  }
  return groups;
}

/**
 * Alarms (to one SNS topic) and a dashboard over every other stack. Metric dimensions are API,
 * function and queue names, and in the dashboard the Ballast EMF dimensions (context, route, job,
 * outcome): never a tenant. Functions and queues are named by their fixed physical names, as
 * strings, not by cross-stack references: a route stack or the Jobs stack can then drop a function
 * or a queue without first deploying this stack (CloudFormation refuses to delete an export that
 * another stack imports). Only the HTTP API's id is imported, from the Api stack.
 */
export function observabilityStack(inputs: ObservabilityInputs) {
  return function Observability({ stack }: StackContext) {
    const stage = stack.stage;
    const names = stageNames(stage);
    const settings = stageSettings(stage);
    const { api, functions: apiFunctions } = use(inputs.Api);
    const routeFunctions = inputs.routeStacks.flatMap((routeStack) => use(routeStack).functions);
    const jobs = use(inputs.Jobs);
    // Deployed after every stack it watches, although it imports nothing from them but the API id.
    for (const watched of [...inputs.routeStacks, inputs.Jobs]) dependsOn(watched);
    const groups = functionGroups([...apiFunctions, ...routeFunctions, ...jobs.functions]);

    // Subscribe an email or a pager to the topic after deploy.
    const alarmTopic = new Topic(stack, 'AlarmTopic', { displayName: `Ballast ${stage} alarms` });
    const notify = new SnsAction(alarmTopic);
    const fiveMinutes = Duration.minutes(5);
    const alarm = (id: string, props: ConstructorParameters<typeof Alarm>[2]) =>
      new Alarm(stack, id, props).addAlarmAction(notify);

    const apiId = api.cdk.httpApi.apiId;
    const apiMetric = (metricName: string, statistic = 'Sum') =>
      new Metric({
        namespace: 'AWS/ApiGateway',
        metricName,
        dimensionsMap: { ApiId: apiId },
        statistic,
        period: fiveMinutes,
      });
    alarm('Api5xxRate', {
      alarmName: `ballast-${stage}-api-5xx-rate`,
      alarmDescription:
        `More than ${settings.api5xxPercent}% of API requests answered 5xx in 5 minutes ` +
        `(with at least ${settings.api5xxMinRequests} requests). A 5xx is a bug or an outage.`,
      metric: new MathExpression({
        expression: `IF(requests >= ${settings.api5xxMinRequests}, 100 * errors / requests, 0)`,
        usingMetrics: { errors: apiMetric('5xx'), requests: apiMetric('Count') },
        period: fiveMinutes,
        label: '5xx %',
      }),
      threshold: settings.api5xxPercent,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });

    // Lambda errors and throttles, summed per function group (a context, `edge`, `jobs`).
    const lambdaMetric = (f: TrackedFunction, metricName: string) =>
      new Metric({
        namespace: 'AWS/Lambda',
        metricName,
        dimensionsMap: { FunctionName: f.name },
        statistic: 'Sum',
        period: fiveMinutes,
      });
    for (const [group, fns] of groups) {
      for (let i = 0; i < fns.length; i += FUNCTIONS_PER_ALARM) {
        const chunk = fns.slice(i, i + FUNCTIONS_PER_ALARM);
        const part = fns.length > FUNCTIONS_PER_ALARM ? i / FUNCTIONS_PER_ALARM + 1 : undefined;
        for (const metricName of ['Errors', 'Throttles'] as const) {
          alarm(`Lambda${metricName}_${group}${part ? `_${part}` : ''}`, {
            alarmName: `ballast-${stage}-lambda-${metricName.toLowerCase()}-${group}${part ? `-${part}` : ''}`,
            alarmDescription: `Lambda ${metricName} in the '${group}' functions (${chunk.length}) in 5 minutes`,
            metric: new MathExpression({
              expression: 'SUM(FILL(METRICS(), 0))',
              usingMetrics: Object.fromEntries(chunk.map((f, j) => [`m${j}`, lambdaMetric(f, metricName)])),
              period: fiveMinutes,
              label: `${group} ${metricName}`,
            }),
            threshold: 1,
            comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            evaluationPeriods: 1,
            treatMissingData: TreatMissingData.NOT_BREACHING,
          });
        }
      }
    }

    // Jobs: work that failed for good, work nobody picks up, and a dispatcher that stopped ticking.
    const queueMetric = (queueName: string, metricName: string) =>
      new Metric({
        namespace: 'AWS/SQS',
        metricName,
        dimensionsMap: { QueueName: queueName },
        statistic: 'Maximum',
        period: fiveMinutes,
      });
    for (const { job } of jobs.jobs) {
      const id = job.id.replace(/[^A-Za-z0-9]/g, '_');
      alarm(`JobDeadLetters_${id}`, {
        alarmName: `ballast-${stage}-job-dead-letters-${job.queue}`,
        alarmDescription: `Messages of job ${job.id} failed every delivery and wait in its dead-letter queue`,
        metric: queueMetric(names.jobDeadLetterQueue(job.queue), 'ApproximateNumberOfMessagesVisible'),
        threshold: 0,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      alarm(`JobQueueAge_${id}`, {
        alarmName: `ballast-${stage}-job-queue-age-${job.queue}`,
        alarmDescription:
          `The oldest message of job ${job.id} waits for more than ` +
          `${JOB_SETTINGS.queueAgeAlarmSeconds / 60} minutes: its worker is not keeping up or not running`,
        metric: queueMetric(names.jobQueue(job.queue), 'ApproximateAgeOfOldestMessage'),
        threshold: JOB_SETTINGS.queueAgeAlarmSeconds,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
    }
    const dispatcher = jobs.functions.find((f) => f.fn === jobs.dispatcher);
    if (!dispatcher) throw new Error('the dispatcher is not tracked');
    alarm('DispatcherSilent', {
      alarmName: `ballast-${stage}-job-dispatcher-silent`,
      alarmDescription: 'The job dispatcher did not run in 5 minutes: no scheduled work is being dispatched',
      metric: new Metric({
        namespace: 'AWS/Lambda',
        metricName: 'Invocations',
        dimensionsMap: { FunctionName: dispatcher.name },
        statistic: 'Sum',
        period: fiveMinutes,
      }),
      threshold: 1,
      comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: 1,
      // No data points at all is exactly what a stopped dispatcher looks like.
      treatMissingData: TreatMissingData.BREACHING,
    });

    const dashboard = buildDashboard(stack, {
      stage,
      apiMetric,
      contexts: [...groups.keys()].filter((g) => g !== EDGE_GROUP && g !== JOBS_GROUP),
      queueMetric,
      jobs,
    });

    new CfnOutput(stack, OUTPUTS.alarmTopic, { value: alarmTopic.topicArn });
    new CfnOutput(stack, OUTPUTS.dashboard, { value: dashboard.dashboardName });
    return { alarmTopic, dashboard };
  };
}

/**
 * Requests, errors and latency by context from the Ballast EMF metrics (dimensions service, stage,
 * context, route; jobs: job, outcome), the API's own metrics, and the job queues.
 */
function buildDashboard(
  stack: StackContext['stack'],
  d: {
    stage: string;
    apiMetric: (name: string, statistic?: string) => Metric;
    contexts: string[];
    queueMetric: (queueName: string, metricName: string) => Metric;
    jobs: JobsOutputs;
  },
): Dashboard {
  const names = stageNames(d.stage);
  const period = 300;
  const search = (schema: string, terms: string, statistic: string) =>
    `SEARCH('{${METRICS_NAMESPACE},${schema}} stage="${d.stage}" ${terms}', '${statistic}', ${period})`;
  const byContext = (metricName: string, aggregate: 'SUM' | 'MAX', statistic: string): IMetric[] =>
    d.contexts.map(
      (context) =>
        new MathExpression({
          // one line per context over all its routes (a route's p90s can only be maxed, not summed)
          expression: `${aggregate}(${search(
            'context,route,service,stage',
            `MetricName="${metricName}" context="${context}"`,
            statistic,
          )})`,
          usingMetrics: {},
          label: context,
          period: Duration.seconds(period),
        }),
    );
  const graph = (title: string, left: IMetric[], width = 8) => new GraphWidget({ title, left, width, height: 6 });
  const dashboard = new Dashboard(stack, 'Dashboard', { dashboardName: stageNames(d.stage).dashboard });
  dashboard.addWidgets(
    new TextWidget({ markdown: `# Ballast ${d.stage}`, width: 24, height: 1 }),
    graph('API requests and errors', [d.apiMetric('Count'), d.apiMetric('4xx'), d.apiMetric('5xx')]),
    graph(
      'API latency (p50, p90, p99)',
      ['p50', 'p90', 'p99'].map((p) => d.apiMetric('Latency', p)),
    ),
    graph('Requests by context', byContext('requests', 'SUM', 'Sum')),
    graph('Server errors by context', byContext('serverErrors', 'SUM', 'Sum')),
    graph('Client errors by context', byContext('clientErrors', 'SUM', 'Sum')),
    graph('Slowest route p90 by context (ms)', byContext('latency', 'MAX', 'p90')),
    // every 4xx and 5xx by its Problem Details code, summed over routes: what callers are refused with
    graph('Errors by code', [
      new MathExpression({
        expression: `SUM(${search('code,context,route,service,stage', 'MetricName="errors"', 'Sum')})`,
        usingMetrics: {},
        label: 'all codes',
        period: Duration.seconds(period),
      }),
      new MathExpression({
        expression: search('code,context,route,service,stage', 'MetricName="errors"', 'Sum'),
        usingMetrics: {},
        label: '',
        period: Duration.seconds(period),
      }),
    ]),
    // the pre-trade gate's refusals, by route (orders, approvals, executions, cycles)
    graph('Risk rejections', [
      new MathExpression({
        expression: search('code,context,route,service,stage', 'MetricName="errors" code="RISK_REJECTED"', 'Sum'),
        usingMetrics: {},
        label: '',
        period: Duration.seconds(period),
      }),
    ]),
    graph('Job runs by job and outcome', [
      new MathExpression({
        expression: search('job,outcome,service,stage', 'MetricName="jobs"', 'Sum'),
        usingMetrics: {},
        label: '',
        period: Duration.seconds(period),
      }),
    ]),
    graph(
      'Job queue depth',
      d.jobs.jobs.map((j) =>
        d.queueMetric(names.jobQueue(j.job.queue), 'ApproximateNumberOfMessagesVisible').with({ label: j.job.id }),
      ),
    ),
    graph(
      'Dead letters',
      d.jobs.jobs.map((j) =>
        d
          .queueMetric(names.jobDeadLetterQueue(j.job.queue), 'ApproximateNumberOfMessagesVisible')
          .with({ label: j.job.id }),
      ),
    ),
  );
  return dashboard;
}
