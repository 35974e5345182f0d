import { describeStartup } from './summary';

const APP_ID = '00112233445566778899aabbccddeeff';
const APP_CERTIFICATE = 'ffeeddccbbaa99887766554433221100';

/** Every secret a full configuration holds: none of them may reach the start-up line. */
const SECRETS = {
  JWT_SECRET: 'jwt-secret-shared-with-ikoota-login',
  AGORA_APP_CERTIFICATE: APP_CERTIFICATE,
  AGORA_CUSTOMER_SECRET: 'agora-customer-secret-value',
  AGORA_NCS_SECRET: 'ncs-secret-value',
  RECORDING_STORAGE_SECRET_KEY: 'storage-secret-key-value',
  EVENTS_WEBHOOK_SECRET: 'webhook-signing-secret-value',
  METRICS_TOKEN: 'metrics-scrape-token-value',
  MEDIA_KEY_SECRET: 'media-key-secret-value-at-least-32-chars',
};
const DB_PASSWORD = 'db-pass-w0rd';
const REDIS_PASSWORD = 'redis-pass-w0rd';

const EVERYTHING: NodeJS.ProcessEnv = {
  ...SECRETS,
  NODE_ENV: 'production',
  PUBLIC_BASE_URL: 'https://calling.ikoota.example',
  DATABASE_URL: `mariadb://calling:${DB_PASSWORD}@db.internal:3307/calling_prod`,
  AGORA_APP_ID: APP_ID,
  AGORA_CUSTOMER_ID: 'agora-customer-id',
  RECORDING_STORAGE_VENDOR: '1',
  RECORDING_STORAGE_REGION: '0',
  RECORDING_STORAGE_BUCKET: 'ikoota-recordings',
  RECORDING_STORAGE_ACCESS_KEY: 'storage-access-key-id',
  RECORDING_STORAGE_PREFIX: 'ikoota/recordings',
  EVENTS_WEBHOOK_URL: 'https://hook-user:hook-pass@hooks.ikoota.example/calling?key=query-key',
  REDIS_URL: `redis://:${REDIS_PASSWORD}@redis.internal:6380/0`,
  OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel-collector:4318',
  OTEL_EXPORTER_OTLP_HEADERS: 'api-key=otel-header-key',
};

describe('describeStartup: the start-up line', () => {
  it('in development says the URL, the SQLite file, that nothing is configured, and warns about the development stand-ins', () => {
    const line = describeStartup({}, 3000);
    expect(line.level).toBe('warn');
    expect(line.fields.url).toBe('http://localhost:3000/api');
    expect(line.fields.database).toEqual({ driver: 'sqlite', location: './data/calling.sqlite' });
    expect(Object.values(line.fields.integrations)).toEqual([false, false, false, false, false, false, false]);
    expect(line.message).toMatch(/^Ikoota calling API at http:\/\/localhost:3000\/api \(Swagger UI at \/api\/docs, dashboard at \/dashboard, development\); database sqlite \.\/data\/calling\.sqlite; configured: none; not configured: Agora REST, Agora webhooks, recording, event webhooks, Redis, tracing, metrics token; media encryption: off; WARNING: /);
    expect(line.fields.warnings).toEqual([expect.stringContaining('development JWT secret'), expect.stringContaining('placeholder Agora credentials')]);
    expect(line.message).toContain('WARNING: the development JWT secret is in use');
    expect(line.message).toContain('WARNING: placeholder Agora credentials are in use');
    expect(line.message).not.toContain('ikoota-calling-dev-secret');
  });

  it('uses the port the server is bound to, and says when scheduled jobs are off', () => {
    const line = describeStartup({ PORT: '0', JOBS_ENABLED: 'false' }, 43210);
    expect(line.fields.url).toBe('http://localhost:43210/api');
    expect(line.fields.jobs).toBe(false);
    expect(line.message).toContain('scheduled jobs off (JOBS_ENABLED=false)');
  });

  it('with everything configured lists every integration by host or bucket, warns about nothing, and carries no secret, password or credential', () => {
    const line = describeStartup(EVERYTHING, 3000);
    expect(line.level).toBe('info');
    expect(line.fields.warnings).toEqual([]);
    expect(line.fields.url).toBe('https://calling.ikoota.example/api');
    expect(line.fields.database).toEqual({ driver: 'mariadb', location: 'db.internal:3307/calling_prod' });
    expect(Object.values(line.fields.integrations)).toEqual([true, true, true, true, true, true, true]);
    expect(line.message).toContain(
      'configured: Agora REST, Agora webhooks, recording (bucket ikoota-recordings), event webhooks (hooks.ikoota.example), Redis (redis.internal:6380), tracing (otel-collector:4318), metrics token; not configured: none; media encryption: on',
    );
    expect(line.message).not.toContain('WARNING');
    const printed = JSON.stringify(line);
    for (const secret of [...Object.values(SECRETS), DB_PASSWORD, REDIS_PASSWORD, 'hook-pass', 'hook-user', 'query-key', 'otel-header-key', 'storage-access-key-id', 'calling:']) {
      expect({ secret, found: printed.includes(secret) }).toEqual({ secret, found: false });
    }
  });

  it('names a MySQL database by host, default port and schema only', () => {
    expect(describeStartup({ DATABASE_URL: 'mysql://root:hunter2@127.0.0.1/calling' }, 3000).fields.database).toEqual({ driver: 'mysql', location: '127.0.0.1:3306/calling' });
    expect(describeStartup({ DATABASE_URL: 'sqlite::memory:' }, 3000).fields.database).toEqual({ driver: 'sqlite', location: ':memory:' });
  });
});
