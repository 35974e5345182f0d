// How `npm run client:generate` (at the repository root) generates this package's src/ from the
// committed OpenAPI document, with @hey-api/openapi-ts (pinned in the root package.json).
// Paths are relative to the repository root, where the script runs.
export default {
  // `./` keeps it a file path: a bare `docs/openapi.json` reads as a registry shorthand.
  input: './docs/openapi.json',
  output: {
    // CLIENT_OUTPUT: test/typescript-client.e2e-spec.ts generates elsewhere to compare.
    path: process.env.CLIENT_OUTPUT ?? './clients/typescript/src',
    // Explicit `.js` in imports, so the emitted dist/ runs as ES modules in Node as well as in bundlers.
    module: { extension: '.js' },
  },
  plugins: ['@hey-api/client-fetch'],
};
