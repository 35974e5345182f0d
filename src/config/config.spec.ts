import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEV_AGORA_APP_CERTIFICATE, DEV_AGORA_APP_ID, loadAgoraConfig } from './agora.config';
import { loadAppConfig } from './app.config';
import { DEV_JWT_SECRET, loadAuthConfig } from './auth.config';
import { loadDatabaseConfig } from './database.config';
import { CONFIG_PROVIDERS, checkConfiguration } from './configuration';
import { refusal } from '../../test/support/config-refusal';
import { loadJobsConfig } from './jobs.config';
import { loadPresenceConfig } from './presence.config';
import { loadRateLimitConfig } from './rate-limit.config';
import { loadRecordingConfig } from './recording.config';
import { loadRetentionConfig } from './retention.config';

const APP_ID = '00112233445566778899aabbccddeeff';
const APP_CERTIFICATE = 'ffeeddccbbaa99887766554433221100';
const PRODUCTION_SECRET = 'a-long-production-secret-shared-with-ikoota';

/** A production environment with everything a production start needs. */
const PRODUCTION: NodeJS.ProcessEnv = {
  NODE_ENV: 'production',
  JWT_SECRET: PRODUCTION_SECRET,
  AGORA_APP_ID: APP_ID,
  AGORA_APP_CERTIFICATE: APP_CERTIFICATE,
  DATABASE_URL: 'mysql://calling:pw@db.internal:3306/calling',
};

describe('loadAppConfig', () => {
  it('defaults: port 3000, development, info logs, no CORS', () => {
    expect(loadAppConfig({})).toEqual({ nodeEnv: 'development', port: 3000, logLevel: 'info', corsOrigins: [], publicBaseUrl: 'http://localhost:3000' });
  });

  it('documents PUBLIC_BASE_URL as the base URL, without a trailing slash, and localhost on PORT by default', () => {
    expect(loadAppConfig({ PUBLIC_BASE_URL: 'https://calling.ikoota.example/' }).publicBaseUrl).toBe('https://calling.ikoota.example');
    expect(loadAppConfig({ PUBLIC_BASE_URL: 'https://ikoota.example/calling' }).publicBaseUrl).toBe('https://ikoota.example/calling');
    expect(loadAppConfig({ PORT: '8080' }).publicBaseUrl).toBe('http://localhost:8080');
  });

  it('is silent by default under NODE_ENV=test', () => {
    expect(loadAppConfig({ NODE_ENV: 'test' }).logLevel).toBe('silent');
  });

  it('reads typed values and trims the CORS list', () => {
    expect(
      loadAppConfig({ PORT: '8080', LOG_LEVEL: 'debug', CORS_ORIGINS: 'https://a.example, https://b.example,' }),
    ).toEqual({
      nodeEnv: 'development',
      port: 8080,
      logLevel: 'debug',
      corsOrigins: ['https://a.example', 'https://b.example'],
      publicBaseUrl: 'http://localhost:8080',
    });
  });

  it('treats empty values as unset', () => {
    expect(loadAppConfig({ PORT: '', LOG_LEVEL: '  ' }).port).toBe(3000);
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['PORT', '-1'],
    ['PORT', '80.5'],
    ['LOG_LEVEL', 'loud'],
    ['NODE_ENV', 'staging'],
    ['PUBLIC_BASE_URL', 'calling.ikoota.example'],
    ['PUBLIC_BASE_URL', 'ftp://calling.ikoota.example'],
    ['PUBLIC_BASE_URL', 'https://calling.ikoota.example/?x=1'],
  ])('refuses %s=%s and names the variable', (variable, value) => {
    const error = refusal(() => loadAppConfig({ [variable]: value }));
    expect(error.message).toContain(variable);
    expect(error.problems.length).toBeGreaterThan(0);
  });
});

