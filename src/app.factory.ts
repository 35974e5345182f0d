import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import { AppModule } from './app.module';
import { createRootLogger, PinoNestLogger } from './common/logging/logger';
import { RequestLogController } from './common/logging/request-log.controller';
import { loadAppConfig } from './config/app.config';

export const API_PREFIX = 'api';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

export interface CreateAppOptions {
  /** Where logs go; stdout by default. Tests pass a stream to read them. */
  logDestination?: import('pino').DestinationStream;
}

/** Builds the whole application, ready to listen: used by main.ts, the e2e tests and the bench. */
export async function createApp(options: CreateAppOptions = {}): Promise<NestFastifyApplication> {
  const config = loadAppConfig();
  const root = createRootLogger(config.logLevel, options.logDestination);
  const adapter = new FastifyAdapter({
    loggerInstance: root,
    logController: new RequestLogController(),
    genReqId: (req: { headers: Record<string, string | string[] | undefined> }) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule, adapter, {
    logger: new PinoNestLogger(root),
    abortOnError: false,
  });
  configureApp(app, config.corsOrigins);
  await app.init();
  return app;
}

function configureApp(app: NestFastifyApplication, corsOrigins: string[]): void {
  app.setGlobalPrefix(API_PREFIX);
  if (corsOrigins.length > 0) {
    app.enableCors({ origin: corsOrigins.includes('*') ? true : corsOrigins, maxAge: 600 });
  }

  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
    void reply.header('x-request-id', request.id);
    done();
  });

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Ikoota Calling API')
      .setDescription(
        'Audio/video calls on Agora.io for Ikoota members. Members appear by Converse Identity (OTO#) only. ' +
          'Get a bearer token with `npm run token -- --user 42 --stage member` and press Authorize.',
      )
      .setVersion('1.0')
      .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: "Ikoota login JWT (HS256)" })
      .build(),
  );
  SwaggerModule.setup(`${API_PREFIX}/docs`, app, document, {
    jsonDocumentUrl: `${API_PREFIX}/docs-json`,
    swaggerOptions: { persistAuthorization: true },
  });
}
