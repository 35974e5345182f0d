import { INestApplication, RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PARAMTYPES_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { DiscoveryService, MetadataScanner, ModulesContainer } from '@nestjs/core';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
// Not re-exported by the package index; the throttler guard reads exactly this key.
import { THROTTLER_SKIP } from '@nestjs/throttler/dist/throttler.constants';
import { addDocumentedErrors, DocumentedError } from '../exceptions/api-errors.decorator';
import { MAX_JSON_DEPTH } from '../json-depth';
import { DEFAULT_RATE_LIMIT, RATE_LIMIT_KEY } from '../throttling/rate-limit';

/** The largest request body the service reads (Fastify's `bodyLimit`); larger is 413. */
export const BODY_LIMIT_BYTES = 1_048_576;

/** Methods whose requests may carry a body, which the HTTP layer parses before any route runs. */
const BODY_METHODS = new Set<RequestMethod>([RequestMethod.POST, RequestMethod.PUT, RequestMethod.PATCH, RequestMethod.DELETE]);

/** What every route can answer whatever it does: an unexpected failure. */
const EVERY_ROUTE: DocumentedError[] = [{ code: 'INTERNAL_ERROR', when: 'An unexpected failure; it is logged with the request id (`X-Request-Id`)' }];

/** What the JSON parser answers before a route with a body method runs (see app.factory.ts). */
const BODY_ROUTE: DocumentedError[] = [
  { code: 'VALIDATION_FAILED', when: `The body is not valid JSON, or nests deeper than ${MAX_JSON_DEPTH} levels` },
  { code: 'UNSUPPORTED_MEDIA_TYPE', when: 'A body that is not `application/json` (`text/plain` included)' },
  { code: 'PAYLOAD_TOO_LARGE', when: `A body over ${BODY_LIMIT_BYTES / 1_048_576} MiB` },
];

/** The general limit, on every route that names no limit of its own and does not skip throttling. */
const DEFAULT_LIMIT: DocumentedError = {
  code: 'RATE_LIMITED',
  when: `Rate limit: ${DEFAULT_RATE_LIMIT.label} per user (per IP address on routes without a token), the limit of every route without a named one. The Retry-After header says when to try again (seconds).`,
};

export interface OpenApiOptions {
  /** The `servers` entry: where clients reach the service (PUBLIC_BASE_URL). */
  serverUrl: string;
}

/** The OpenAPI document served at /api/docs-json (and rendered by Swagger UI at /api/docs). */
export function buildOpenApiDocument(app: INestApplication, options: OpenApiOptions): OpenAPIObject {
  const strictBodies = documentHttpLayer(app);
  const config = new DocumentBuilder()
    .setTitle('Ikoota Calling API')
    .setDescription(
      'Audio/video calls on Agora.io for Ikoota members. Members appear by Converse Identity (OTO#) only. ' +
        'Get a bearer token with `npm run token -- --user 42 --stage member` and press Authorize. ' +
        'Every error answers with one body (`ErrorDto`) carrying a stable `code`. ' +
        'The guide to the flows, rules and error codes is docs/api-guide.md in the repository.',
    )
    .setVersion('1.0')
    .addServer(options.serverUrl, 'This service (PUBLIC_BASE_URL)')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'Ikoota login JWT (HS256)' })
    .build();
  // package.json says UNLICENSED: a name and no URL (DocumentBuilder.setLicense always writes one).
  config.info.license = { name: 'Proprietary (UNLICENSED): for Ikoota only' };
  const document = SwaggerModule.createDocument(app, config);
  for (const item of Object.values(document.paths)) {
    for (const method of ['get', 'put', 'post', 'delete', 'patch'] as const) {
      const operation = item[method];
      // Routes are protected by default and every protected route declares its bearer requirement
      // (@MemberAccess / @AdminAccess); what is left is @Public and says so explicitly.
      if (operation && !operation.security) operation.security = [];
    }
  }
  for (const name of strictBodies) {
    const schema = document.components?.schemas?.[name] as { additionalProperties?: unknown } | undefined;
    if (schema && schema.additionalProperties === undefined) schema.additionalProperties = false;
  }
  admitNullInNullableEnums(document);
  return document;
}

/**
 * Adds to every route's documented errors what the HTTP layer answers before or around the route
 * itself (the JSON parser, the general rate limit, the exception filter's 500), so each route
 * documents every status it can answer. Returns the names of the request-body DTOs the global
 * ValidationPipe checks (`forbidNonWhitelisted`: unknown fields are refused).
 */
function documentHttpLayer(app: INestApplication): Set<string> {
  const strictBodies = new Set<string>();
  const discovery = new DiscoveryService(app.get(ModulesContainer));
  const scanner = new MetadataScanner();
  for (const wrapper of discovery.getControllers()) {
    const controller = wrapper.metatype as (new (...args: never[]) => unknown) | undefined;
    if (!controller || !wrapper.instance) continue;
    const prototype = Object.getPrototypeOf(wrapper.instance) as Record<string, unknown>;
    for (const name of scanner.getAllMethodNames(prototype)) {
      const handler = prototype[name] as object;
      const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
      if (method === undefined) continue;
      const errors = [...EVERY_ROUTE];
      if (BODY_METHODS.has(method)) errors.push(...BODY_ROUTE);
      const skipsDefault = (Reflect.getMetadata(`${THROTTLER_SKIP}default`, handler) ?? Reflect.getMetadata(`${THROTTLER_SKIP}default`, controller)) === true;
      if (Reflect.getMetadata(RATE_LIMIT_KEY, handler) === undefined && !skipsDefault) errors.push(DEFAULT_LIMIT);
      addDocumentedErrors(handler, errors);
      const body = validatedBody(controller, prototype, name);
      if (body) strictBodies.add(body);
    }
  }
  return strictBodies;
}

/** The DTO class name of a handler's whole `@Body()`, which the global ValidationPipe validates. */
function validatedBody(controller: object, prototype: object, name: string): string | undefined {
  const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, name) ?? {}) as Record<
    string,
    { index: number; data?: unknown }
  >;
  const types = (Reflect.getMetadata(PARAMTYPES_METADATA, prototype, name) ?? []) as unknown[];
  for (const [key, arg] of Object.entries(args)) {
    if (Number(key.split(':')[0]) !== RouteParamtypes.BODY || arg.data !== undefined) continue;
    const type = types[arg.index];
    if (typeof type === 'function' && type !== Object) return type.name;
  }
  return undefined;
}

/**
 * OpenAPI 3.0: `nullable: true` widens `type` only; an `enum` still lists every allowed value, so
 * a nullable enum must list `null` or generated clients type it never-null. Applied to every
 * schema in the document, wherever it is.
 */
export function admitNullInNullableEnums(node: unknown): void {
  if (Array.isArray(node)) {
    for (const item of node) admitNullInNullableEnums(item);
    return;
  }
  if (typeof node !== 'object' || node === null) return;
  const schema = node as { nullable?: unknown; enum?: unknown[] };
  if (schema.nullable === true && Array.isArray(schema.enum) && !schema.enum.includes(null)) schema.enum.push(null);
  for (const value of Object.values(node)) admitNullInNullableEnums(value);
}