describe('loadDatabaseConfig', () => {
  it('defaults to the SQLite file under ./data with migrations at start-up', () => {
    expect(loadDatabaseConfig({})).toEqual({
      target: { type: 'better-sqlite3', database: './data/calling.sqlite', url: 'sqlite:./data/calling.sqlite' },
      migrationsRun: true,
      queryTimeoutMs: 5000,
    });
  });

  it('reads DB_QUERY_TIMEOUT_MS', () => {
    expect(loadDatabaseConfig({ DB_QUERY_TIMEOUT_MS: '1500' }).queryTimeoutMs).toBe(1500);
  });

  it('reads sqlite::memory:, MySQL and MariaDB URLs', () => {
    expect(loadDatabaseConfig({ DATABASE_URL: 'sqlite::memory:' }).target).toMatchObject({ type: 'better-sqlite3', database: ':memory:' });
    expect(loadDatabaseConfig({ DATABASE_URL: 'mysql://root:pw@127.0.0.1:3306/calling' }).target).toEqual({
      type: 'mysql',
      url: 'mysql://root:pw@127.0.0.1:3306/calling',
      database: 'calling',
    });
    expect(loadDatabaseConfig({ DATABASE_URL: 'mariadb://root@db:3306/calls' }).target).toEqual({
      type: 'mariadb',
      url: 'mysql://root@db:3306/calls',
      database: 'calls',
    });
  });

  it.each(['false', '0', 'no', 'off'])('DB_MIGRATIONS_RUN=%s turns start-up migrations off', (value) => {
    expect(loadDatabaseConfig({ DB_MIGRATIONS_RUN: value }).migrationsRun).toBe(false);
  });

  it.each([
    ['DATABASE_URL', 'postgres://x'],
    ['DATABASE_URL', 'mysql://host'],
    ['DATABASE_URL', 'mysql://root@127.0.0.1:3306/'],
    ['DATABASE_URL', 'calling.sqlite'],
    ['DB_MIGRATIONS_RUN', 'maybe'],
    ['DB_QUERY_TIMEOUT_MS', '2s'],
    ['DB_QUERY_TIMEOUT_MS', '50'],
    ['DB_QUERY_TIMEOUT_MS', '1000000'],
  ])('refuses %s=%s and names the variable', (variable, value) => {
    const error = refusal(() => loadDatabaseConfig({ [variable]: value }));
    expect(error.message).toContain(variable);
  });
});

describe('loadRateLimitConfig: Redis', () => {
  it('times Redis commands out after 100 ms and skips it for 3 s after a failure, by default', () => {
    expect(loadRateLimitConfig({})).toEqual({ scale: 1, redisUrl: undefined, redisCommandTimeoutMs: 100, redisCircuitOpenMs: 3000 });
    expect(loadRateLimitConfig({ REDIS_COMMAND_TIMEOUT_MS: '250', REDIS_CIRCUIT_OPEN_MS: '500' })).toMatchObject({ redisCommandTimeoutMs: 250, redisCircuitOpenMs: 500 });
  });

  it.each([
    ['REDIS_COMMAND_TIMEOUT_MS', '0.1s'],
    ['REDIS_COMMAND_TIMEOUT_MS', '5'],
    ['REDIS_CIRCUIT_OPEN_MS', '50'],
    ['REDIS_CIRCUIT_OPEN_MS', 'soon'],
  ])('refuses %s=%s and names the variable', (variable, value) => {
    expect(refusal(() => loadRateLimitConfig({ [variable]: value })).message).toContain(variable);
  });
});

