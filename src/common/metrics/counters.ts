import { Counter, Histogram, Metric } from 'prom-client';

/**
 * What the service counts, one object per process, updated where it happens (a counter's `inc`
 * is a few map lookups, cheap enough for the token route). Each app's registry (MetricsService)
 * serves them at /metrics. Label values are routes, methods, statuses, codes and results: never
 * a user id, OTO# number or channel name.
 */
export const httpRequestDuration = new Histogram({
  name: 'calling_http_request_duration_seconds',
  help: 'HTTP requests by route pattern (never the raw URL), method and status',
  labelNames: ['route', 'method', 'status'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [],
});

export const tokensIssued = new Counter({ name: 'calling_tokens_issued_total', help: 'Agora RTC tokens issued', registers: [] });

export const joinsRefused = new Counter({
  name: 'calling_joins_refused_total',
  help: 'Joins refused, by error code',
  labelNames: ['code'] as const,
  registers: [],
});

export const joinGroupSize = new Histogram({
  name: 'calling_join_group_size',
  help: 'Joins into one call that went in one transaction (group commit: joins that arrived while one into the same call ran)',
  buckets: [1, 2, 4, 8, 16, 32, 64],
  registers: [],
});

export const webhookNotices = new Counter({
  name: 'calling_webhook_notices_total',
  help: 'Agora webhook notices by result: applied, duplicate, ignored, invalid, signature_invalid, disabled, failed',
  labelNames: ['result'] as const,
  registers: [],
});

export const jobRuns = new Counter({
  name: 'calling_job_runs_total',
  help: 'Scheduled job runs by job and result: ok, failed, or skipped (another instance holds the lease)',
  labelNames: ['job', 'result'] as const,
  registers: [],
});

export const agoraRestRequests = new Counter({
  name: 'calling_agora_rest_requests_total',
  help: 'Agora REST requests by result: 2xx, 4xx, 5xx (the status class) or the network error (timeout, refused, ...)',
  labelNames: ['result'] as const,
  registers: [],
});

export const recordingUpdates = new Counter({
  name: 'calling_recording_updates_total',
  help: "Agora Cloud Recording subscribe-list updates by result: sent, unchanged (nothing to send) or failed (the reconcile job retries)",
  labelNames: ['result'] as const,
  registers: [],
});

export const eventDeliveries = new Counter({
  name: 'calling_event_deliveries_total',
  help: 'Outbound event webhook attempts by result: delivered (2xx), retry (failed, tried again later), failed (gave up after 24 h)',
  labelNames: ['result'] as const,
  registers: [],
});

export const recordingTransitions = new Counter({
  name: 'calling_recording_transitions_total',
  help: 'Recordings reaching a state: started, stopped, failed, or abandoned (Agora refused the start; nothing kept)',
  labelNames: ['state'] as const,
  registers: [],
});

export const recordingPurges = new Counter({
  name: 'calling_recording_purges_total',
  help: 'Recordings past retention by result: deleted (files, then the row) or kept (deleting the files failed; retried next run)',
  labelNames: ['result'] as const,
  registers: [],
});

export const eventsFailed = new Counter({
  name: 'calling_events_failed_total',
  help: 'Events whose webhook delivery gave up after 24 h of retries (listed at GET /api/calling/admin/events?status=failed)',
  registers: [],
});

export const EVENT_METRICS: Metric<string>[] = [
  httpRequestDuration,
  tokensIssued,
  joinsRefused,
  joinGroupSize,
  webhookNotices,
  jobRuns,
  agoraRestRequests,
  recordingUpdates,
  recordingTransitions,
  recordingPurges,
  eventDeliveries,
  eventsFailed,
];
