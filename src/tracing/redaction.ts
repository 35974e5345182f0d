import { Attributes, Link, SpanKind } from '@opentelemetry/api';
import { ExportResult, ExportResultCode } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter, TimedEvent } from '@opentelemetry/sdk-trace-node';

/**
 * What of a span may leave the service. An allow list, not a deny list: an attribute an
 * instrumentation adds tomorrow stays home until someone decides it carries no identity. What is
 * dropped, and why: `url.full`, `url.path`, `url.query` (paths carry OTO# numbers such as
 * `/participants/OTO%23K7Q2ZD`, queries carry SSE tickets and filters), request and response
 * headers (bearer tokens), `client.address`, `network.peer.*` and `user_agent.original` (who
 * called), exception messages and status descriptions (a database error quotes the value it
 * refused). Operators keep the route template, method, status, peer host and port, the database,
 * the statement with its literals masked, the AWS operation, and the call id as a number.
 */
const KEPT_ATTRIBUTES = new Set([
  // HTTP, server and client side (stable semantic conventions, then the older names)
  'http.request.method',
  'http.request.method_original',
  'http.response.status_code',
  'http.route',
  'url.scheme',
  'network.protocol.version',
  'server.address',
  'server.port',
  'error.type',
  'http.method',
  'http.status_code',
  'http.scheme',
  'net.peer.name',
  'net.peer.port',
  // Databases (SQLite, MySQL/MariaDB, Redis); the statement text is masked below
  'db.system',
  'db.system.name',
  'db.namespace',
  'db.name',
  'db.operation.name',
  'db.query.text',
  'db.statement',
  // AWS SDK (the retention job's S3 DeleteObjects)
  'rpc.system',
  'rpc.service',
  'rpc.method',
  'cloud.region',
  'aws.request.id',
  'aws.s3.bucket',
  // Span events: the kind of exception, never its message or stack
  'exception.type',
  // The service's own
  'calling.call_id',
]);

/** Attributes holding statement text: kept with every literal replaced by `?`. */
const STATEMENT_ATTRIBUTES = new Set(['db.query.text', 'db.statement']);

/**
 * A statement with its literals masked: quoted strings ('' and backslash escapes included) and
 * numbers become `?`. Parameters are never in the text (both databases get placeholders, and the
 * mysql2 instrumentation is told not to format values in); this also covers a literal someone
 * writes into SQL by hand. Double-quoted and backquoted names are identifiers and stay.
 */
export function maskSql(sql: string): string {
  return sql.replace(/'(?:[^'\\]|\\.|'')*'|\b\d+(?:\.\d+)?\b/g, '?');
}

/**
 * On a route (SERVER) span, `server.address` is whatever Host header the caller sent: its text is
 * the caller's, so it is not kept there (on client spans it is the peer the service called).
 */
const CALLER_WRITTEN_ON_SERVER_SPANS = new Set(['server.address']);

/** The allowed attributes of a span, event or link, statements masked. */
export function keptAttributes(attributes: Attributes, kind?: SpanKind): Attributes {
  const kept: Attributes = {};
  for (const [key, value] of Object.entries(attributes)) {
    if (!KEPT_ATTRIBUTES.has(key)) continue;
    if (kind === SpanKind.SERVER && CALLER_WRITTEN_ON_SERVER_SPANS.has(key)) continue;
    kept[key] = STATEMENT_ATTRIBUTES.has(key) && typeof value === 'string' ? maskSql(value) : value;
  }
  return kept;
}

/**
 * A span as it may leave the service: allowed attributes only (on the span, its events and its
 * links), the status code without its description.
 */
export function withoutIdentity(span: ReadableSpan): ReadableSpan {
  return {
    name: spanName(span),
    kind: span.kind,
    spanContext: () => span.spanContext(),
    parentSpanContext: span.parentSpanContext,
    startTime: span.startTime,
    endTime: span.endTime,
    status: { code: span.status.code },
    attributes: keptAttributes(span.attributes, span.kind),
    links: span.links.map((link): Link => ({ ...link, attributes: link.attributes && keptAttributes(link.attributes) })),
    events: span.events.map((event): TimedEvent => ({ ...event, attributes: event.attributes && keptAttributes(event.attributes) })),
    duration: span.duration,
    ended: span.ended,
    resource: span.resource,
    instrumentationScope: span.instrumentationScope,
    droppedAttributesCount: span.droppedAttributesCount,
    droppedEventsCount: span.droppedEventsCount,
    droppedLinksCount: span.droppedLinksCount,
  };
}

/**
 * mysql2's instrumentation names a statement's span by the text before its first space, so a
 * statement written on its own lines (`\n  SELECT ...`) would be a span named by a line break:
 * such a span is named by its first word, as SQLite statements are.
 */
function spanName(span: ReadableSpan): string {
  const text = span.attributes['db.query.text'];
  if (span.name.trim() !== '' || typeof text !== 'string') return span.name;
  return text.trimStart().split(/\s/, 1)[0].toUpperCase();
}

/**
 * Traces are of requests and job runs. A client span with no parent (a statement at start-up, a
 * job's lease query, a connection's keep-alive) belongs to neither and would arrive as a trace of
 * one span every few seconds: it is not exported.
 */
export function belongsToWork(span: ReadableSpan): boolean {
  return span.parentSpanContext !== undefined || span.kind !== SpanKind.CLIENT;
}

/** The one exporter the service uses: whatever it sends has been through `withoutIdentity`. */
export class IdentityFreeExporter implements SpanExporter {
  constructor(private readonly next: SpanExporter) {}

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    const kept = spans.filter(belongsToWork).map(withoutIdentity);
    if (kept.length === 0) return resultCallback({ code: ExportResultCode.SUCCESS });
    this.next.export(kept, resultCallback);
  }

  shutdown(): Promise<void> {
    return this.next.shutdown();
  }

  forceFlush(): Promise<void> {
    return this.next.forceFlush?.() ?? Promise.resolve();
  }
}
