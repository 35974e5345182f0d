import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';

/** One request the fake Agora received. */
export interface AgoraRequest {
  method: string;
  url: string;
  authorization?: string;
  body: Record<string, unknown> | undefined;
  /** The rule id answered to a successful kicking-rule POST. */
  id?: number;
}

/** What the fake answers for one channel's user list. */
export type ChannelAnswer = { users: number[] } | { status: number } | 'no-channel' | 'hang';

type Action = 'acquire' | 'start' | 'update' | 'query' | 'stop';

export interface FakeAgora {
  url: string;
  /** Every request, in order. */
  requests: AgoraRequest[];
  /** Channel user lists by channel name (none: the channel does not exist); 'hang' never answers. */
  answers: Map<string, ChannelAnswer>;
  /** Cloud Recording behaviour on demand. */
  state: {
    /** Every Cloud Recording request answers this status (e.g. 503) while set. */
    down: number | undefined;
    /** The next request of an action answers this status. */
    failNext: Partial<Record<Action, number>>;
    /** Milliseconds the start waits before answering (to overlap two starts). */
    startDelayMs: number;
    /** Sids whose recorder is gone: query answers 404 for them. */
    gone: Set<string>;
  };
  close(): Promise<void>;
}

const RECORDING = /^\/v1\/apps\/([^/]+)\/cloud_recording\/(?:acquire|resourceid\/([^/]+)\/(?:sid\/([^/]+)\/)?mode\/(mix|individual)\/(start|update|query|stop))$/;
const USER_LIST = /^\/dev\/v1\/channel\/user\/([^/]+)\/([^/?]+)$/;

/**
 * A stand-in for Agora's REST API on a local port, answering as Agora does: kicking rules
 * (POST answers a rule id, counting up; `kickStatus` for every kicking-rule request), channel
 * user lists (`answers`), and Cloud Recording (acquire, start, update, query, stop, with
 * failures on demand in `state`). Anything else answers 404. Every request is recorded.
 */
export async function fakeAgora(options: { kickStatus?: () => number } = {}): Promise<FakeAgora> {
  const requests: AgoraRequest[] = [];
  const answers = new Map<string, ChannelAnswer>();
  const state: FakeAgora['state'] = { down: undefined, failNext: {}, startDelayMs: 0, gone: new Set() };
  const hanging: ServerResponse[] = [];
  let nextRuleId = 9000;
  let next = 0;
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let raw = '';
    req.on('data', (chunk) => (raw += chunk));
    req.on('end', () => {
      void (async () => {
        const url = req.url ?? '';
        const request: AgoraRequest = { method: req.method ?? '', url, authorization: req.headers.authorization, body: raw ? (JSON.parse(raw) as Record<string, unknown>) : undefined };
        requests.push(request);
        const send = (status: number, body: object) => res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));

        if (url.startsWith('/dev/v1/kicking-rule')) {
          const code = options.kickStatus?.() ?? 200;
          if (code < 300 && request.method === 'POST') request.id = nextRuleId += 1;
          return send(code, code < 300 ? { status: 'success', ...(request.id ? { id: request.id } : {}) } : { status: 'error' });
        }

        const list = USER_LIST.exec(url);
        if (list) {
          const answer = answers.get(decodeURIComponent(list[2])) ?? 'no-channel';
          if (answer === 'hang') return void hanging.push(res);
          if (answer === 'no-channel') return send(200, { success: true, data: { channel_exist: false } });
          if ('status' in answer) return send(answer.status, { success: false });
          return send(200, { success: true, data: { channel_exist: true, mode: 1, total: answer.users.length, users: answer.users } });
        }

        const match = RECORDING.exec(url);
        if (!match) return send(404, { code: 404, reason: 'no such path' });
        const action = (match[5] ?? 'acquire') as Action;
        const [, , resourceId, sid] = match;
        const failure = state.down ?? state.failNext[action];
        delete state.failNext[action];
        if (failure) return send(failure, { code: failure, reason: 'failed on demand' });
        if (action === 'acquire') return send(200, { resourceId: `res-${(next += 1)}` });
        if (action === 'start') {
          if (state.startDelayMs) await new Promise((resolve) => setTimeout(resolve, state.startDelayMs));
          return send(200, { resourceId, sid: `sid-${(next += 1)}` });
        }
        if (action === 'update') return send(200, { resourceId, sid });
        if (action === 'query') {
          if (state.gone.has(sid)) return send(404, { code: 404, reason: 'failed to find worker' });
          return send(200, { resourceId, sid, serverResponse: { status: 5, fileList: [] } });
        }
        return send(200, {
          resourceId,
          sid,
          serverResponse: {
            fileListMode: 'json',
            uploadingStatus: 'uploaded',
            fileList: [
              { fileName: `ikoota/recordings/${sid}_main.m3u8`, trackType: 'audio_and_video', uid: '0', mixedAllUser: true, isPlayable: true, sliceStartTime: 1 },
              { fileName: `ikoota/recordings/${sid}_main_0.ts`, trackType: 'audio_and_video', uid: '0', mixedAllUser: true, isPlayable: true, sliceStartTime: 1 },
            ],
          },
        });
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    answers,
    state,
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
