import type { JobEnvelope } from './envelope.js';

/** Where the dispatcher puts due work: one queue per job kind. */
export interface JobQueues {
  /** sends every envelope to its job's queue; resolves once all are accepted */
  send(jobId: string, envelopes: readonly JobEnvelope[]): Promise<void>;
}
