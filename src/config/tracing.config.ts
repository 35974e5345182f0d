import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsNumber, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { toBool, toNumber, validateEnv } from './env';

/** `service.name` of every span unless OTEL_SERVICE_NAME says otherwise. */
export const DEFAULT_SERVICE_NAME = 'ikoota-calling-api';

/** The samplers OTEL_TRACES_SAMPLER may name (the OpenTelemetry SDK's own list). */
const SAMPLERS = ['always_on', 'always_off', 'traceidratio', 'parentbased_always_on', 'parentbased_always_off', 'parentbased_traceidratio'];
const HTTP_URL = /^https?:\/\/[^\s]+$/;
const RATIO = 'OTEL_TRACES_SAMPLER_ARG must be a number from 0 to 1 (the share of traces kept)';

/**
 * The standard OpenTelemetry variables the service documents. The SDK and the exporter read them
 * from the environment themselves (with the other OTEL_* variables: timeout, compression, batch
 * sizes); they are checked here so that a typo stops the service at start-up, naming the
 * variable, as every other setting does, where the SDK would fall back to a default quietly.
 */
class TracingEnv {
  @IsOptional()
  @Matches(HTTP_URL, { message: "OTEL_EXPORTER_OTLP_ENDPOINT must be an http:// or https:// URL (the collector's OTLP/HTTP address, e.g. http://collector:4318)" })
  OTEL_EXPORTER_OTLP_ENDPOINT?: string;

  @IsOptional()
  @Matches(HTTP_URL, { message: 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT must be an http:// or https:// URL (the full traces URL, e.g. http://collector:4318/v1/traces)' })
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?: string;

  @IsOptional()
  @IsIn(['http/protobuf'], { message: 'OTEL_EXPORTER_OTLP_PROTOCOL must be http/protobuf, the only protocol this service exports' })
  OTEL_EXPORTER_OTLP_PROTOCOL?: string;

  @IsOptional()
  @IsString()
  OTEL_EXPORTER_OTLP_HEADERS?: string;

  @IsOptional()
  @IsString()
  OTEL_SERVICE_NAME?: string;

  @IsOptional()
  @IsString()
  OTEL_RESOURCE_ATTRIBUTES?: string;

  @IsOptional()
  @IsIn(SAMPLERS, { message: `OTEL_TRACES_SAMPLER must be one of ${SAMPLERS.join(', ')}` })
  OTEL_TRACES_SAMPLER?: string;

  @IsOptional()
  @Transform(toNumber)
  @IsNumber({}, { message: RATIO })
  @Min(0, { message: RATIO })
  @Max(1, { message: RATIO })
  OTEL_TRACES_SAMPLER_ARG?: number;

  @IsOptional()
  @IsIn(['otlp', 'none'], { message: 'OTEL_TRACES_EXPORTER must be otlp or none' })
  OTEL_TRACES_EXPORTER?: string;

  @IsOptional()
  @Transform(toBool)
  @IsBoolean({ message: 'OTEL_SDK_DISABLED must be true or false' })
  OTEL_SDK_DISABLED?: boolean;
}

export interface TracingConfig {
  serviceName: string;
}

/**
 * Whether the service exports traces: on when OTEL_EXPORTER_OTLP_ENDPOINT (or
 * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) is set, unless OTEL_SDK_DISABLED=true or
 * OTEL_TRACES_EXPORTER=none; undefined means off, and then nothing else is read or checked.
 * Read by src/tracing/register.ts before the application (and @nestjs/config) is loaded, so
 * there is no registerAs namespace.
 */
export function loadTracingConfig(env: NodeJS.ProcessEnv = process.env): TracingConfig | undefined {
  // Empty counts as unset, as for every other variable of the service (and for OpenTelemetry).
  const set = (name: string): boolean => Boolean(env[name]?.trim());
  if (!set('OTEL_EXPORTER_OTLP_ENDPOINT') && !set('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT')) return undefined;
  const v = validateEnv(TracingEnv, env);
  if (v.OTEL_SDK_DISABLED || v.OTEL_TRACES_EXPORTER === 'none') return undefined;
  return { serviceName: v.OTEL_SERVICE_NAME ?? DEFAULT_SERVICE_NAME };
}
