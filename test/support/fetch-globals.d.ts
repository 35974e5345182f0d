// The generated client (clients/typescript) is written for the DOM's fetch types; Node's own
// fetch has the same ones, but @types/node does not make `BodyInit` a global. The service's
// tsconfig has no DOM library (the service does not run in a browser), so the name comes from
// undici, Node's fetch, for the tests that import the client.
import type { BodyInit as UndiciBodyInit } from 'undici-types';

declare global {
  type BodyInit = UndiciBodyInit;
}