describe('recording config', () => {
  const storage = {
    RECORDING_STORAGE_VENDOR: '1',
    RECORDING_STORAGE_REGION: '0',
    RECORDING_STORAGE_BUCKET: 'ikoota-recordings',
    RECORDING_STORAGE_ACCESS_KEY: 'AKIAEXAMPLE',
    RECORDING_STORAGE_SECRET_KEY: 'a-storage-secret',
    RECORDING_STORAGE_PREFIX: 'ikoota/recordings',
  };
  const customer = { AGORA_CUSTOMER_ID: 'customer', AGORA_CUSTOMER_SECRET: 'customer-secret' };

  it('is off without any storage setting, on with all of them and the Agora REST credentials', () => {
    expect(loadRecordingConfig({})).toEqual({ enabled: false, channelType: 0 });
    expect(loadRecordingConfig({ ...storage, ...customer, RECORDING_CHANNEL_PROFILE: 'live' })).toEqual({
      enabled: true,
      channelType: 1,
      storage: { vendor: 1, region: 0, bucket: 'ikoota-recordings', accessKey: 'AKIAEXAMPLE', secretKey: 'a-storage-secret', prefix: ['ikoota', 'recordings'], endpoint: undefined, s3Region: 'us-east-1' },
    });
  });

  it('refuses partial storage, storage without Agora credentials, and vendor 11 without an endpoint, never echoing a secret', () => {
    const partial = refusal(() => loadRecordingConfig({ ...customer, RECORDING_STORAGE_BUCKET: 'ikoota-recordings', RECORDING_STORAGE_SECRET_KEY: 'a-storage-secret' }));
    expect(partial.problems).toEqual([expect.stringContaining('RECORDING_STORAGE_VENDOR, RECORDING_STORAGE_REGION, RECORDING_STORAGE_ACCESS_KEY, RECORDING_STORAGE_PREFIX missing')]);
    expect(partial.message).not.toContain('a-storage-secret');
    expect(refusal(() => loadRecordingConfig(storage)).message).toContain('AGORA_CUSTOMER_ID and AGORA_CUSTOMER_SECRET');
    expect(refusal(() => loadRecordingConfig({ ...storage, ...customer, RECORDING_STORAGE_VENDOR: '11' })).message).toContain('RECORDING_STORAGE_ENDPOINT is required');
    expect(refusal(() => loadRecordingConfig({ ...storage, ...customer, RECORDING_STORAGE_PREFIX: '../etc' })).message).toContain('RECORDING_STORAGE_PREFIX');
  });
});

describe('one namespace per concern', () => {
  it('presence, retention and jobs read their own variables, with their defaults', () => {
    expect(loadPresenceConfig({})).toEqual({ presenceTimeoutSeconds: 120, callIdleTimeoutMinutes: 60, ncsSecret: undefined, agoraClockToleranceMs: 30_000 });
    expect(loadRetentionConfig({ CALL_RETENTION_DAYS: '30' })).toEqual({ callRetentionDays: 30, recordingRetentionDays: 30 });
    expect(loadJobsConfig({ JOBS_ENABLED: 'false' })).toEqual({ jobsEnabled: false, sweepIntervalSeconds: 30 });
    expect(loadRateLimitConfig({ RATE_LIMIT_SCALE: '2.5' }).scale).toBe(2.5);
  });

  it.each([
    ['30', 30_000],
    ['300', 300_000],
    [' 45 ', 45_000],
    ['', 30_000],
  ])('reads AGORA_CLOCK_TOLERANCE_SECONDS=%p as %p ms (30 .. 300 s)', (value, ms) => {
    expect(loadPresenceConfig({ AGORA_CLOCK_TOLERANCE_SECONDS: value }).agoraClockToleranceMs).toBe(ms);
  });

  it.each([
    ['RATE_LIMIT_SCALE', '0', loadRateLimitConfig],
    ['RATE_LIMIT_SCALE', 'fast', loadRateLimitConfig],
    ['CALL_RETENTION_DAYS', '0', loadRetentionConfig],
    ['JOBS_ENABLED', 'sometimes', loadJobsConfig],
    ['PRESENCE_TIMEOUT_SECONDS', '5', loadPresenceConfig],
    ['AGORA_CLOCK_TOLERANCE_SECONDS', '29', loadPresenceConfig],
    ['AGORA_CLOCK_TOLERANCE_SECONDS', '301', loadPresenceConfig],
    ['AGORA_CLOCK_TOLERANCE_SECONDS', '0', loadPresenceConfig],
    ['AGORA_CLOCK_TOLERANCE_SECONDS', '-30', loadPresenceConfig],
    ['AGORA_CLOCK_TOLERANCE_SECONDS', '30.5', loadPresenceConfig],
    ['AGORA_CLOCK_TOLERANCE_SECONDS', 'lots', loadPresenceConfig],
  ] as Array<[string, string, (env: NodeJS.ProcessEnv) => unknown]>)('refuses %s=%s and names the variable', (variable, value, load) => {
    expect(refusal(() => load({ [variable]: value })).message).toContain(variable);
  });
});

