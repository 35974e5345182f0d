import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { SwaggerModule } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import { AppModule } from './app.module';
import { Clock } from './common/clock';
import { DomainException } from './common/exceptions/domain.exception';
import { MAX_JSON_DEPTH, nestsDeeperThan } from './common/json-depth';
import { BODY_LIMIT_BYTES, buildOpenApiDocument } from './common/openapi/openapi-document';
import { createRootLogger, PinoNestLogger } from './common/logging/logger';
import { httpRequestDuration } from './common/metrics/counters';
import { RequestLogController } from './common/logging/request-log.controller';
import { ALL_RATE_LIMIT_HEADERS } from './common/throttling/rate-limit';
import { IDEMPOTENCY_KEY_HEADER, REPLAYED_HEADER } from './idempotency/idempotent-request';
import { loadAppConfig } from './config/app.config';
import { checkConfiguration } from './config/configuration';
import { registerDashboard } from './web/dashboard.static';

export const API_PREFIX = 'api';
/** Routes served at the root rather than under /api: operators' endpoints, not the Ikoota API. */
export const UNPREFIXED_ROUTES = ['metrics'];

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

export interface CreateAppOptions {
  /** Where logs go; stdout by default. Tests pass a stream to read them. */
  logDestination?: import('pino').DestinationStream;
  /** The clock the service reads; the system clock unless a test passes its own. */
  clock?: Clock;
}

/** Builds the whole application, ready to listen: used by main.ts, the e2e tests and the bench. */
export async function createApp(options: CreateAppOptions = {}): Promise<NestFastifyApplication> {
  // Every missing or invalid variable at once, before anything is built: Nest would log it too, and
  // a module that connected first (the database) would never be closed.
  checkConfiguration();
  const config = loadAppConfig();
  const root = createRootLogger(config.logLevel, options.logDestination);
  const adapter = new FastifyAdapter({
    loggerInstance: root,
    bodyLimit: BODY_LIMIT_BYTES,
    logController: new RequestLogController(),
    genReqId: (req: { headers: Record<string, string | string[] | undefined> }) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot({ clock: options.clock }), adapter, {
    logger: new PinoNestLogger(root),
    abortOnError: false,
    // JSON is parsed by the parser configureApp installs; the service accepts no other body type.
    bodyParser: false,
  });
  try {
    configureApp(app, config.corsOrigins, config.publicBaseUrl);
    await registerDashboard(app.getHttpAdapter().getInstance());
    await app.init();
  } catch (error) {
    // Built but not started: close what it opened (the database pool, Redis clients, timers).
    await app.close().catch(() => undefined);
    throw error;
  }
  return app;
}

/**
 * CORS for browser clients on the listed origins: every method the API uses, the request headers
 * it reads (Idempotency-Key among them), and the response headers a page script may need (request
 * id, Retry-After, the throttler's rate-limit headers, Idempotent-Replayed, and Content-Disposition,
 * which names an export's file). Any other origin gets no Access-Control-Allow-Origin.
 */
export function corsOptions(origins: string[]) {
  return {
    origin: origins.includes('*') ? true : origins,
    methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: ['Authorization', 'Content-Type', 'X-Request-Id', IDEMPOTENCY_KEY_HEADER],
    exposedHeaders: [...new Set(['X-Request-Id', 'Retry-After', 'Content-Disposition', REPLAYED_HEADER, ...ALL_RATE_LIMIT_HEADERS])],
    // Browsers cache a preflight this long (seconds); Chromium caps it at 7200.
    maxAge: 600,
  };
}

function configureApp(app: NestFastifyApplication, corsOrigins: string[], publicBaseUrl: string): void {
  // /metrics stays at the root, where Prometheus looks for it.
  app.setGlobalPrefix(API_PREFIX, { exclude: UNPREFIXED_ROUTES });
  if (corsOrigins.length > 0) app.enableCors(corsOptions(corsOrigins));

  const fastify = app.getHttpAdapter().getInstance();
  // The spec's own client example POSTs `Content-Type: application/json` with no body (join);
  // Fastify refuses that by default. An empty JSON body is read as no body at all.
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  // JSON only: any other body (text/plain included, which Fastify would otherwise hand over as a
  // string for validation to trip over) is 415 UNSUPPORTED_MEDIA_TYPE.
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    // Kept for routes that verify a signature over the exact bytes (Agora webhooks).
    (request as { rawBody?: string }).rawBody = body as string;
    if ((body as string).trim() === '') return done(null, undefined);
    // Refused before parsing: a body nested thousands deep would overflow the validators' stack.
    if (nestsDeeperThan(body as string, MAX_JSON_DEPTH)) {
      return done(new DomainException('VALIDATION_FAILED', `JSON body is nested deeper than ${MAX_JSON_DEPTH} levels`), undefined);
    }
    parseJson(request, body as string, done);
  });
  fastify.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
    void reply.header('x-request-id', request.id);
    done();
  });
  // By route pattern, never the raw URL (ids, channel names); unknown routes share one label.
  fastify.addHook('onResponse', (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
    httpRequestDuration.observe({ route: request.routeOptions.url ?? 'unmatched', method: request.method, status: reply.statusCode }, reply.elapsedTime / 1000);
    done();
  });

  const document = buildOpenApiDocument(app, { serverUrl: publicBaseUrl });
  SwaggerModule.setup(`${API_PREFIX}/docs`, app, document, {
    jsonDocumentUrl: `${API_PREFIX}/docs-json`,
    swaggerOptions: { persistAuthorization: true },
  });
}
