// Minimal typing for the part of autocannon the HTTP bench uses.
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
  }
  interface Options {
    url: string;
    headers?: Record<string, string>;
    duration?: number;
    connections?: number;
  }
  export default function autocannon(opts: Options): Promise<Result>;
}