describe('loadAuthConfig', () => {
  it('falls back to the development secret outside production and says so', () => {
    expect(loadAuthConfig({})).toEqual({ jwtSecret: DEV_JWT_SECRET, usingDevSecret: true, issuer: undefined, audience: undefined, requireExp: true });
  });

  it('reads the secret, issuer and audience', () => {
    expect(loadAuthConfig({ JWT_SECRET: PRODUCTION_SECRET, JWT_ISSUER: 'ikoota', JWT_AUDIENCE: 'calling' })).toEqual({
      jwtSecret: PRODUCTION_SECRET,
      usingDevSecret: false,
      issuer: 'ikoota',
      audience: 'calling',
      requireExp: true,
    });
  });

  it.each([
    ['false', false],
    ['0', false],
    ['off', false],
    ['true', true],
    ['YES', true],
    ['', true],
  ])('reads JWT_REQUIRE_EXP=%p as %p', (value, requireExp) => {
    expect(loadAuthConfig({ JWT_REQUIRE_EXP: value }).requireExp).toBe(requireExp);
  });

  it('refuses a JWT_REQUIRE_EXP that is not a boolean, naming it', () => {
    expect(refusal(() => loadAuthConfig({ JWT_REQUIRE_EXP: 'sometimes' })).problems).toEqual(['JWT_REQUIRE_EXP must be true or false']);
  });

  it('refuses a JWT_SECRET shorter than 16 characters without echoing it', () => {
    const error = refusal(() => loadAuthConfig({ JWT_SECRET: 'short-s3cret' }));
    expect(error.message).toContain('JWT_SECRET');
    expect(error.message).not.toContain('short-s3cret');
  });

  describe('in production', () => {
    it('requires JWT_SECRET', () => {
      const { JWT_SECRET: _omitted, ...env } = PRODUCTION;
      expect(refusal(() => loadAuthConfig(env)).message).toContain('JWT_SECRET');
    });

    it('treats an empty JWT_SECRET as missing', () => {
      expect(refusal(() => loadAuthConfig({ ...PRODUCTION, JWT_SECRET: '' })).message).toContain('JWT_SECRET');
    });

    it('refuses the development default secret', () => {
      const error = refusal(() => loadAuthConfig({ ...PRODUCTION, JWT_SECRET: DEV_JWT_SECRET }));
      expect(error.message).toContain('JWT_SECRET');
      expect(error.message).not.toContain(DEV_JWT_SECRET);
    });

    it('loads with a real secret', () => {
      expect(loadAuthConfig(PRODUCTION)).toMatchObject({ jwtSecret: PRODUCTION_SECRET, usingDevSecret: false });
    });
  });
});

