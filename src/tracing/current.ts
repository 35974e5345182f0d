/**
 * What the rest of the service may ask of tracing, without loading OpenTelemetry: undefined
 * unless `src/tracing/register.ts` started it (OTEL_EXPORTER_OTLP_ENDPOINT set). Code that adds
 * to traces (the logger's trace ids, a job's root span, SQLite statement spans) asks here first,
 * so with tracing off it costs one check and loads nothing.
 */
export interface ActiveTracing {
  /** `trace_id`, `span_id` and `trace_flags` of the active span, for a log line; empty outside one. */
  logFields(): Record<string, string>;
  /** Runs `work` as a trace of its own, under a span named `name` (a scheduled job's run). */
  inNewTrace<T>(name: string, work: () => Promise<T>): Promise<T>;
}

let active: ActiveTracing | undefined;

export function activeTracing(): ActiveTracing | undefined {
  return active;
}

/** Called once, by the tracing SDK set-up (src/tracing/sdk.ts). */
export function setActiveTracing(tracing: ActiveTracing): void {
  active = tracing;
}
