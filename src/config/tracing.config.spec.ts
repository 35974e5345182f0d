import { ConfigValidationError } from './env';
import { DEFAULT_SERVICE_NAME, loadTracingConfig } from './tracing.config';

const on = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' };

describe('loadTracingConfig (OpenTelemetry variables)', () => {
  it('is off unless an OTLP endpoint is set (empty counts as unset), and off when disabled', () => {
    expect(loadTracingConfig({})).toBeUndefined();
    expect(loadTracingConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: ' ' })).toBeUndefined();
    // Other OTEL_ variables alone switch nothing on, and are not even checked.
    expect(loadTracingConfig({ OTEL_TRACES_SAMPLER: 'nonsense', OTEL_SERVICE_NAME: 'x' })).toBeUndefined();
    expect(loadTracingConfig({ ...on, OTEL_SDK_DISABLED: 'true' })).toBeUndefined();
    expect(loadTracingConfig({ ...on, OTEL_TRACES_EXPORTER: 'none' })).toBeUndefined();
  });

  it('is on with either endpoint variable; service.name defaults to ikoota-calling-api', () => {
    expect(loadTracingConfig(on)).toEqual({ serviceName: DEFAULT_SERVICE_NAME });
    expect(DEFAULT_SERVICE_NAME).toBe('ikoota-calling-api');
    expect(loadTracingConfig({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://collector/v1/traces', OTEL_SERVICE_NAME: 'calling-eu' })).toEqual({ serviceName: 'calling-eu' });
    expect(loadTracingConfig({ ...on, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf', OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.25' })).toBeDefined();
  });

  it('refuses values the service cannot honour, naming each variable', () => {
    const problems = (env: NodeJS.ProcessEnv): string[] => {
      try {
        loadTracingConfig(env);
        return [];
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigValidationError);
        return (error as ConfigValidationError).problems;
      }
    };
    expect(problems({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' })).toEqual([expect.stringMatching(/^OTEL_EXPORTER_OTLP_ENDPOINT must be an http/)]);
    expect(problems({ ...on, OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' })).toEqual([expect.stringMatching(/^OTEL_EXPORTER_OTLP_PROTOCOL must be http\/protobuf/)]);
    expect(problems({ ...on, OTEL_SDK_DISABLED: 'maybe' })).toEqual([expect.stringMatching(/^OTEL_SDK_DISABLED must be true or false/)]);
    expect(problems({ ...on, OTEL_TRACES_EXPORTER: 'zipkin' })).toEqual([expect.stringMatching(/^OTEL_TRACES_EXPORTER must be otlp or none/)]);
    expect(problems({ ...on, OTEL_TRACES_SAMPLER: 'sometimes' })).toEqual([expect.stringMatching(/^OTEL_TRACES_SAMPLER must be one of/)]);
    expect(problems({ ...on, OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '2' })).toEqual([expect.stringMatching(/^OTEL_TRACES_SAMPLER_ARG must be a number from 0 to 1/)]);
  });
});
