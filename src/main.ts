// First: with OTEL_EXPORTER_OTLP_ENDPOINT set, tracing must hook modules before they are loaded.
import './tracing/register';
import 'reflect-metadata';
import { createApp } from './app.factory';
import { loadAppConfig } from './config/app.config';
import { ConfigValidationError } from './config/env';
import { describeStartup } from './config/summary';

async function bootstrap(): Promise<void> {
  const app = await createApp();
  // Exit 0 once closed (rather than re-raising the signal): pino flushes and --cpu-prof writes its profile.
  app.enableShutdownHooks(undefined, { useProcessExit: true });
  const { port } = loadAppConfig();
  await app.listen({ port, host: '0.0.0.0' });
  const fastify = app.getHttpAdapter().getInstance();
  const address = fastify.server.address();
  // The one start-up line: URL, database, integrations, development stand-ins in use.
  const startup = describeStartup(process.env, typeof address === 'object' && address ? address.port : port);
  fastify.log[startup.level](startup.fields, startup.message);
}

bootstrap().catch((error: unknown) => {
  if (error instanceof ConfigValidationError) {
    process.stderr.write(`${error.message}\n`);
  } else {
    process.stderr.write(`Start-up failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  }
  process.exit(1);
});
