import { once } from 'node:events';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

/**
 * A stand-in for an OpenTelemetry collector: an OTLP/HTTP receiver on a free port that decodes
 * the protobuf trace exports (`POST /v1/traces`) the service sends, with a decoder of its own
 * written from opentelemetry-proto's trace.proto (nothing of the SDK's), and keeps every request
 * body as it arrived so a test can also search the raw bytes.
 */

export type AttributeValue = string | number | boolean | Buffer | AttributeValue[] | { [key: string]: AttributeValue };

export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  /** '' for a root span. */
  parentSpanId: string;
  name: string;
  /** OTLP SpanKind: 1 internal, 2 server, 3 client. */
  kind: number;
  attributes: Record<string, AttributeValue>;
  events: Array<{ name: string; attributes: Record<string, AttributeValue> }>;
  links: Array<{ traceId: string; spanId: string; attributes: Record<string, AttributeValue> }>;
  status: { code: number; message: string };
  resource: Record<string, AttributeValue>;
  scope: string;
}

export const SPAN_KIND = { INTERNAL: 1, SERVER: 2, CLIENT: 3 } as const;

export class OtlpReceiver {
  readonly spans: ReceivedSpan[] = [];
  /** Every export request's body (decompressed), as received. */
  readonly bodies: Buffer[] = [];
  readonly paths: string[] = [];
  /** When each export request arrived (Date.now()). */
  readonly arrivals: number[] = [];
  private server!: Server;

  /** Starts listening; answers the base URL to put in OTEL_EXPORTER_OTLP_ENDPOINT. */
  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        let body = Buffer.concat(chunks);
        if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
        this.paths.push(`${req.method} ${req.url} ${req.headers['content-type']}`);
        this.arrivals.push(Date.now());
        this.bodies.push(body);
        try {
          this.spans.push(...decodeExportTraceServiceRequest(body));
        } catch (error) {
          res.writeHead(400).end(String(error));
          return;
        }
        // An empty ExportTraceServiceResponse: everything accepted.
        res.writeHead(200, { 'Content-Type': 'application/x-protobuf' }).end();
      });
    });
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Resolves once a received span matches, or fails after `timeoutMs`. */
  async waitForSpan(predicate: (span: ReceivedSpan) => boolean, timeoutMs = 20_000): Promise<ReceivedSpan> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.spans.find(predicate);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no matching span among ${this.spans.length}: ${this.spans.map((s) => s.name).join(', ')}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  trace(traceId: string): ReceivedSpan[] {
    return this.spans.filter((span) => span.traceId === traceId);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    this.server.close();
    await once(this.server, 'close');
  }
}

// --- protobuf wire format --------------------------------------------------------------------

type Field = { number: number; varint?: bigint; bytes?: Buffer };

function readVarint(buffer: Buffer, at: number): [bigint, number] {
  let result = 0n;
  let shift = 0n;
  for (let position = at; position < buffer.length; position += 1) {
    const byte = buffer[position];
    result |= BigInt(byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) return [result, position + 1];
    shift += 7n;
  }
  throw new Error('truncated varint');
}

/** The fields of one message, in order (repeated fields appear once per value). */
function fields(buffer: Buffer): Field[] {
  const out: Field[] = [];
  let at = 0;
  while (at < buffer.length) {
    const [key, next] = readVarint(buffer, at);
    at = next;
    const number = Number(key >> 3n);
    const wire = Number(key & 7n);
    if (wire === 0) {
      const [value, after] = readVarint(buffer, at);
      out.push({ number, varint: value });
      at = after;
    } else if (wire === 1 || wire === 5) {
      const size = wire === 1 ? 8 : 4;
      out.push({ number, bytes: buffer.subarray(at, at + size) });
      at += size;
    } else if (wire === 2) {
      const [length, after] = readVarint(buffer, at);
      out.push({ number, bytes: buffer.subarray(after, after + Number(length)) });
      at = after + Number(length);
    } else {
      throw new Error(`unsupported wire type ${wire}`);
    }
    if (at > buffer.length) throw new Error('truncated message');
  }
  return out;
}

const text = (field: Field): string => field.bytes!.toString('utf8');
const hex = (field: Field | undefined): string => (field?.bytes ? field.bytes.toString('hex') : '');

