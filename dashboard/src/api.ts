/**
 * The dashboard's one way to the API: the admin's JWT from sessionStorage (this tab only, gone
 * when it closes) as a bearer token. A 401 anywhere (expired, invalid) signs out and returns to
 * sign-in with the API's message; every other refusal is an ApiError carrying the API's own
 * `code` and `message`.
 */
const TOKEN_KEY = 'ikoota.dashboard.token';
const ADMIN_API = '/api/calling/admin';

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

async function refusal(response: Response): Promise<ApiError> {
  let code = 'HTTP_' + response.status;
  let message = response.statusText || `HTTP ${response.status}`;
  try {
    const body = (await response.json()) as { code?: string; message?: string };
    if (body.code) code = body.code;
    if (body.message) message = body.message;
  } catch {
    // Not JSON (a proxy's page): the status line says enough.
  }
  return new ApiError(response.status, code, message);
}

/**
 * One request to /api/calling/admin + `path`. With `token` (sign-in checks a pasted one) a 401
 * is only thrown, not a sign-out.
 */
export async function request(path: string, init: { method?: string; token?: string } = {}): Promise<Response> {
  const token = init.token ?? session.token();
  const response = await fetch(ADMIN_API + path, {
    method: init.method ?? 'GET',
    headers: token ? { Authorization: `Bearer ${token}` } : {},
  });
  if (response.ok) return response;
  const error = await refusal(response);
  if (response.status === 401 && init.token === undefined) session.signOut(error.message);
  throw error;
}

export async function getJson<T>(path: string, init: { method?: string; token?: string } = {}): Promise<T> {
  return (await request(path, init)).json() as Promise<T>;
}

/** A query string from the set values only. */
export function query(params: Record<string, string | number | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
}

/**
 * Downloads a file the API answers (a link cannot carry the bearer header): fetched, then saved
 * from a Blob under the name the API's Content-Disposition gives, or `fallbackName`.
 */
export async function download(path: string, fallbackName: string): Promise<string> {
  const response = await request(path);
  const disposition = response.headers.get('content-disposition') ?? '';
  const name = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition)?.[1] ?? fallbackName;
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement('a');
  link.href = url;
  link.download = decodeURIComponent(name);
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return link.download;
}

// ---- The shapes the dashboard reads (calling-api.md section 6 and the admin console routes) ----

export type CallStatus = 'active' | 'paused' | 'ended';

export interface AdminCallRow {
  id: number;
  title: string;
  channel_name: string;
  creator_id: number;
  creator_oto_number: string | null;
  is_public: boolean;
  max_participants: number;
  status: CallStatus;
  participant_count: number;
  peak_participants: number;
  created_at: string;
  ended_at: string | null;
  ended_by: string | null;
}

export interface CallsPage {
  calls: AdminCallRow[];
  nextCursor: string | null;
}

export interface AnalyticsBucket {
  date: string;
  total_calls: number;
  total_participants: number;
  avg_duration: number;
  audio_minutes: number;
  video_minutes: number;
  unique_members: number;
  peak_participants: number;
}

export interface AnalyticsReport {
  dailyStats: AnalyticsBucket[];
  summary: Record<string, number>;
}

export interface CallDetails {
  call: {
    id: number;
    title: string;
    description: string | null;
    channel_name: string;
    creator_id: number;
    is_public: boolean;
    max_participants: number;
    status: CallStatus;
    created_at: string;
    ended_at: string | null;
    ended_by: string | null;
  };
  participants: Array<{
    user_id: number;
    oto_number: string;
    role: string;
    joined_at: string;
    left_at: string | null;
    duration_seconds: number | null;
    media: string;
    leave_reason: string | null;
  }>;
  stats: {
    total_participants: number;
    peak_participants: number;
    total_duration_seconds: number;
    audio_minutes_consumed: number;
    video_minutes_consumed: number;
  };
}

export interface AdminActionResult {
  success: boolean;
  message: string;
  agoraKick: 'applied' | 'skipped' | 'failed';
}
