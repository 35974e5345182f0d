import type { ConfigFactory } from '@nestjs/config';
import { agoraConfig, loadAgoraConfig } from './agora.config';
import { analyticsConfig, loadAnalyticsConfig } from './analytics.config';
import { appConfig, loadAppConfig } from './app.config';
import { authConfig, loadAuthConfig } from './auth.config';
import { databaseConfig, loadDatabaseConfig } from './database.config';
import { assertConfig, ConfigValidationError } from './env';
import { eventsConfig, loadEventsConfig } from './events.config';
import { jobsConfig, loadJobsConfig } from './jobs.config';
import { loadMetricsConfig, metricsConfig } from './metrics.config';
import { loadPresenceConfig, presenceConfig } from './presence.config';
import { loadRateLimitConfig, rateLimitConfig } from './rate-limit.config';
import { loadRecordingConfig, recordingConfig } from './recording.config';
import { loadRetentionConfig, retentionConfig } from './retention.config';
import { loadLobbyConfig, lobbyConfig } from './lobby.config';
import { loadScheduleConfig, scheduleConfig } from './schedule.config';
import { loadStageConfig, stageConfig } from './stage.config';
import { loadMediaKeysConfig, mediaKeysConfig } from './media-keys.config';
import { loadTracingConfig } from './tracing.config';

type Loader = (env: NodeJS.ProcessEnv) => unknown;

/**
 * Every configuration namespace: the `registerAs` provider the app injects, and the loader that
 * reads the same variables from a given environment. One list, so a namespace added here is both
 * loaded by ConfigModule and checked at start-up. Tracing has no provider (src/tracing/register.ts
 * reads it before Nest starts) but is checked with the rest.
 */
const NAMESPACES: Array<[ConfigFactory | undefined, Loader]> = [
  [undefined, loadTracingConfig],
  [appConfig, loadAppConfig],
  [authConfig, loadAuthConfig],
  [agoraConfig, loadAgoraConfig],
  [databaseConfig, loadDatabaseConfig],
  [presenceConfig, loadPresenceConfig],
  [retentionConfig, loadRetentionConfig],
  [jobsConfig, loadJobsConfig],
  [rateLimitConfig, loadRateLimitConfig],
  [metricsConfig, loadMetricsConfig],
  [analyticsConfig, loadAnalyticsConfig],
  [recordingConfig, loadRecordingConfig],
  [eventsConfig, loadEventsConfig],
  [scheduleConfig, loadScheduleConfig],
  [lobbyConfig, loadLobbyConfig],
  [stageConfig, loadStageConfig],
  [mediaKeysConfig, loadMediaKeysConfig],
];

/** What ConfigModule loads (`load`). */
export const CONFIG_PROVIDERS: ConfigFactory[] = NAMESPACES.flatMap(([provider]) => (provider ? [provider] : []));

/**
 * Reads every namespace and throws one ConfigValidationError naming every missing or invalid
 * variable of all of them, so an operator fixes the environment in one round. createApp runs it
 * before Nest starts: the namespaces then load without error, and Nest never logs a refusal
 * that main.ts prints as well.
 */
export function checkConfiguration(env: NodeJS.ProcessEnv = process.env): void {
  const problems: string[] = [];
  for (const [, load] of NAMESPACES) {
    try {
      load(env);
    } catch (error) {
      if (!(error instanceof ConfigValidationError)) throw error;
      problems.push(...error.problems);
    }
  }
  assertConfig(problems);
}
