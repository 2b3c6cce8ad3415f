/**
 * Minimal types for the parts of autocannon@8 the benchmark uses.
 * autocannon ships no types and @types/autocannon is not installed; declaring only what we
 * call keeps `any` out of the bench code and makes an upgrade that changes these shapes fail
 * to compile instead of silently printing `undefined`.
 */
declare module 'autocannon' {
  namespace autocannon {
    /** One HTTP request as autocannon builds it (also what `setupRequest` receives and returns). */
    interface RequestParams {
      method?: string;
      path?: string;
      headers?: Record<string, string>;
      body?: string | Buffer;
    }

    interface Request extends RequestParams {
      /**
       * Called before every send of this request; returning a new object lets each request carry
       * fresh values (e.g. a unique Idempotency-Key). Returning null/undefined stops the sequence.
       */
      setupRequest?: (req: RequestParams, context: Record<string, unknown>) => RequestParams | null | undefined;
      /** Called with every response to this request, before the next request is sent. */
      onResponse?: (
        status: number,
        body: string,
        context: Record<string, unknown>,
        headers: Record<string, string | string[]>,
      ) => void;
    }

    interface Options {
      url: string;
      method?: string;
      headers?: Record<string, string>;
      body?: string | Buffer;
      connections?: number;
      /** Seconds. */
      duration?: number;
      pipelining?: number;
      /** Per-request timeout, seconds. */
      timeout?: number;
      requests?: Request[];
    }

    /** Summary of an HDR histogram (hdr-histogram-percentiles-obj). */
    interface Histogram {
      average: number;
      mean: number;
      stddev: number;
      min: number;
      max: number;
      total: number;
      p50: number;
      p90: number;
      p97_5: number;
      p99: number;
      p99_9: number;
    }

    interface Result {
      url: string;
      connections: number;
      /** Seconds actually run. */
      duration: number;
      /** Per-second request counts; `total` is completed responses. */
      requests: Histogram & { sent: number };
      /** Milliseconds. */
      latency: Histogram & { totalCount: number };
      /** Bytes per second. */
      throughput: Histogram;
      /** Connection errors plus timeouts. */
      errors: number;
      timeouts: number;
      mismatches: number;
      non2xx: number;
      resets: number;
      /** Keyed by the status code as a string, e.g. `"200"`. */
      statusCodeStats: Record<string, { count: number }>;
    }
  }

  /** Callback form: avoids the thenable-tracker shape of the promise form. */
  function autocannon(
    opts: autocannon.Options,
    cb: (err: Error | null, result: autocannon.Result) => void,
  ): NodeJS.EventEmitter;

  export = autocannon;
}
