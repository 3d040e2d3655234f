/**
 * The CGI side of the test Git server: authentication and one request run
 * through `git http-backend` (smart HTTP), streamed both ways.
 */
import { spawn } from "node:child_process";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createGunzip } from "node:zlib";

/** Credentials the server demands: basic (username/password) or a bearer token. */
export type GitServerAuth = { username: string; password: string } | { bearerToken: string };

/** The REMOTE_USER for a request, "" when no auth is configured, undefined when refused. */
export function authenticate(header: string | undefined, auth: GitServerAuth | undefined): string | undefined {
  if (!auth) return "";
  if ("bearerToken" in auth) return header === `Bearer ${auth.bearerToken}` ? "token" : undefined;
  const expected = `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString("base64")}`;
  return header === expected ? auth.username : undefined;
}

/** Runs `git http-backend` as CGI for one request and streams its answer back. */
export function runBackend(args: {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  user: string;
  projectRoot: string;
  truncate: number | undefined;
}): void {
  const { req, res, url } = args;
  const gzip = req.headers["content-encoding"] === "gzip";
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    GIT_PROJECT_ROOT: args.projectRoot,
    GIT_HTTP_EXPORT_ALL: "1",
    PATH_INFO: decodeURIComponent(url.pathname),
    REQUEST_METHOD: req.method ?? "GET",
    QUERY_STRING: url.search.slice(1),
    CONTENT_TYPE: req.headers["content-type"] ?? "",
    REMOTE_ADDR: "127.0.0.1",
    GIT_CONFIG_NOSYSTEM: "1",
    HOME: args.projectRoot,
  };
  if (args.user) env.REMOTE_USER = args.user;
  if (!gzip && req.headers["content-length"]) env.CONTENT_LENGTH = req.headers["content-length"];
  const protocol = req.headers["git-protocol"];
  if (typeof protocol === "string") env.GIT_PROTOCOL = protocol;

  const cgi = spawn("git", ["http-backend"], { env, stdio: ["pipe", "pipe", "ignore"] });
  const fail = (): void => {
    if (!res.headersSent) res.writeHead(500).end("backend failed\n");
    else res.destroy();
  };
  cgi.on("error", fail);
  cgi.stdin.on("error", () => undefined);
  (gzip ? req.pipe(createGunzip()).on("error", fail) : req).pipe(cgi.stdin);
  res.on("close", () => {
    if (cgi.exitCode === null) cgi.kill();
  });

  let head = Buffer.alloc(0);
  let sent = 0;
  cgi.stdout.on("data", (chunk: Buffer) => {
    if (!res.headersSent) {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf("\r\n\r\n");
      if (end < 0) return;
      writeHead(res, head.subarray(0, end).toString("latin1"));
      chunk = head.subarray(end + 4);
    }
    if (args.truncate !== undefined && sent + chunk.length > args.truncate) {
      res.write(chunk.subarray(0, Math.max(0, args.truncate - sent)));
      res.destroy();
      cgi.kill();
      return;
    }
    sent += chunk.length;
    res.write(chunk);
  });
  cgi.stdout.on("end", () => (res.headersSent ? res.end() : fail()));
}

/** Writes the CGI response headers (with their `Status:` line) as the HTTP head. */
function writeHead(res: ServerResponse, head: string): void {
  let status = 200;
  const headers: Record<string, string> = {};
  for (const line of head.split("\r\n")) {
    const colon = line.indexOf(":");
    if (colon < 0) continue;
    const key = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    if (key.toLowerCase() === "status") status = Number.parseInt(value, 10) || 200;
    else headers[key] = value;
  }
  res.writeHead(status, headers);
}
