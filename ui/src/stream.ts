import { authHeaders } from "./api.js";
import type { AppSummary } from "./types.js";

/** What the event stream tells the page. */
export interface StreamHandlers {
  snapshot(items: AppSummary[]): void;
  added(app: AppSummary): void;
  changed(app: AppSummary): void;
  removed(app: { namespace: string; name: string }): void;
  /** "live" once a snapshot arrived; "reconnecting" while it is down. */
  state(state: "live" | "reconnecting", detail?: string): void;
  unauthorized(): void;
}

/**
 * Reads `GET /api/v1/stream` with fetch (EventSource cannot send an
 * Authorization header) and parses `text/event-stream` as it arrives. When the
 * stream ends or fails it reconnects with backoff (1 s doubling to 30 s,
 * jittered); every connection starts with a snapshot, so nothing is missed.
 * Returns a function that stops it.
 */
export function connectStream(handlers: StreamHandlers): () => void {
  const abort = new AbortController();
  let delay = 1_000;
  const run = async (): Promise<void> => {
    while (!abort.signal.aborted) {
      let detail: string;
      try {
        const res = await fetch("/api/v1/stream", { headers: { accept: "text/event-stream", ...authHeaders() }, signal: abort.signal, credentials: "omit", cache: "no-store" });
        if (res.status === 401) return handlers.unauthorized();
        if (!res.ok || !res.body) {
          detail = `HTTP ${res.status}`;
        } else {
          await read(res.body, (event, data) => {
            if (event === "snapshot") {
              delay = 1_000;
              handlers.snapshot((JSON.parse(data) as { items: AppSummary[] }).items);
              handlers.state("live");
            } else if (event === "added") handlers.added(JSON.parse(data) as AppSummary);
            else if (event === "changed") handlers.changed(JSON.parse(data) as AppSummary);
            else if (event === "removed") handlers.removed(JSON.parse(data) as { namespace: string; name: string });
          });
          detail = "stream ended";
        }
      } catch (err) {
        if (abort.signal.aborted) return;
        detail = (err as Error).message;
      }
      handlers.state("reconnecting", detail);
      await new Promise((r) => setTimeout(r, delay * (0.75 + Math.random() / 2)));
      delay = Math.min(delay * 2, 30_000);
    }
  };
  void run();
  return () => abort.abort();
}

/** Parses Server-Sent Events from a byte stream: blocks separated by a blank line, `event:` and `data:` fields. */
async function read(body: ReadableStream<Uint8Array>, onEvent: (event: string, data: string) => void): Promise<void> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buf = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buf += decoder.decode(value, { stream: true }).replace(/\r\n?/g, "\n");
    let end: number;
    while ((end = buf.indexOf("\n\n")) >= 0) {
      const block = buf.slice(0, end);
      buf = buf.slice(end + 2);
      let event = "message";
      const data: string[] = [];
      for (const line of block.split("\n")) {
        if (line.startsWith(":")) continue;
        const colon = line.indexOf(":");
        const field = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
        if (field === "event") event = value;
        else if (field === "data") data.push(value);
      }
      if (data.length) onEvent(event, data.join("\n"));
    }
  }
}
