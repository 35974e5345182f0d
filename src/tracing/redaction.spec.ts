import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { ExportResult, ExportResultCode } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-node';
import { belongsToWork, IdentityFreeExporter, maskSql, withoutIdentity } from './redaction';

const ids = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1 };

function span(overrides: Partial<ReadableSpan>): ReadableSpan {
  return {
    name: 'GET',
    kind: SpanKind.SERVER,
    spanContext: () => ids,
    parentSpanContext: undefined,
    startTime: [1, 0],
    endTime: [2, 0],
    status: { code: SpanStatusCode.UNSET },
    attributes: {},
    links: [],
    events: [],
    duration: [1, 0],
    ended: true,
    resource: resourceFromAttributes({ 'service.name': 'ikoota-calling-api' }),
    instrumentationScope: { name: 'test' },
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
    ...overrides,
  };
}

describe('maskSql', () => {
  it('replaces quoted strings and numbers with ?, and leaves placeholders and identifiers', () => {
    expect(maskSql("SELECT * FROM `users` WHERE oto_number = 'OTO#K7Q2ZD' AND id = 42 LIMIT 1")).toBe('SELECT * FROM `users` WHERE oto_number = ? AND id = ? LIMIT ?');
    expect(maskSql(`SELECT "Call"."id" FROM "calls" "Call" WHERE "Call"."id" = ? AND status IN ('active', 'paused')`)).toBe(`SELECT "Call"."id" FROM "calls" "Call" WHERE "Call"."id" = ? AND status IN (?, ?)`);
    expect(maskSql("INSERT INTO t (a) VALUES ('it''s', 'back\\'slash', 3.25, -7)")).toBe('INSERT INTO t (a) VALUES (?, ?, ?, -?)');
    // Digits inside names are not numbers.
    expect(maskSql('SELECT t1.col2 FROM IDX_9d1f t1')).toBe('SELECT t1.col2 FROM IDX_9d1f t1');
  });
});

describe('withoutIdentity', () => {
  it('keeps only allowed attributes: route, method, status, peer, database and masked statement, call id', () => {
    const redacted = withoutIdentity(
      span({
        name: 'POST /api/calling/:callId/participants/:member/mute',
        attributes: {
          'http.request.method': 'POST',
          'http.route': '/api/calling/:callId/participants/:member/mute',
          'http.response.status_code': 200,
          'calling.call_id': 12,
          'url.path': '/api/calling/12/participants/OTO%23K7Q2ZD/mute',
          'url.query': 'ticket=abc',
          'url.full': 'http://host/api/calling/events?ticket=abc',
          'http.target': '/api/calling/12/participants/OTO%23K7Q2ZD/mute',
          'http.request.header.authorization': ['Bearer eyJ...'],
          'client.address': '203.0.113.9',
          'user_agent.original': 'curl/8',
          'db.query.text': "SELECT 1 FROM users WHERE oto_number = 'OTO#K7Q2ZD'",
          'enduser.id': '456',
          // The Host header the caller sent: not kept on a route span.
          'server.address': 'OTO#K7Q2ZD.example',
          'server.port': 3000,
        },
      }),
    );
    expect(redacted.attributes).toEqual({
      'http.request.method': 'POST',
      'http.route': '/api/calling/:callId/participants/:member/mute',
      'http.response.status_code': 200,
      'calling.call_id': 12,
      'db.query.text': 'SELECT ? FROM users WHERE oto_number = ?',
      'server.port': 3000,
    });
    expect(redacted.spanContext()).toEqual(ids);
    expect(redacted.name).toBe('POST /api/calling/:callId/participants/:member/mute');
  });

  it('drops exception messages and stacks, status descriptions, and link attributes not allowed', () => {
    const redacted = withoutIdentity(
      span({
        status: { code: SpanStatusCode.ERROR, message: "Duplicate entry 'OTO#K7Q2ZD' for key 'oto_number'" },
        events: [{ name: 'exception', time: [1, 0], attributes: { 'exception.type': 'QueryFailedError', 'exception.message': "Duplicate entry 'OTO#K7Q2ZD'", 'exception.stacktrace': 'at ...' } }],
        links: [{ context: ids, attributes: { 'enduser.id': '456', 'server.address': 'api.agora.io' } }],
      }),
    );
    expect(redacted.status).toEqual({ code: SpanStatusCode.ERROR });
    expect(redacted.events).toEqual([{ name: 'exception', time: [1, 0], attributes: { 'exception.type': 'QueryFailedError' } }]);
    expect(redacted.links).toEqual([{ context: ids, attributes: { 'server.address': 'api.agora.io' } }]);
  });

  it('names a statement span that mysql2 named by a line break after the statement', () => {
    expect(withoutIdentity(span({ name: '\n', kind: SpanKind.CLIENT, attributes: { 'db.query.text': '\n  select c.id from calls c' } })).name).toBe('SELECT');
    expect(withoutIdentity(span({ name: 'UPDATE', kind: SpanKind.CLIENT, attributes: { 'db.query.text': 'UPDATE calls SET x = ?' } })).name).toBe('UPDATE');
  });
});

describe('IdentityFreeExporter', () => {
  it('passes on redacted spans only, and no client span without a parent (outside any request or job)', () => {
    const exported: ReadableSpan[][] = [];
    const next: SpanExporter = { export: (spans, done) => (exported.push(spans), done({ code: ExportResultCode.SUCCESS })), shutdown: async () => undefined };
    const parent = { ...ids, spanId: '00f067aa0ba902b7' };
    const orphan = span({ name: 'SELECT', kind: SpanKind.CLIENT });
    const child = span({ name: 'SELECT', kind: SpanKind.CLIENT, parentSpanContext: parent, attributes: { 'db.query.text': 'SELECT 1', 'db.user': 'root' } });
    const root = span({ name: 'job retention', kind: SpanKind.INTERNAL });
    expect([orphan, child, root].map(belongsToWork)).toEqual([false, true, true]);

    const results: ExportResult[] = [];
    const exporter = new IdentityFreeExporter(next);
    exporter.export([orphan, child, root], (result) => results.push(result));
    exporter.export([orphan], (result) => results.push(result));
    expect(exported).toHaveLength(1);
    expect(exported[0].map((s) => [s.name, s.attributes])).toEqual([
      ['SELECT', { 'db.query.text': 'SELECT ?' }],
      ['job retention', {}],
    ]);
    expect(results).toEqual([{ code: ExportResultCode.SUCCESS }, { code: ExportResultCode.SUCCESS }]);
  });
});
