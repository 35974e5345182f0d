import TestAgent from 'supertest/lib/agent';
import type { Response } from 'supertest';

/** The parts of the OpenAPI document the route-driven tests read. */
export interface OpenApiOperation {
  security?: Array<Record<string, string[]>>;
  responses?: Record<string, unknown>;
  parameters?: Array<{ name: string; in: string }>;
  requestBody?: { content?: Record<string, unknown> };
}

export interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, OpenApiOperation>>;
  components?: { securitySchemes?: Record<string, { type?: string; scheme?: string; bearerFormat?: string }> };
}

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';
const METHODS: readonly HttpMethod[] = ['get', 'post', 'put', 'patch', 'delete'];

export interface Operation {
  method: HttpMethod;
  /** The documented path, e.g. `/api/calling/{callId}/join`. */
  path: string;
  /** `GET /api/calling/{callId}`, for failure messages. */
  label: string;
  /** Whether the document says it needs a bearer token. */
  secured: boolean;
  /** An admin route: its path has an `/admin/` segment. */
  admin: boolean;
  spec: OpenApiOperation;
}

/** Fetches the document the app serves at /api/docs-json. */
export async function fetchOpenApi(http: TestAgent): Promise<OpenApiDocument> {
  const res = await http.get('/api/docs-json').expect(200);
  return res.body as OpenApiDocument;
}

/** Every operation of the document, in a stable order. */
export function listOperations(doc: OpenApiDocument): Operation[] {
  const operations: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of METHODS) {
      const spec = item[method];
      if (!spec) continue;
      operations.push({
        method,
        path,
        label: `${method.toUpperCase()} ${path}`,
        secured: (spec.security ?? []).length > 0,
        admin: /\/admin(\/|$)/.test(path),
        spec,
      });
    }
  }
  return operations.sort((a, b) => a.label.localeCompare(b.label));
}

/** Public operations: /api/health, the docs, and anything documented without a security entry. */
export function isPublic(operation: Operation): boolean {
  return operation.path === '/api/health' || operation.path.startsWith('/api/docs') || !operation.secured;
}

/** The documented path with every `{param}` replaced (`1` unless given). */
export function fillPath(path: string, values: Record<string, string> = {}): string {
  return path.replace(/\{([^}]+)\}/g, (_match, name: string) => values[name] ?? '1');
}

/**
 * Sends one request to an operation: path params filled in, `{}` as the JSON body for
 * POST/PUT/PATCH (so DTO validation, not a missing body, decides), and the given headers.
 */
export function callOperation(
  http: TestAgent,
  operation: Operation,
  headers: Record<string, string> = {},
  params: Record<string, string> = {},
): Promise<Response> {
  const url = fillPath(operation.path, params);
  const withBody = operation.method === 'post' || operation.method === 'put' || operation.method === 'patch';
  let req;
  switch (operation.method) {
    case 'get':
      req = http.get(url);
      break;
    case 'post':
      req = http.post(url);
      break;
    case 'put':
      req = http.put(url);
      break;
    case 'patch':
      req = http.patch(url);
      break;
    case 'delete':
      req = http.delete(url);
      break;
  }
  req = req.set(headers);
  return withBody ? req.send({}) : req;
}
