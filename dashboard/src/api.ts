/**
 * The dashboard's one way to the API: the generated client (clients/typescript, from the OpenAPI
 * document), with the admin's JWT from sessionStorage (this tab only, gone when it closes) as the
 * bearer token. A 401 anywhere (expired, invalid) signs out and returns to sign-in with the API's
 * message; every other refusal is an ApiError carrying the API's own `code` and `message`.
 */
import { createClient } from '../../clients/typescript/src/client';
import type { ErrorDto } from '../../clients/typescript/src';

export * as calling from '../../clients/typescript/src';
export type { AdminCallRowDto, AdminCallsPageDto, AdminOverviewDto, AnalyticsReportDto, CallDetailsDto } from '../../clients/typescript/src';

const TOKEN_KEY = 'ikoota.dashboard.token';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

type SignedOutListener = (reason: string) => void;
const listeners = new Set<SignedOutListener>();

export const session = {
  token(): string | null {
    return sessionStorage.getItem(TOKEN_KEY);
  },
  signIn(token: string): void {
    sessionStorage.setItem(TOKEN_KEY, token);
  },
  signOut(reason = ''): void {
    sessionStorage.removeItem(TOKEN_KEY);
    for (const listener of listeners) listener(reason);
  },
  onSignedOut(listener: SignedOutListener): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
};

/**
 * The API as this page sees it: same origin (the service serves the dashboard), the session's
 * token on every request. Pass it as `client` to the generated functions, through `answer`.
 */
export const api = createClient({ baseUrl: location.origin, auth: () => session.token() ?? undefined });

/** What every generated function resolves to (without `throwOnError`). */
type Outcome<T> = { data: T; error: undefined; response: Response } | { data: undefined; error: unknown; response: Response };

/**
 * The data of a call to the API, or an ApiError with the API's code and message. A 401 signs out,
 * unless `signIn` says the token is one being tried (sign-in checks a pasted one).
 */
export async function answer<T>(call: Promise<Outcome<T>>, options: { signIn?: boolean } = {}): Promise<T> {
  const { data, error, response } = await call;
  if (error === undefined) return data as T;
  const body = (typeof error === 'object' && error !== null ? error : {}) as Partial<ErrorDto>;
  const refused = new ApiError(response.status, body.code ?? `HTTP_${response.status}`, body.message ?? (response.statusText || `HTTP ${response.status}`));
  if (response.status === 401 && !options.signIn) session.signOut(refused.message);
  throw refused;
}

/** Query parameters without the empty ones (an unset filter is left out, not sent empty). */
export function defined<T extends Record<string, unknown>>(params: T): Partial<T> {
  return Object.fromEntries(Object.entries(params).filter(([, value]) => value !== undefined && value !== null && value !== '')) as Partial<T>;
}

/**
 * Saves a file the API answered (a link cannot carry the bearer header), fetched through the
 * client as a Blob, under the name its Content-Disposition gives, or `fallbackName`.
 */
export async function save(call: Promise<Outcome<unknown>>, fallbackName: string): Promise<string> {
  const outcome = await call;
  const blob = await answer(Promise.resolve(outcome));
  const disposition = outcome.response.headers.get('content-disposition') ?? '';
  const name = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition)?.[1] ?? fallbackName;
  const url = URL.createObjectURL(blob instanceof Blob ? blob : new Blob([String(blob)], { type: 'text/csv' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = decodeURIComponent(name);
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return link.download;
}
