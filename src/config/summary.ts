import { loadAgoraConfig } from './agora.config';
import { loadAppConfig } from './app.config';
import { loadAuthConfig } from './auth.config';
import { DatabaseTarget, loadDatabaseConfig } from './database.config';
import { loadEventsConfig } from './events.config';
import { loadJobsConfig } from './jobs.config';
import { loadMediaKeysConfig } from './media-keys.config';
import { loadMetricsConfig } from './metrics.config';
import { loadPresenceConfig } from './presence.config';
import { loadRateLimitConfig } from './rate-limit.config';
import { loadRecordingConfig } from './recording.config';
import { loadTracingConfig } from './tracing.config';

/** What the start-up line says: one log line, `warn` when a development stand-in is in use. */
export interface StartupSummary {
  level: 'info' | 'warn';
  message: string;
  fields: {
    url: string;
    database: { driver: string; location: string };
    integrations: Record<Integration, boolean>;
    jobs: boolean;
    /** Whether MEDIA_KEY_SECRET is set (encrypted calls possible); never the secret. */
    mediaEncryption: boolean;
    warnings: string[];
  };
}

/** The integrations an operator may configure, in the order the line lists them. */
const INTEGRATIONS = {
  agoraRest: 'Agora REST',
  agoraWebhooks: 'Agora webhooks',
  recording: 'recording',
  eventWebhooks: 'event webhooks',
  redis: 'Redis',
  tracing: 'tracing',
  metricsToken: 'metrics token',
} as const;
type Integration = keyof typeof INTEGRATIONS;

/**
 * Where the data is, never who may read it: the file, or host, port and schema (no user, no
 * password, no query).
 */
export function describeDatabase(target: DatabaseTarget): { driver: string; location: string } {
  if (target.type === 'better-sqlite3') return { driver: 'sqlite', location: target.database };
  const url = new URL(target.url);
  return { driver: target.type, location: `${url.hostname}:${url.port || '3306'}/${target.database}` };
}

/** host:port of a URL, without credentials, path or query (they may carry secrets). */
function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '?';
  }
}

/**
 * The line an operator reads at start-up: where the service answers, which database it uses,
 * what is configured and what is not, and a warning when the development JWT secret or the
 * placeholder Agora credentials are in use. Built from the same loaders as the app (the
 * environment has passed checkConfiguration), never from a secret: only names, hosts and files.
 * `port` is the one the server is bound to.
 */
export function describeStartup(env: NodeJS.ProcessEnv, port: number): StartupSummary {
  const app = loadAppConfig({ ...env, PORT: String(port) });
  const database = describeDatabase(loadDatabaseConfig(env).target);
  const agora = loadAgoraConfig(env);
  const recording = loadRecordingConfig(env);
  const events = loadEventsConfig(env);
  const rateLimit = loadRateLimitConfig(env);
  const tracing = loadTracingConfig(env);
  const jobs = loadJobsConfig(env).jobsEnabled;
  const mediaEncryption = Boolean(loadMediaKeysConfig(env).secret);

  const integrations: Record<Integration, boolean> = {
    agoraRest: Boolean(agora.customerId && agora.customerSecret),
    agoraWebhooks: Boolean(loadPresenceConfig(env).ncsSecret),
    recording: recording.enabled,
    eventWebhooks: Boolean(events.webhookUrl),
    redis: Boolean(rateLimit.redisUrl),
    tracing: Boolean(tracing),
    metricsToken: Boolean(loadMetricsConfig(env).token),
  };
  const where: Partial<Record<Integration, string>> = {
    recording: recording.storage ? `bucket ${recording.storage.bucket}` : undefined,
    eventWebhooks: events.webhookUrl ? hostOf(events.webhookUrl) : undefined,
    redis: rateLimit.redisUrl ? hostOf(rateLimit.redisUrl) : undefined,
    tracing: env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim() ? hostOf(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) : env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim() ? hostOf(env.OTEL_EXPORTER_OTLP_ENDPOINT) : undefined,
  };
  const names = Object.keys(INTEGRATIONS) as Integration[];
  const configured = names.filter((name) => integrations[name]).map((name) => (where[name] ? `${INTEGRATIONS[name]} (${where[name]})` : INTEGRATIONS[name]));
  const missing = names.filter((name) => !integrations[name]).map((name) => INTEGRATIONS[name]);

  const warnings: string[] = [];
  if (loadAuthConfig(env).usingDevSecret) warnings.push('the development JWT secret is in use (set JWT_SECRET to the one Ikoota signs with)');
  if (agora.usingDevCredentials) warnings.push('placeholder Agora credentials are in use, Agora refuses their tokens (set AGORA_APP_ID and AGORA_APP_CERTIFICATE)');

  const url = `${app.publicBaseUrl}/api`;
  const message = [
    `Ikoota calling API at ${url} (Swagger UI at /api/docs, dashboard at /dashboard, ${app.nodeEnv})`,
    `database ${database.driver} ${database.location}`,
    `configured: ${configured.length > 0 ? configured.join(', ') : 'none'}`,
    `not configured: ${missing.length > 0 ? missing.join(', ') : 'none'}`,
    `media encryption: ${mediaEncryption ? 'on' : 'off'}`,
    ...(jobs ? [] : ['scheduled jobs off (JOBS_ENABLED=false)']),
    ...warnings.map((warning) => `WARNING: ${warning}`),
  ].join('; ');
  return { level: warnings.length > 0 ? 'warn' : 'info', message, fields: { url, database, integrations, jobs, mediaEncryption, warnings } };
}
