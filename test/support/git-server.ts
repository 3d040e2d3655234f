/**
 * A real Git server for tests, the demo and benchmarks: `git http-backend`
 * (smart HTTP over CGI) behind a small node:http server on loopback, with
 * optional basic or bearer auth, request counters and fault injection.
 * Plain erasable TypeScript so Node 24 can run it directly.
 */
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { authenticate, runBackend, type GitServerAuth } from "./git-backend.js";
import { commitFiles, git, resetRef, tagRef, type CommitOptions, type TagOptions } from "./git-repo.js";

export type { CommitOptions, GitServerAuth, TagOptions };

/**
 * Injected failure: "500" answers every request 500, "hang" never answers,
 * "truncate" cuts upload-pack responses after `truncateBytes`, "down" closes
 * the listener so connections are refused (null reopens it on the same port).
 */
export type GitServerFault = null | "500" | "hang" | "truncate" | "down";

/** A running test Git server. */
export interface GitServer {
  /** Base URL, e.g. http://127.0.0.1:41234 (no trailing slash). */
  readonly url: string;
  /** Directory holding the bare repositories (`<root>/repos/<name>.git`). */
  readonly root: string;
  /** HTTP requests served since start or the last resetCounters(). */
  readonly requests: number;
  /** Requests per URL path (e.g. "/app.git/info/refs"). */
  readonly requestsByPath: ReadonlyMap<string, number>;
  /** Clone URL of a repository. */
  repoURL(name: string): string;
  /** Creates an empty bare repository (default branch main) and returns its URL. */
  createRepo(name: string, opts?: { defaultBranch?: string }): Promise<string>;
  /** Commits files (null deletes) on a branch and returns the new commit SHA. */
  commit(name: string, opts: CommitOptions): Promise<string>;
  /** Commits on top of `base` (or as a new root) and force-moves the branch there: rewritten history. */
  forcePush(name: string, opts: CommitOptions & { base?: string }): Promise<string>;
  /** Moves a branch to an existing commit (force). */
  resetBranch(name: string, opts: { branch?: string; to: string }): Promise<void>;
  /** Creates a lightweight tag, or an annotated one when `message` is given; returns the tag ref's oid. */
  tag(name: string, opts: TagOptions): Promise<string>;
  /** Injects a fault; null clears it. */
  setFault(fault: GitServerFault, opts?: { truncateBytes?: number }): Promise<void>;
  /** Zeroes the request counters. */
  resetCounters(): void;
  /** Stops the server and removes a temporary root. */
  stop(): Promise<void>;
}

/** Starts a Git server on 127.0.0.1 (port 0 = any free port unless `port` is set). */
export async function startGitServer(
  opts: { auth?: GitServerAuth; root?: string; port?: number } = {},
): Promise<GitServer> {
  const ownRoot = opts.root === undefined;
  const root = opts.root ?? (await mkdtemp(join(tmpdir(), "plumb-git-")));
  const reposDir = join(root, "repos");
  await mkdir(reposDir, { recursive: true });
  const byPath = new Map<string, number>();
  const sockets = new Set<Socket>();
  const locks = new Map<string, Promise<unknown>>();
  let requests = 0;
  let fault: GitServerFault = null;
  let truncateBytes = 256;
  let server: Server = createServer((req, res) => handle(req, res));
  let port = 0;

  const track = (s: Server): void => {
    s.on("connection", (sock) => {
      sockets.add(sock);
      sock.on("close", () => sockets.delete(sock));
    });
  };
  const listen = async (s: Server, p: number): Promise<number> => {
    track(s);
    await new Promise<void>((resolve, reject) => {
      s.once("error", reject);
      s.listen(p, "127.0.0.1", () => resolve());
    });
    const addr = s.address();
    return typeof addr === "object" && addr ? addr.port : p;
  };
  const close = async (): Promise<void> => {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const sock of sockets) sock.destroy();
    await closed;
  };
  const serialized = <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    const next = (locks.get(name) ?? Promise.resolve()).then(fn, fn);
    locks.set(name, next.catch(() => undefined));
    return next;
  };
  const bare = (name: string): string => join(reposDir, `${name}.git`);
  const workDir = (name: string): string => join(root, "work", name);

  function handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? "/", "http://x");
    requests++;
    byPath.set(url.pathname, (byPath.get(url.pathname) ?? 0) + 1);
    if (fault === "hang") return;
    if (fault === "500") return void res.writeHead(500).end("injected fault\n");
    const user = authenticate(req.headers.authorization, opts.auth);
    if (user === undefined) {
      const scheme = opts.auth && "bearerToken" in opts.auth ? "Bearer" : "Basic";
      res.writeHead(401, { "WWW-Authenticate": `${scheme} realm="plumb-test"` }).end("unauthorized\n");
      return;
    }
    const truncate = fault === "truncate" && url.pathname.endsWith("/git-upload-pack") ? truncateBytes : undefined;
    runBackend({ req, res, url, user, projectRoot: reposDir, truncate });
  }

  port = await listen(server, opts.port ?? 0);
  const base = `http://127.0.0.1:${port}`;

  return {
    url: base,
    root,
    get requests() {
      return requests;
    },
    requestsByPath: byPath,
    repoURL: (name) => `${base}/${name}.git`,
    async createRepo(name, o = {}) {
      const dir = bare(name);
      await git(["init", "--quiet", "--bare", `--initial-branch=${o.defaultBranch ?? "main"}`, dir]);
      await git(["config", "http.receivepack", "true"], dir);
      await git(["config", "uploadpack.allowFilter", "true"], dir);
      return `${base}/${name}.git`;
    },
    commit: (name, o) => serialized(name, () => commitFiles({ bare: bare(name), work: workDir(name), ...o })),
    forcePush: (name, o) =>
      serialized(name, () => commitFiles({ bare: bare(name), work: workDir(name), ...o, base: o.base ?? null })),
    resetBranch: (name, o) => serialized(name, () => resetRef(bare(name), o.branch ?? "main", o.to)),
    tag: (name, o) => serialized(name, () => tagRef(bare(name), o)),
    async setFault(next, o = {}) {
      truncateBytes = o.truncateBytes ?? truncateBytes;
      if (next === fault) return;
      if (next === "down") await close();
      if (fault === "down") {
        server = createServer((req, res) => handle(req, res));
        await listen(server, port);
      }
      if (fault === "hang") for (const sock of sockets) sock.destroy();
      fault = next;
    },
    resetCounters() {
      requests = 0;
      byPath.clear();
    },
    async stop() {
      if (fault !== "down") await close();
      if (ownRoot) await rm(root, { recursive: true, force: true });
    },
  };
}
