/**
 * Run as a child process by test/tracing.e2e-spec.ts: what src/main.ts does before listening
 * (src/tracing/register.ts first, then the whole app), then prints, as one JSON line, which
 * OpenTelemetry packages and require hooks the process loaded.
 */
import '../../src/tracing/register';
import { createApp } from '../../src/app.factory';

void (async () => {
  const app = await createApp();
  await app.close();
  const loaded = new Set<string>();
  for (const path of Object.keys(require.cache)) {
    const match = /node_modules\/(@opentelemetry\/[^/]+|require-in-the-middle|import-in-the-middle)\//.exec(path);
    if (match) loaded.add(match[1]);
  }
  process.stdout.write(`${JSON.stringify([...loaded].sort())}\n`);
})();
