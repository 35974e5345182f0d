import { ConfigValidationError } from '../config/env';

/** `service.name` of every span unless OTEL_SERVICE_NAME says otherwise. */
export const DEFAULT_SERVICE_NAME = 'ikoota-calling-api';

/** The samplers OTEL_TRACES_SAMPLER may name (the OpenTelemetry SDK's own list). */
const SAMPLERS = ['always_on', 'always_off', 'traceidratio', 'parentbased_always_on', 'parentbased_always_off', 'parentbased_traceidratio'];

export interface TracingSettings {
  serviceName: string;
}

/**
 * Whether the service exports traces, from the standard OpenTelemetry variables: on when
 * OTEL_EXPORTER_OTLP_ENDPOINT (or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) is set, unless
 * OTEL_SDK_DISABLED=true or OTEL_TRACES_EXPORTER=none. Undefined means off.
 *
 * Only the values the service cannot work with are checked here, so a typo stops the service at
 * start-up, naming the variable, as every other setting does (the SDK itself would only fall back
 * to a default quietly). The SDK and the exporter read the rest (endpoint, headers, timeout,
 * sampler, batch sizes, resource attributes) from the environment themselves.
 */
export function tracingSettings(env: NodeJS.ProcessEnv): TracingSettings | undefined {
  // Empty counts as unset, as for every other variable of the service (and for OpenTelemetry).
  const read = (name: string): string | undefined => env[name]?.trim() || undefined;
  const endpoints = ['OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'].filter((name) => read(name));
  if (endpoints.length === 0) return undefined;
  if (read('OTEL_SDK_DISABLED')?.toLowerCase() === 'true') return undefined;
  const exporter = read('OTEL_TRACES_EXPORTER');
  if (exporter === 'none') return undefined;

  const problems: string[] = [];
  if (exporter !== undefined && exporter !== 'otlp') problems.push(`OTEL_TRACES_EXPORTER must be otlp or none (got "${exporter}")`);
  for (const name of endpoints) {
    if (!isHttpUrl(read(name)!)) problems.push(`${name} must be an http:// or https:// URL (the collector's OTLP/HTTP address, e.g. http://collector:4318)`);
  }
  for (const name of ['OTEL_EXPORTER_OTLP_PROTOCOL', 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL']) {
    const protocol = read(name);
    if (protocol !== undefined && protocol !== 'http/protobuf') problems.push(`${name} must be http/protobuf, the only protocol this service exports (got "${protocol}")`);
  }
  const sampler = read('OTEL_TRACES_SAMPLER');
  if (sampler !== undefined && !SAMPLERS.includes(sampler)) problems.push(`OTEL_TRACES_SAMPLER must be one of ${SAMPLERS.join(', ')}`);
  const ratio = read('OTEL_TRACES_SAMPLER_ARG');
  if (sampler?.endsWith('traceidratio') && ratio !== undefined && !(Number(ratio) >= 0 && Number(ratio) <= 1)) {
    problems.push('OTEL_TRACES_SAMPLER_ARG must be a number from 0 to 1 (the share of traces kept)');
  }
  if (problems.length > 0) throw new ConfigValidationError(problems);
  return { serviceName: read('OTEL_SERVICE_NAME') ?? DEFAULT_SERVICE_NAME };
}

function isHttpUrl(value: string): boolean {
  try {
    return ['http:', 'https:'].includes(new URL(value).protocol);
  } catch {
    return false;
  }
}
