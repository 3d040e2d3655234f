import { createHash } from "node:crypto";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import semver from "semver";
import { parse } from "yaml";
import { GitError } from "../errors.js";
import { isMap } from "../model/index.js";
import type { ChartRepoPort, ChartVersion, RepoCredentials } from "../sync/ports.js";

/** One chart version as index.yaml lists it. */
interface IndexEntry {
  version: string;
  digest: string | undefined;
  urls: string[];
}

interface CachedIndex {
  fetchedAt: number;
  etag: string | undefined;
  charts: Map<string, IndexEntry[]>;
}

const MAX_INDEX_BYTES = 64 * 1024 * 1024;
const MAX_ARCHIVE_BYTES = 64 * 1024 * 1024;

/**
 * A Helm chart repository client: reads `index.yaml` (cached, revalidated
 * with its ETag), picks the newest version matching an exact version or a
 * semver range, and downloads chart archives once into the cache dir,
 * verified against the index's sha256 digest. Basic auth from the app's
 * Secret is sent only to the repository's own origin.
 */
export class ChartRepository implements ChartRepoPort {
  readonly #dir: string;
  readonly #timeoutMs: number;
  readonly #indexes = new Map<string, CachedIndex>();
  readonly #downloads = new Map<string, Promise<string>>();

  constructor(opts: { cacheDir: string; timeoutMs: number }) {
    this.#dir = path.join(opts.cacheDir, "charts");
    this.#timeoutMs = opts.timeoutMs;
  }

  async resolveChart(req: { repoURL: string; chart: string; version?: string | undefined; credentials?: RepoCredentials | undefined; since?: number }): Promise<ChartVersion> {
    const index = await this.#index(req.repoURL, req.credentials, req.since ?? Date.now());
    const entries = index.charts.get(req.chart);
    if (!entries?.length) {
      throw new GitError(`chart "${req.chart}" is not in the chart repository ${req.repoURL}; check spec.source.chart`, { code: "ChartNotFound", data: { chart: req.chart } });
    }
    const wanted = (req.version ?? "").trim();
    const versions = entries.map((e) => e.version).filter((v) => semver.valid(v));
    const exact = wanted !== "" && semver.valid(wanted) ? entries.find((e) => e.version === wanted || semver.eq(e.version, wanted, { loose: true })) : undefined;
    const best = exact?.version ?? (semver.valid(wanted) ? null : semver.maxSatisfying(versions, wanted === "" ? "*" : wanted));
    const entry = best ? entries.find((e) => e.version === best) : undefined;
    if (!entry) {
      throw new GitError(`no version of chart "${req.chart}" matches "${wanted || "*"}" (the repository has ${versions.slice(0, 10).join(", ")}${versions.length > 10 ? ", ..." : ""})`, {
        code: "ChartVersionNotFound",
        data: { chart: req.chart, version: wanted },
      });
    }
    const digest = entry.digest ?? (await this.#digestOf(req, entry));
    return { version: entry.version, digest };
  }

  async fetchChart(req: { repoURL: string; chart: string; version: string; digest: string; credentials?: RepoCredentials | undefined }): Promise<string> {
    const file = path.join(this.#dir, `${req.digest}.tgz`);
    try {
      await readFile(file, { flag: "r" }).then((b) => b.length); // present and readable
      return file;
    } catch {
      // not cached yet
    }
    const key = `${req.repoURL}|${req.chart}|${req.version}|${req.digest}`;
    let pending = this.#downloads.get(key);
    if (!pending) {
      pending = this.#download(req, file).finally(() => this.#downloads.delete(key));
      this.#downloads.set(key, pending);
    }
    return pending;
  }

  async #download(req: { repoURL: string; chart: string; version: string; digest: string; credentials?: RepoCredentials | undefined }, file: string): Promise<string> {
    const index = await this.#index(req.repoURL, req.credentials, 0);
    const entry = index.charts.get(req.chart)?.find((e) => e.version === req.version);
    if (!entry) throw new GitError(`chart "${req.chart}" version ${req.version} is no longer in ${req.repoURL}`, { code: "ChartVersionNotFound", data: { chart: req.chart, version: req.version } });
    const bytes = await this.#archive(req, entry);
    const digest = sha256(bytes);
    if (digest !== req.digest) {
      throw new GitError(`chart "${req.chart}" ${req.version}: the archive's sha256 ${digest} does not match ${req.digest}; the repository changed a published version`, {
        code: "ChartVersionNotFound",
        data: { chart: req.chart, version: req.version },
      });
    }
    await mkdir(this.#dir, { recursive: true });
    const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
    await writeFile(tmp, bytes);
    await rename(tmp, file);
    return file;
  }

  async #digestOf(req: { repoURL: string; chart: string; credentials?: RepoCredentials | undefined }, entry: IndexEntry): Promise<string> {
    return sha256(await this.#archive(req, entry));
  }

  async #archive(req: { repoURL: string; chart: string; credentials?: RepoCredentials | undefined }, entry: IndexEntry): Promise<Buffer> {
    const first = entry.urls[0];
    if (!first) throw new GitError(`chart "${req.chart}" ${entry.version} lists no download URL in index.yaml`, { code: "ChartVersionNotFound", data: { chart: req.chart } });
    const url = new URL(first, withSlash(req.repoURL));
    const res = await this.#get(url, req.repoURL, req.credentials, {});
    if (!res.ok) {
      throw new GitError(`downloading chart "${req.chart}" ${entry.version} failed: HTTP ${res.status}`, { code: "ChartVersionNotFound", data: { chart: req.chart, status: res.status } });
    }
    return readBounded(res, MAX_ARCHIVE_BYTES, `chart archive ${req.chart}-${entry.version}`);
  }

  async #index(repoURL: string, credentials: RepoCredentials | undefined, since: number): Promise<CachedIndex> {
    const key = `${repoURL}|${credentials?.username ?? ""}|${credentials?.password ? sha256(Buffer.from(credentials.password)).slice(0, 16) : ""}`;
    const cached = this.#indexes.get(key);
    if (cached && cached.fetchedAt >= since) return cached;
    const url = new URL("index.yaml", withSlash(repoURL));
    const fetchedAt = Date.now();
    const res = await this.#get(url, repoURL, credentials, cached?.etag ? { "if-none-match": cached.etag } : {});
    if (res.status === 304 && cached) {
      cached.fetchedAt = fetchedAt;
      return cached;
    }
    if (!res.ok) {
      const why = res.status === 401 || res.status === 403 ? "check the credentials in spec.source.secretRef" : "check spec.source.repoURL";
      throw new GitError(`reading ${redact(url)} failed: HTTP ${res.status}; ${why}`, { code: "ChartNotFound", data: { status: res.status } });
    }
    const text = (await readBounded(res, MAX_INDEX_BYTES, "index.yaml")).toString("utf8");
    const fresh: CachedIndex = { fetchedAt, etag: res.headers.get("etag") ?? undefined, charts: parseIndex(text, repoURL) };
    this.#indexes.set(key, fresh);
    return fresh;
  }

