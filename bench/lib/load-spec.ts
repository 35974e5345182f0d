/**
 * What bench/run.ts asks bench/load.ts to do (written as JSON to a file), and what comes back.
 * Types only: shared by the two processes.
 */

/** One request of a rotation: who asks (a bearer token) and what. */
export interface RotateItem {
  authorization: string;
  path: string;
  /** JSON text; sent with `Content-Type: application/json` when present. */
  body?: string;
}

/** One request sent exactly once (kind `once`), to the instance `target` (an index into `urls`). */
export interface OnceItem {
  target: number;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  authorization: string;
  /** JSON text; sent with `Content-Type: application/json` when present. */
  body?: string;
}

/** One member of the join/leave churn: joins `callId`, then leaves it. */
export interface JoinLeaveItem {
  authorization: string;
  callId: number;
}

export type LoadSpec = {
  /** `http://127.0.0.1:<port>` */
  url: string;
  connections: number;
  durationSec: number;
  /**
   * Run before the measurement and not reported: `amount` requests (at least one pass over the
   * items, so every member's first-request work is done), or `durationSec` seconds.
   */
  warmup: { amount?: number; durationSec?: number };
  /** Where load.ts writes its LoadResult. */
  outFile: string;
  /** The measured server's process id: its CPU time over the measurement is reported (Linux). */
  serverPid?: number;
} & (
  | {
      /**
       * Every connection cycles through its own share of `items` (item i goes to connection
       * i mod connections), so successive requests come from different members and no two
       * connections ask for the same member at once. Requests are built once, up front.
       */
      kind: 'rotate';
      method: 'GET' | 'POST';
      items: RotateItem[];
    }
  | {
      /**
       * Each connection repeats: take the next member from a shared cursor, POST join; when it
       * answered 200, POST leave (a failed leave is tried again, a few times). A join refused
       * with 400 CALL_FULL is expected (counted, not an error) and is not followed by a leave.
       */
      kind: 'join-leave';
      items: JoinLeaveItem[];
    }
  | {
      /**
       * Every item is sent once, to the instance it names (`urls[item.target]`, the service's
       * instances side by side), `connections` split evenly between the instances; nothing is
       * repeated, so `durationSec` is only the time allowed. Answers with a status in
       * `expectedStatuses` (2xx always) or a code in `expectedCodes` are not errors.
       */
      kind: 'once';
      urls: string[];
      items: OnceItem[];
      expectedCodes?: string[];
      /** A field of each 2xx answer's JSON body to hand back (`captured`, by item index). */
      capture?: string;
      /** Other processes whose CPU time over the run is reported (`cpu` in the result), by label. */
      watchPids?: Record<string, number>;
    }
);

/** A LoadSpec before run.ts fills in where the server is and where the result goes. */
export type LoadRequest = DistributiveOmit<LoadSpec, 'url' | 'outFile'>;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

export interface LoadResult {
  durationSec: number;
  connections: number;
  /** Responses received during the measurement. */
  requests: number;
  reqPerSec: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number; mean: number };
  /** Connection errors and time-outs (autocannon's `errors`). */
  socketErrors: number;
  timeouts: number;
  /** Responses by status, non-2xx also by the body's `code` (e.g. "400 CALL_FULL"). */
  statuses: Record<string, number>;
  /** Non-2xx responses that the scenario did not expect. */
  unexpected: number;
  /** A few bodies of unexpected responses, for the log. */
  unexpectedSamples: string[];
  /**
   * CPU time the server process used during the measurement (user + system, from /proc), per
   * response and as cores busy. Steadier than req/s when the load generator shares the machine.
   */
  serverCpu?: { seconds: number; usPerRequest: number; cores: number };
  /** once only: the `capture` field of each 2xx answer, by item index. */
  captured?: Record<number, unknown>;
  /** once only: CPU seconds of each watched process over the run. */
  cpu?: Record<string, number>;
  /** join-leave only. */
  joinLeave?: { cycles: number; cyclesPerSec: number; joins: number; callFull: number; leaves: number; failedLeaves: number };
}
