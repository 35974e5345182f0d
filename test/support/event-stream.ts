/** A member event stream read over real HTTP, parsed as EventSource would (id, data, comments). */
export interface StreamEvent {
  id: string;
  body: { id: string; type: string; occurredAt: string; callId: number; data: Record<string, unknown> };
}

export interface OpenStream {
  status: number;
  headers: Headers;
  events: StreamEvent[];
  comments: string[];
  /** Resolves when the server ends the stream. */
  ended: Promise<void>;
  /** Resolves once an event matching `predicate` has arrived (or fails after `timeoutMs`). */
  next(predicate: (event: StreamEvent) => boolean, timeoutMs?: number): Promise<StreamEvent>;
  close(): void;
}

export async function openStream(baseUrl: string, query: string, headers: Record<string, string> = {}): Promise<OpenStream> {
  const abort = new AbortController();
  const response = await fetch(`${baseUrl}/api/calling/events?${query}`, { headers, signal: abort.signal });
  const events: StreamEvent[] = [];
  const comments: string[] = [];
  const waiters: Array<() => void> = [];
  let ended: Promise<void> = Promise.resolve();
  if (response.ok && response.body) {
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    ended = (async () => {
      let buffer = '';
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) return;
          buffer += value;
          let end: number;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            let id = '';
            let data = '';
            for (const line of block.split('\n')) {
              if (line.startsWith(':')) comments.push(line.slice(1).trim());
              else if (line.startsWith('id: ')) id = line.slice(4);
              else if (line.startsWith('data: ')) data += line.slice(6);
            }
            if (data) events.push({ id, body: JSON.parse(data) });
            for (const wake of waiters.splice(0)) wake();
          }
        }
      } catch {
        // aborted by close()
      } finally {
        for (const wake of waiters.splice(0)) wake();
      }
    })();
  } else {
    await response.text();
  }
  return {
    status: response.status,
    headers: response.headers,
    events,
    comments,
    ended,
    async next(predicate, timeoutMs = 5_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = events.find(predicate);
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`no matching event within ${timeoutMs} ms; got ${JSON.stringify(events.map((e) => e.body.type))}`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 50);
        });
      }
    },
    close: () => abort.abort(),
  };
}