  async #get(url: URL, repoURL: string, credentials: RepoCredentials | undefined, headers: Record<string, string>): Promise<Response> {
    const sameOrigin = url.origin === new URL(repoURL).origin;
    const auth: Record<string, string> = {};
    if (sameOrigin && credentials?.username !== undefined && credentials.password !== undefined) {
      auth.authorization = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString("base64")}`;
    } else if (sameOrigin && credentials?.bearerToken) {
      auth.authorization = `Bearer ${credentials.bearerToken}`;
    }
    try {
      return await fetch(url, { headers: { ...headers, ...auth }, signal: AbortSignal.timeout(this.#timeoutMs), redirect: "follow" });
    } catch (err) {
      throw new GitError(`cannot reach the chart repository ${redact(url)}: ${(err as Error).message}`, { code: "ChartNotFound", cause: err });
    }
  }
}

function parseIndex(text: string, repoURL: string): Map<string, IndexEntry[]> {
  let doc: unknown;
  try {
    doc = parse(text, { maxAliasCount: 100 });
  } catch (err) {
    throw new GitError(`index.yaml of ${repoURL} does not parse: ${(err as Error).message}`, { code: "ChartNotFound", cause: err });
  }
  const charts = new Map<string, IndexEntry[]>();
  const entries = isMap(doc) && isMap(doc.entries) ? doc.entries : {};
  for (const [name, list] of Object.entries(entries)) {
    if (!Array.isArray(list)) continue;
    charts.set(
      name,
      list.filter(isMap).filter((e) => typeof e.version === "string").map((e) => ({
        version: e.version as string,
        digest: typeof e.digest === "string" && /^[0-9a-f]{64}$/i.test(e.digest) ? e.digest.toLowerCase() : undefined,
        urls: Array.isArray(e.urls) ? e.urls.filter((u): u is string => typeof u === "string") : [],
      })),
    );
  }
  return charts;
}

async function readBounded(res: Response, limit: number, what: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  if (!res.body) return Buffer.alloc(0);
  for await (const chunk of res.body) {
    size += (chunk as Uint8Array).length;
    if (size > limit) throw new GitError(`${what} is over ${limit} bytes`, { code: "ChartNotFound" });
    chunks.push(Buffer.from(chunk as Uint8Array));
  }
  return Buffer.concat(chunks);
}

function sha256(bytes: Buffer): string {
  return createHash("sha256").update(bytes).digest("hex");
}

function withSlash(url: string): string {
  return url.endsWith("/") ? url : `${url}/`;
}

function redact(url: URL): string {
  const u = new URL(url);
  u.username = "";
  u.password = "";
  return u.toString();
}
