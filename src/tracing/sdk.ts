import { context, isSpanContextValid, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { getRPCMetadata, RPCType, setGlobalErrorHandler, W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { AwsInstrumentation } from '@opentelemetry/instrumentation-aws-sdk';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { MySQL2Instrumentation } from '@opentelemetry/instrumentation-mysql2';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { defaultResource, detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { subscribe } from 'node:diagnostics_channel';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setActiveTracing } from './current';
import { IdentityFreeExporter } from './redaction';
import type { TracingConfig } from '../config/tracing.config';

/** Incoming requests not traced: the load balancer's health checks and Prometheus' scrapes. */
const UNTRACED_PATHS = new Set(['/api/health', '/metrics']);

/** How long shutdown waits for the last spans to reach the collector. */
const FLUSH_ON_CLOSE_MS = 3000;

/**
 * Starts the OpenTelemetry SDK: a tracer provider exporting OTLP/HTTP (protobuf) through
 * IdentityFreeExporter, and the official instrumentations, registered before the modules they
 * patch are loaded (src/tracing/register.ts runs first in main.ts). Loaded only when tracing is on.
 *
 * - Routes: the http instrumentation makes one SERVER span per request; a Fastify onRequest hook
 *   (below) gives it the route template, so it is named `POST /api/calling/:callId/join`, never
 *   the raw URL, and adds the call id.
 * - SQL: mysql2's instrumentation on MySQL/MariaDB; on SQLite, src/database/sqlite-spans.ts.
 * - Redis (ioredis), outgoing fetch (Agora, webhooks: undici) and S3 (aws-sdk).
 * - Scheduled jobs: a root span per run (JobScheduler), so webhook and S3 calls have a trace.
 */
export function startTracing(config: TracingConfig): void {
  const provider = new NodeTracerProvider({
    // OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES (envDetector) win over these defaults.
    resource: defaultResource()
      .merge(resourceFromAttributes({ 'service.name': config.serviceName, ...serviceVersion() }))
      .merge(detectResources({ detectors: [envDetector] })),
    // The exporter reads OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT, _HEADERS, _TIMEOUT, _COMPRESSION;
    // the batch processor OTEL_BSP_*; the provider OTEL_TRACES_SAMPLER(_ARG).
    spanProcessors: [new BatchSpanProcessor(new IdentityFreeExporter(new OTLPTraceExporter()))],
  });
  // W3C trace context only: no baggage, so nothing a caller sends rides along to Agora or webhooks.
  provider.register({ propagator: new W3CTraceContextPropagator() });
  registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      new HttpInstrumentation({ ignoreIncomingRequestHook: (request) => UNTRACED_PATHS.has((request.url ?? '').split('?')[0]) }),
      new UndiciInstrumentation(),
      // Values are never formatted into the statement (mysql2's default does): the text as sent,
      // with placeholders; IdentityFreeExporter masks its literals too.
      new MySQL2Instrumentation({ maskStatement: true, maskStatementHook: (sql) => sql }),
      // The command name only: keys and arguments (rate-limit keys, ticket hashes) stay home.
      new IORedisInstrumentation({ dbStatementSerializer: (command) => command }),
      // One span per S3 operation, not a second one for its HTTP request.
      new AwsInstrumentation({ suppressInternalInstrumentation: true }),
    ],
  });
  setGlobalErrorHandler(exportErrorWarning());

  // Every Fastify instance announces itself on this channel when created (Nest's adapter creates one).
  subscribe('fastify.initialization', (message) => {
    const { fastify } = message as { fastify: FastifyInstance };
    fastify.addHook('onRequest', nameSpanByRoute);
    // The last spans go out before the process exits, waiting FLUSH_ON_CLOSE_MS at most.
    fastify.addHook('onClose', (_instance, done) => {
      let finished = false;
      const finish = () => {
        if (finished) return;
        finished = true;
        clearTimeout(timer);
        done();
      };
      const timer = setTimeout(finish, FLUSH_ON_CLOSE_MS);
      timer.unref();
      provider.forceFlush().then(finish, finish);
    });
  });

  const tracer = trace.getTracer('ikoota-calling');
  setActiveTracing({
    logFields,
    inNewTrace: (name, work) =>
      tracer.startActiveSpan(name, { root: true, kind: SpanKind.INTERNAL }, async (span) => {
        try {
          return await work();
        } catch (error) {
          span.setStatus({ code: SpanStatusCode.ERROR });
          span.setAttribute('error.type', (error as Error)?.name ?? 'Error');
          throw error;
        } finally {
          span.end();
        }
      }),
  });
}

/**
 * Runs first for every request, inside the http instrumentation's server span: the route
 * template names that span (the instrumentation reads it from the RPC metadata when the response
 * finishes), and a numeric `:callId` is added as `calling.call_id`. Member ids in the path never are.
 */
function nameSpanByRoute(request: FastifyRequest, _reply: FastifyReply, done: () => void): void {
  const metadata = getRPCMetadata(context.active());
  if (metadata?.type === RPCType.HTTP) {
    const route = request.routeOptions.url;
    if (route) metadata.route = route;
    const callId = (request.params as Record<string, unknown> | undefined)?.callId;
    if (typeof callId === 'string' && /^\d{1,15}$/.test(callId)) metadata.span.setAttribute('calling.call_id', Number(callId));
  }
  done();
}

/**
 * The active span's ids as log fields (the names OpenTelemetry's own log bridges use). A new
 * object every time: pino merges the line's own fields into what the mixin returns.
 */
function logFields(): Record<string, string> {
  const span = trace.getSpan(context.active());
  if (!span) return {};
  const ids = span.spanContext();
  if (!isSpanContextValid(ids)) return {};
  return { trace_id: ids.traceId, span_id: ids.spanId, trace_flags: `0${ids.traceFlags.toString(16)}` };
}

function serviceVersion(): { 'service.version'?: string } {
  try {
    // package.json sits two levels above this file in src/ and in dist/ alike.
    const { version } = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version?: string };
    return version ? { 'service.version': version } : {};
  } catch {
    return {};
  }
}

/**
 * The SDK reports a failed export (collector down, refusing) here; without a handler nobody
 * would know. One warning line a minute at most, through the service's own logger.
 */
function exportErrorWarning(): (error: unknown) => void {
  let lastAt = 0;
  let missed = 0;
  let logger: import('pino').Logger | undefined;
  return (error) => {
    const now = Date.now();
    if (now - lastAt < 60_000) {
      missed += 1;
      return;
    }
    lastAt = now;
    if (!logger) {
      // Made on first use, long after the instrumentations are in place.
      const { createRootLogger } = require('../common/logging/logger') as typeof import('../common/logging/logger');
      const { loadAppConfig } = require('../config/app.config') as typeof import('../config/app.config');
      logger = createRootLogger(loadAppConfig().logLevel);
    }
    const message = error instanceof Error ? error.message : String(error);
    const line = { context: 'Tracing', error: message, suppressedSinceLast: missed };
    // The export timer may have started inside a request: this line belongs to no trace.
    context.with(ROOT_CONTEXT, () => logger!.warn(line, 'traces could not be exported'));
    missed = 0;
  };
}