describe('loadAgoraConfig', () => {
  it('defaults: development credentials, 24 h tokens, the public API, a cached probe of it', () => {
    expect(loadAgoraConfig({})).toEqual({
      appId: DEV_AGORA_APP_ID,
      appCertificate: DEV_AGORA_APP_CERTIFICATE,
      usingDevCredentials: true,
      tokenTtlSeconds: 86400,
      customerId: undefined,
      customerSecret: undefined,
      apiBaseUrl: 'https://api.agora.io',
      healthUrl: 'https://api.agora.io/',
      healthCacheSeconds: 60,
    });
  });

  it('reads real credentials, the TTL, REST credentials and the probe settings', () => {
    expect(
      loadAgoraConfig({
        AGORA_APP_ID: APP_ID,
        AGORA_APP_CERTIFICATE: APP_CERTIFICATE,
        AGORA_TOKEN_TTL_SECONDS: '3600',
        AGORA_CUSTOMER_ID: 'customer',
        AGORA_CUSTOMER_SECRET: 'customer-secret',
        AGORA_API_BASE_URL: 'http://127.0.0.1:9999/',
        AGORA_HEALTH_URL: 'off',
        AGORA_HEALTH_CACHE_SECONDS: '5',
      }),
    ).toEqual({
      appId: APP_ID,
      appCertificate: APP_CERTIFICATE,
      usingDevCredentials: false,
      tokenTtlSeconds: 3600,
      customerId: 'customer',
      customerSecret: 'customer-secret',
      apiBaseUrl: 'http://127.0.0.1:9999',
      healthUrl: undefined,
      healthCacheSeconds: 5,
    });
  });

  it('probes the configured API base URL unless told otherwise', () => {
    expect(loadAgoraConfig({ AGORA_API_BASE_URL: 'https://agora.internal' }).healthUrl).toBe('https://agora.internal/');
    expect(loadAgoraConfig({ AGORA_HEALTH_URL: 'http://probe.internal/ping' }).healthUrl).toBe('http://probe.internal/ping');
  });

  it.each([
    ['AGORA_APP_ID', 'not-hex-at-all'],
    ['AGORA_APP_ID', `${APP_ID}0`],
    ['AGORA_APP_ID', APP_ID.replace('a', 'g')],
    ['AGORA_APP_CERTIFICATE', 'xyz'],
    ['AGORA_APP_CERTIFICATE', APP_CERTIFICATE.slice(1)],
    ['AGORA_TOKEN_TTL_SECONDS', '0'],
    ['AGORA_TOKEN_TTL_SECONDS', '90000'],
    ['AGORA_TOKEN_TTL_SECONDS', 'a day'],
    ['AGORA_API_BASE_URL', 'api.agora.io'],
    ['AGORA_HEALTH_URL', 'ftp://agora'],
    ['AGORA_HEALTH_CACHE_SECONDS', '0'],
  ])('refuses %s=%s and names the variable', (variable, value) => {
    const error = refusal(() => loadAgoraConfig({ [variable]: value }));
    expect(error.message).toContain(variable);
  });

  it('does not echo a bad certificate back', () => {
    const certificate = 'secret-certificate-value';
    expect(refusal(() => loadAgoraConfig({ AGORA_APP_CERTIFICATE: certificate })).message).not.toContain(certificate);
  });

  it.each([
    ['AGORA_CUSTOMER_ID', { AGORA_CUSTOMER_ID: 'customer' }],
    ['AGORA_CUSTOMER_SECRET', { AGORA_CUSTOMER_SECRET: 'customer-secret' }],
  ])('refuses %s without its partner, naming both', (_only, env) => {
    const error = refusal(() => loadAgoraConfig(env));
    expect(error.message).toContain('AGORA_CUSTOMER_ID');
    expect(error.message).toContain('AGORA_CUSTOMER_SECRET');
  });

  describe('in production', () => {
    it.each(['AGORA_APP_ID', 'AGORA_APP_CERTIFICATE'])('requires %s', (variable) => {
      const env = { ...PRODUCTION };
      delete env[variable];
      const error = refusal(() => loadAgoraConfig(env));
      expect(error.message).toContain(variable);
      expect(error.problems).toHaveLength(1);
    });

    it('names both credentials when neither is set', () => {
      const error = refusal(() => loadAgoraConfig({ NODE_ENV: 'production' }));
      expect(error.problems).toEqual([expect.stringContaining('AGORA_APP_ID'), expect.stringContaining('AGORA_APP_CERTIFICATE')]);
    });

    it('loads with real credentials', () => {
      expect(loadAgoraConfig(PRODUCTION)).toMatchObject({ appId: APP_ID, appCertificate: APP_CERTIFICATE, usingDevCredentials: false });
    });
  });
});

describe('a production environment with everything set', () => {
  it('loads every namespace', () => {
    expect(loadAppConfig(PRODUCTION)).toMatchObject({ nodeEnv: 'production', port: 3000, logLevel: 'info' });
    expect(loadAuthConfig(PRODUCTION)).toMatchObject({ jwtSecret: PRODUCTION_SECRET, usingDevSecret: false });
    expect(loadAgoraConfig(PRODUCTION)).toMatchObject({ appId: APP_ID, usingDevCredentials: false });
    expect(loadDatabaseConfig(PRODUCTION).target).toMatchObject({ type: 'mysql', database: 'calling' });
  });
});

describe('ConfigValidationError', () => {
  it('lists every problem on its own line', () => {
    const error = refusal(() => loadAppConfig({ PORT: '70000', LOG_LEVEL: 'loud' }));
    expect(error.problems).toEqual([expect.stringMatching(/^PORT\b/), expect.stringMatching(/^LOG_LEVEL\b/)]);
    expect(error.message.split('\n')).toEqual(['Invalid configuration:', `  - ${error.problems[0]}`, `  - ${error.problems[1]}`]);
  });
});

