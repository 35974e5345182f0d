// First: with OTEL_EXPORTER_OTLP_ENDPOINT set, tracing must hook modules before they are loaded.
import './tracing/register';
import 'reflect-metadata';
import { createApp } from './app.factory';
import { loadAppConfig } from './config/app.config';
import { ConfigValidationError } from './config/env';

async function bootstrap(): Promise<void> {
  const app = await createApp();
  // Exit 0 once closed (rather than re-raising the signal): pino flushes and --cpu-prof writes its profile.
  app.enableShutdownHooks(undefined, { useProcessExit: true });
  const { port } = loadAppConfig();
  await app.listen({ port, host: '0.0.0.0' });
  app.getHttpAdapter().getInstance().log.info({ port }, `Ikoota calling API on http://localhost:${port}/api (docs at /api/docs)`);
}

bootstrap().catch((error: unknown) => {
  if (error instanceof ConfigValidationError) {
    process.stderr.write(`${error.message}\n`);
  } else {
    process.stderr.write(`Start-up failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  }
  process.exit(1);
});
