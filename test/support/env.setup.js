// Every test process starts from the same known environment, whatever the shell or a .env says.
process.env.NODE_ENV = 'test';
process.env.LOG_LEVEL = process.env.TEST_LOG_LEVEL || 'silent';
process.env.AGORA_HEALTH_URL = 'off';
delete process.env.DATABASE_URL;
// The OpenAPI document's server URL comes from these: the committed docs/openapi.json has the default.
delete process.env.PORT;
delete process.env.PUBLIC_BASE_URL;
delete process.env.JWT_SECRET;
delete process.env.JWT_ISSUER;
delete process.env.JWT_AUDIENCE;
delete process.env.JWT_REQUIRE_EXP;
delete process.env.AGORA_APP_ID;
delete process.env.AGORA_APP_CERTIFICATE;
delete process.env.AGORA_CUSTOMER_ID;
delete process.env.AGORA_CUSTOMER_SECRET;
delete process.env.RATE_LIMIT_SCALE;
// Scheduled jobs stay off in tests: tests run them by hand with a clock they control.
process.env.JOBS_ENABLED = 'false';
delete process.env.REDIS_URL;
delete process.env.AGORA_NCS_SECRET;
for (const name of Object.keys(process.env)) if (name.startsWith('RECORDING_')) delete process.env[name];