// AnyValue: 1 string, 2 bool, 3 int, 4 double, 5 array, 6 kvlist, 7 bytes.
function anyValue(buffer: Buffer): AttributeValue {
  const [field] = fields(buffer);
  if (!field) return '';
  switch (field.number) {
    case 1:
      return text(field);
    case 2:
      return field.varint !== 0n;
    case 3:
      return Number(BigInt.asIntN(64, field.varint!));
    case 4:
      return field.bytes!.readDoubleLE(0);
    case 5:
      return fields(field.bytes!).filter((f) => f.number === 1).map((f) => anyValue(f.bytes!));
    case 6:
      return keyValues(fields(field.bytes!).filter((f) => f.number === 1));
    default:
      return field.bytes!;
  }
}

// KeyValue: 1 key, 2 value.
function keyValues(list: Field[]): Record<string, AttributeValue> {
  const out: Record<string, AttributeValue> = {};
  for (const item of list) {
    const parts = fields(item.bytes!);
    const key = parts.find((f) => f.number === 1);
    const value = parts.find((f) => f.number === 2);
    if (key) out[text(key)] = value ? anyValue(value.bytes!) : '';
  }
  return out;
}

/**
 * ExportTraceServiceRequest { 1 ResourceSpans } ; ResourceSpans { 1 Resource, 2 ScopeSpans } ;
 * Resource { 1 attributes } ; ScopeSpans { 1 InstrumentationScope (1 name), 2 Span }.
 */
export function decodeExportTraceServiceRequest(body: Buffer): ReceivedSpan[] {
  const spans: ReceivedSpan[] = [];
  for (const resourceSpans of fields(body).filter((f) => f.number === 1)) {
    const parts = fields(resourceSpans.bytes!);
    const resourceField = parts.find((f) => f.number === 1);
    const resource = resourceField ? keyValues(fields(resourceField.bytes!).filter((f) => f.number === 1)) : {};
    for (const scopeSpans of parts.filter((f) => f.number === 2)) {
      const scopeParts = fields(scopeSpans.bytes!);
      const scopeField = scopeParts.find((f) => f.number === 1);
      const scopeName = scopeField ? fields(scopeField.bytes!).find((f) => f.number === 1) : undefined;
      const scope = scopeName ? text(scopeName) : '';
      for (const span of scopeParts.filter((f) => f.number === 2)) spans.push(decodeSpan(span.bytes!, resource, scope));
    }
  }
  return spans;
}

/**
 * Span { 1 trace_id, 2 span_id, 3 trace_state, 4 parent_span_id, 5 name, 6 kind, 7 start, 8 end,
 * 9 attributes, 11 events (1 time, 2 name, 3 attributes), 13 links (1 trace_id, 2 span_id,
 * 4 attributes), 15 status (2 message, 3 code) }.
 */
function decodeSpan(buffer: Buffer, resource: Record<string, AttributeValue>, scope: string): ReceivedSpan {
  const parts = fields(buffer);
  const one = (n: number) => parts.find((f) => f.number === n);
  const statusParts = one(15) ? fields(one(15)!.bytes!) : [];
  return {
    traceId: hex(one(1)),
    spanId: hex(one(2)),
    parentSpanId: hex(one(4)),
    name: one(5) ? text(one(5)!) : '',
    kind: Number(one(6)?.varint ?? 0n),
    attributes: keyValues(parts.filter((f) => f.number === 9)),
    events: parts
      .filter((f) => f.number === 11)
      .map((event) => {
        const e = fields(event.bytes!);
        const name = e.find((f) => f.number === 2);
        return { name: name ? text(name) : '', attributes: keyValues(e.filter((f) => f.number === 3)) };
      }),
    links: parts
      .filter((f) => f.number === 13)
      .map((link) => {
        const l = fields(link.bytes!);
        return { traceId: hex(l.find((f) => f.number === 1)), spanId: hex(l.find((f) => f.number === 2)), attributes: keyValues(l.filter((f) => f.number === 4)) };
      }),
    status: {
      code: Number(statusParts.find((f) => f.number === 3)?.varint ?? 0n),
      message: statusParts.find((f) => f.number === 2) ? text(statusParts.find((f) => f.number === 2)!) : '',
    },
    resource,
    scope,
  };
}
