/**
 * Imported first by src/main.ts, before any module it traces is loaded: instrumentations patch
 * modules as they are required, so they must be registered before Fastify, mysql2 or ioredis is.
 * With OTEL_EXPORTER_OTLP_ENDPOINT unset (the default) this reads a few variables and returns:
 * no OpenTelemetry module is loaded and no require hook installed.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'dotenv';
import { ConfigValidationError } from '../config/env';
import { loadTracingConfig } from '../config/tracing.config';

/**
 * The OTEL_* lines of `.env`, for variables the environment does not set: the service reads
 * `.env` later (ConfigModule), too late for tracing. Same rules: the real environment wins, and
 * tests (NODE_ENV=test) ignore the file.
 */
function otelVariablesFromDotenv(env: NodeJS.ProcessEnv): void {
  const file = resolve(process.cwd(), '.env');
  if (env.NODE_ENV === 'test' || !existsSync(file)) return;
  for (const [name, value] of Object.entries(parse(readFileSync(file)))) {
    if (name.startsWith('OTEL_') && env[name] === undefined) env[name] = value;
  }
}

try {
  otelVariablesFromDotenv(process.env);
  const config = loadTracingConfig(process.env);
  if (config) (require('./sdk') as typeof import('./sdk')).startTracing(config);
} catch (error) {
  if (!(error instanceof ConfigValidationError)) throw error;
  // Not started. createApp checks the whole configuration, these variables included, and main.ts
  // reports every problem in one message and exits 1 before anything is served.
}
