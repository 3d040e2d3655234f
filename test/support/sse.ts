/** One Server-Sent Event. */
export interface SseEvent {
  event: string;
  data: string;
  /** When it was parsed (Date.now()). */
  at: number;
}

/** A reader of GET /api/v1/stream for tests: every event in order, and a way to wait for one. */
export interface SseClient {
  status: number;
  events: SseEvent[];
  /** Resolves with the first event (already received or future) that `match` accepts. */
  next(match: (e: SseEvent) => boolean, opts?: { timeoutMs?: number; what?: string }): Promise<SseEvent>;
  /** Whether the server ended the stream. */
  ended: boolean;
  close(): void;
}

/** Opens an event stream with fetch (bearer header, as the dashboard does) and parses it as it arrives. */
export async function openStream(url: string, token?: string): Promise<SseClient> {
  const abort = new AbortController();
  const res = await fetch(url, { headers: { accept: "text/event-stream", ...(token ? { authorization: `Bearer ${token}` } : {}) }, signal: abort.signal });
  const waiters = new Set<() => void>();
  const client: SseClient = {
    status: res.status,
    events: [],
    ended: false,
    close: () => abort.abort(),
    next: (match, opts = {}) =>
      new Promise((resolve, reject) => {
        let seen = 0;
        const check = (): boolean => {
          for (; seen < client.events.length; seen++) {
            const e = client.events[seen]!;
            if (match(e)) {
              waiters.delete(check);
              clearTimeout(timer);
              resolve(e);
              return true;
            }
          }
          return false;
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no ${opts.what ?? "matching event"} within ${opts.timeoutMs ?? 60_000} ms; got ${client.events.map((e) => e.event).join(",")}`));
        }, opts.timeoutMs ?? 60_000);
        if (!check()) waiters.add(check);
      }),
  };
  if (!res.ok || !res.body) return client;
  void (async () => {
    const decoder = new TextDecoder();
    let buf = "";
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buf += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buf.indexOf("\n\n")) >= 0) {
          const block = buf.slice(0, end);
          buf = buf.slice(end + 2);
          let event = "message";
          const data: string[] = [];
          for (const line of block.split("\n")) {
            if (line.startsWith("event:")) event = line.slice(6).trim();
            else if (line.startsWith("data:")) data.push(line.slice(5).trimStart());
          }
          if (data.length) client.events.push({ event, data: data.join("\n"), at: Date.now() });
        }
        for (const w of [...waiters]) w();
      }
    } catch {
      // aborted
    }
    client.ended = true;
  })();
  return client;
}