describe('checkConfiguration: every problem of every namespace in one refusal', () => {
  const broken: NodeJS.ProcessEnv = {
    NODE_ENV: 'production',
    PORT: 'abc',
    LOG_LEVEL: 'loud',
    JWT_SECRET: '',
    AGORA_TOKEN_TTL_SECONDS: '5',
    DATABASE_URL: 'postgres://db/calling',
    REDIS_URL: 'localhost:6379',
    EVENTS_WEBHOOK_URL: 'https://hooks.example/calling',
    CALL_RETENTION_DAYS: '0',
    OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
    OTEL_TRACES_SAMPLER: 'sometimes',
  };

  it('names each missing or invalid variable once, across namespaces and within one (a bad value and a production requirement together)', () => {
    const error = refusal(() => checkConfiguration(broken));
    expect(error.problems).toEqual([
      expect.stringMatching(/^OTEL_TRACES_SAMPLER must be one of/),
      // Not a number: one line, not the range checks as well.
      'PORT must be an integer number',
      expect.stringMatching(/^LOG_LEVEL must be one of/),
      'JWT_SECRET is required when NODE_ENV=production',
      expect.stringMatching(/^AGORA_TOKEN_TTL_SECONDS must not be less than 60/),
      'AGORA_APP_ID is required when NODE_ENV=production',
      'AGORA_APP_CERTIFICATE is required when NODE_ENV=production',
      expect.stringMatching(/^DATABASE_URL must look like sqlite:/),
      expect.stringMatching(/^CALL_RETENTION_DAYS/),
      'REDIS_URL must look like redis://host:port',
      'EVENTS_WEBHOOK_SECRET is required when EVENTS_WEBHOOK_URL is set',
    ]);
    expect(new Set(error.problems).size).toBe(error.problems.length);
    expect(error.message.split('\n')).toHaveLength(error.problems.length + 1);
  });

  it('passes a complete production environment, and the development defaults', () => {
    expect(() => checkConfiguration(PRODUCTION)).not.toThrow();
    expect(() => checkConfiguration({})).not.toThrow();
  });

  it('checks every namespace the app loads: one provider per registerAs in src/config', () => {
    const registered = readdirSync(__dirname)
      .filter((file) => file.endsWith('.config.ts'))
      .flatMap((file) => [...readFileSync(join(__dirname, file), 'utf8').matchAll(/registerAs\('(\w+)'/g)].map((m) => m[1]))
      .sort();
    expect(registered.length).toBeGreaterThan(10);
    expect(CONFIG_PROVIDERS.map((provider) => (provider as unknown as { KEY: string }).KEY.replace(/^CONFIGURATION\((\w+)\)$/, '$1')).sort()).toEqual(registered);
  });
});

describe('.env.example', () => {
  const root = join(__dirname, '..', '..');
  /** Every variable the config classes declare (`  NAME?: type;`). */
  const declared = readdirSync(__dirname)
    .filter((file) => file.endsWith('.config.ts'))
    .flatMap((file) => [...readFileSync(join(__dirname, file), 'utf8').matchAll(/^\s+([A-Z][A-Z0-9_]+)\?:/gm)].map((m) => m[1]))
    .sort();
  const example = readFileSync(join(root, '.env.example'), 'utf8').split('\n');
  const documented = example.map((line) => /^# ([A-Z][A-Z0-9_]+)=/.exec(line)?.[1]).filter((name): name is string => Boolean(name));

  it('documents every variable the config loaders read, each once, and nothing else', () => {
    expect(declared.length).toBeGreaterThan(15);
    expect([...documented].sort()).toEqual(declared);
  });

  it('gives each variable a comment line saying its default', () => {
    for (const name of documented) {
      const comment = example[example.findIndex((line) => line.startsWith(`# ${name}=`)) - 1];
      expect({ name, comment }).toEqual({ name, comment: expect.stringMatching(/^# .*Default: /) });
    }
  });

  it('changes nothing when copied: every line is a comment or blank', () => {
    expect(example.filter((line) => line.trim() !== '' && !line.startsWith('#'))).toEqual([]);
  });
});
