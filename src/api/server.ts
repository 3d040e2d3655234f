import { createServer } from "node:http";
import type { Express } from "express";

/** A listening API server. */
export interface ApiServer {
  /** Base URL, e.g. http://127.0.0.1:8080. */
  url: string;
  /** The bound port (useful with port 0). */
  port: number;
  /** Stops accepting connections and waits for running requests (at most `graceMs`, default 5 s). */
  close(opts?: { graceMs?: number }): Promise<void>;
}

/** Starts the API on host:port (port 0 picks a free one); resolves once it listens. */
export async function startApiServer(opts: { app: Express; host: string; port: number }): Promise<ApiServer> {
  const server = createServer(opts.app);
  server.headersTimeout = 15_000;
  server.requestTimeout = 120_000; // a diff of a big app may take a while
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, opts.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const addr = server.address();
  const port = typeof addr === "object" && addr ? addr.port : opts.port;
  const host = opts.host === "0.0.0.0" || opts.host === "" ? "127.0.0.1" : opts.host === "::" ? "::1" : opts.host;
  return {
    url: `http://${host.includes(":") ? `[${host}]` : host}:${port}`,
    port,
    close: async ({ graceMs = 5_000 } = {}) => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      // event streams (GET /api/v1/stream) stay open until told to end
      (opts.app.locals.endStreams as (() => void) | undefined)?.();
      const force = setTimeout(() => server.closeAllConnections(), graceMs);
      force.unref();
      await closed;
      clearTimeout(force);
    },
  };
}
