// Minimal typing for the part of autocannon the HTTP and reliability benches use.
declare module 'autocannon' {
  interface Histogram {
    average: number;
    p50: number;
    p99: number;
    total: number;
  }
  interface Result {
    requests: Histogram;
    latency: Histogram;
    non2xx: number;
    errors: number;
    timeouts: number;
    statusCodeStats: Record<string, { count: number }>;
  }
  interface Request {
    method?: string;
    path?: string;
    headers?: Record<string, string>;
    body?: string;
    /** called with every response to this request: status, body and headers */
    onResponse?: (status: number, body: string, context: object, headers: Record<string, string>) => void;
  }
  interface Options {
    url: string;
    method?: string;
    headers?: Record<string, string>;
    body?: string;
    duration?: number;
    connections?: number;
    /** requests each connection sends in turn */
    requests?: Request[];
    /** replaces `[<id>]` in every request with a fresh unique id */
    idReplacement?: boolean;
    timeout?: number;
  }
  export default function autocannon(opts: Options): Promise<Result>;
}
