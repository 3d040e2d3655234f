/**
 * A Helm chart repository for tests: `helm package` + `helm repo index`
 * (the real helm) into a directory served over HTTP on 127.0.0.1 with basic
 * auth, counting requests.
 */
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, normalize } from "node:path";
import { HELM } from "./sources.js";

/** A running chart repository. */
export interface ChartServer {
  url: string;
  requests: number;
  /** Packages chart files (paths relative to the chart) as `name` `version` and re-indexes. */
  publish(files: Record<string, string>): Promise<void>;
  stop(): Promise<void>;
}

function helm(args: string[], home: string): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(HELM, args, { env: { PATH: process.env.PATH ?? "", HOME: home, HELM_CACHE_HOME: join(home, "c"), HELM_CONFIG_HOME: join(home, "f"), HELM_DATA_HOME: join(home, "d") } }, (err, stdout, stderr) =>
      err ? reject(new Error(`helm ${args.join(" ")}: ${stderr}`)) : resolve(stdout),
    ),
  );
}

/** Starts a chart repository requiring `auth` (basic) on 127.0.0.1. */
export async function startChartServer(auth: { username: string; password: string }): Promise<ChartServer> {
  const root = mkdtempSync(join(tmpdir(), "plumb-charts-"));
  const repo = join(root, "repo");
  mkdirSync(repo);
  const expected = `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString("base64")}`;
  const state = { requests: 0 };
  const server = createServer((req, res) => {
    state.requests++;
    if (req.headers.authorization !== expected) {
      res.writeHead(401, { "www-authenticate": 'Basic realm="charts"' }).end("unauthorized");
      return;
    }
    const path = normalize(decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname)).replace(/^\/+/, "");
    try {
      const body = readFileSync(join(repo, path));
      res.writeHead(200, { "content-type": path.endsWith(".yaml") ? "text/yaml" : "application/gzip" }).end(body);
    } catch {
      res.writeHead(404).end("not found");
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let n = 0;
  return {
    url,
    get requests() {
      return state.requests;
    },
    async publish(files) {
      const src = join(root, `src-${n++}`);
      for (const [rel, text] of Object.entries(files)) {
        mkdirSync(dirname(join(src, rel)), { recursive: true });
        writeFileSync(join(src, rel), text);
      }
      await helm(["package", src, "-d", repo], root);
      await helm(["repo", "index", repo, "--url", url], root);
    },
    stop: () => new Promise<void>((resolve) => server.close(() => (rmSync(root, { recursive: true, force: true }), resolve()))),
  };
}
