import { accessSync, constants, statSync } from "node:fs";
import { isIP } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, isAbsolute, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ConfigError } from "./errors.js";

/** Every setting of `plumb operator`, validated once at start. */
export interface OperatorConfig {
  kubeconfig?: string;
  /** A ServiceAccount token directory (token, ca.crt) used with `server`. */
  serviceAccountDir?: string;
  server?: string;
  listen: { host: string; port: number };
  /** Only watch Applications in this namespace (default: all). */
  namespace?: string;
  leaderElect: boolean;
  leaseName: string;
  leaseNamespace: string;
  leaseDurationSeconds: number;
  renewDeadlineSeconds: number;
  retryPeriodSeconds: number;
  /** Applications reconciled in parallel. */
  concurrency: number;
  /** Where Git caches and worktrees live (must be writable). */
  cacheDir: string;
  gitTimeoutSeconds: number;
  logLevel: "trace" | "debug" | "info" | "warn" | "error" | "fatal" | "silent";
  apiAuth: "kubernetes" | "none";
  webhookSecret?: string;
  /** Identity of this replica in the Lease. */
  identity: string;
  /**
   * Namespaces whose Applications are applied with the operator's own rights;
   * "*" trusts every namespace (single-tenant clusters). Apps elsewhere are
   * applied as a ServiceAccount of their own namespace.
   */
  trustedNamespaces: string[] | "*";
  /** The ServiceAccount an untrusted app without `spec.serviceAccountName` is applied as. */
  defaultServiceAccount: string;
  /** Directory of the built dashboard (index.html, assets/). */
  uiDir: string;
  /** The kustomize and helm binaries and the bounds of one render. */
  tools: ToolConfig;
}

/** Where the render tools are and how long and how much one render may take. */
export interface ToolConfig {
  kustomizeBin: string | undefined;
  helmBin: string | undefined;
  /** PATH handed to the tools. */
  searchPath: string;
  timeoutMs: number;
  maxOutputBytes: number;
}

/**
 * The dashboard built by `npm run build`: dist/ui of the package, found the
 * same way from src/ (tests) and from dist/ (the built CLI and the image).
 */
export const PACKAGED_UI_DIR = fileURLToPath(new URL("../dist/ui/", import.meta.url));

/** Flag names (kebab-case); each also reads PLUMB_<FLAG> from the environment. */
export const OPERATOR_FLAGS = [
  "kubeconfig", "service-account-dir", "server", "listen", "namespace", "leader-elect", "lease-name",
  "lease-namespace", "lease-duration", "renew-deadline", "retry-period", "concurrency", "cache-dir",
  "git-timeout", "log-level", "api-auth", "webhook-secret", "identity", "trusted-namespaces",
  "default-service-account", "kustomize-bin", "helm-bin", "render-timeout", "render-max-bytes", "ui-dir",
] as const;

type Raw = Partial<Record<(typeof OPERATOR_FLAGS)[number], string>>;

/**
 * Builds the config from flags, then PLUMB_* environment variables, then
 * defaults. Throws ConfigError with one clear line on anything invalid.
 * The only place that reads process.env.
 */
export function loadOperatorConfig(flags: Raw, env: NodeJS.ProcessEnv = process.env): OperatorConfig {
  const get = (f: (typeof OPERATOR_FLAGS)[number]): string | undefined =>
    flags[f] ?? env[`PLUMB_${f.toUpperCase().replaceAll("-", "_")}`] ?? undefined;
  const listen = parseListen(get("listen") ?? "127.0.0.1:8080");
  const apiAuth = oneOf("api-auth", get("api-auth") ?? "kubernetes", ["kubernetes", "none"] as const);
  if (apiAuth === "none" && !isLoopback(listen.host)) {
    throw new ConfigError(`PLUMB_API_AUTH=none is refused unless --listen is a loopback address (got ${listen.host}); use 127.0.0.1`);
  }
  const inPod = !!env.KUBERNETES_SERVICE_HOST;
  const podNamespace = env.POD_NAMESPACE;
  const cfg: OperatorConfig = {
    listen,
    leaderElect: bool("leader-elect", get("leader-elect") ?? "true"),
    leaseName: get("lease-name") ?? "plumb-leader",
    leaseNamespace: get("lease-namespace") ?? podNamespace ?? get("namespace") ?? "default",
    leaseDurationSeconds: int("lease-duration", get("lease-duration") ?? "15", 2, 3600),
    renewDeadlineSeconds: int("renew-deadline", get("renew-deadline") ?? "10", 1, 3600),
    retryPeriodSeconds: int("retry-period", get("retry-period") ?? "2", 1, 600),
    concurrency: int("concurrency", get("concurrency") ?? "8", 1, 256),
    cacheDir: get("cache-dir") ?? join(inPod ? "/tmp" : tmpdir(), "plumb-cache"),
    gitTimeoutSeconds: int("git-timeout", get("git-timeout") ?? "60", 1, 3600),
    logLevel: oneOf("log-level", get("log-level") ?? "info", ["trace", "debug", "info", "warn", "error", "fatal", "silent"] as const),
    apiAuth,
    identity: get("identity") ?? env.POD_NAME ?? env.HOSTNAME ?? `plumb-${process.pid}`,
    trustedNamespaces: trusted(get("trusted-namespaces") ?? (inPod ? podNamespace : undefined) ?? get("namespace") ?? podNamespace ?? "plumb-system"),
    defaultServiceAccount: dnsName("default-service-account", get("default-service-account") ?? "default", 253),
    tools: {
      ...renderToolBins({ kustomizeBin: get("kustomize-bin"), helmBin: get("helm-bin") }, env),
      timeoutMs: int("render-timeout", get("render-timeout") ?? "60", 1, 3600) * 1000,
      maxOutputBytes: int("render-max-bytes", get("render-max-bytes") ?? String(32 * 1024 * 1024), 1024, 1024 * 1024 * 1024),
    },
    uiDir: get("ui-dir") ?? PACKAGED_UI_DIR,
  };
  if (cfg.renewDeadlineSeconds >= cfg.leaseDurationSeconds) {
    throw new ConfigError(`--renew-deadline (${cfg.renewDeadlineSeconds}s) must be shorter than --lease-duration (${cfg.leaseDurationSeconds}s)`);
  }
  const optional = { kubeconfig: get("kubeconfig"), serviceAccountDir: get("service-account-dir"), server: get("server"), namespace: get("namespace"), webhookSecret: get("webhook-secret") };
  for (const [k, v] of Object.entries(optional)) if (v) (cfg as unknown as Record<string, unknown>)[k] = v;
  return cfg;
}

/** `--trusted-namespaces`: "*" or a comma-separated list of namespace names. */
function trusted(text: string): string[] | "*" {
  if (text.trim() === "*") return "*";
  const names = text.split(",").map((n) => n.trim()).filter(Boolean);
  if (!names.length) throw new ConfigError(`--trusted-namespaces must name at least one namespace, or "*" to trust all (single-tenant clusters)`);
  return names.map((n) => dnsName("trusted-namespaces", n, 63));
}

/** A Kubernetes object name (lower-case DNS label or subdomain). */
function dnsName(flag: string, text: string, max: number): string {
  if (text.length > max || !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(text) || (max === 63 && text.includes("."))) {
    throw new ConfigError(`--${flag}: "${text}" is not a valid Kubernetes name`);
  }
  return text;
}

/** The binaries `make tools` links into the repository (absent in the image, which has them on PATH). */
const BUILT_TOOLS = resolve(import.meta.dirname, "../.cache/tools/bin");

/**
 * Finds kustomize and helm: the flag or PLUMB_KUSTOMIZE_BIN / PLUMB_HELM_BIN
 * (must be an executable file), else PATH, else the ones `make tools`
 * built. Undefined when none is found; a render needing it then fails
 * with a message saying how to get it.
 */
export function renderToolBins(flags: { kustomizeBin?: string | undefined; helmBin?: string | undefined }, env: NodeJS.ProcessEnv = process.env): Pick<ToolConfig, "kustomizeBin" | "helmBin" | "searchPath"> {
  const searchPath = env.PATH ?? "/usr/local/bin:/usr/bin:/bin";
  const find = (name: "kustomize" | "helm", explicit: string | undefined): string | undefined => {
    const given = explicit ?? env[`PLUMB_${name.toUpperCase()}_BIN`];
    if (given) {
      const path = resolve(given);
      if (!isExecutableFile(path)) throw new ConfigError(`--${name}-bin ${given} is not an executable file`);
      return path;
    }
    for (const dir of searchPath.split(delimiter)) {
      if (dir && isAbsolute(dir) && isExecutableFile(join(dir, name))) return join(dir, name);
    }
    const built = join(BUILT_TOOLS, name);
    return isExecutableFile(built) ? built : undefined;
  };
  return { kustomizeBin: find("kustomize", flags.kustomizeBin), helmBin: find("helm", flags.helmBin), searchPath };
}

function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function parseListen(text: string): { host: string; port: number } {
  const m = /^(\[[^\]]+\]|[^:]*):(\d+)$/.exec(text);
  if (!m) throw new ConfigError(`--listen must be HOST:PORT, got "${text}"`);
  const port = Number(m[2]);
  if (port > 65535) throw new ConfigError(`--listen port ${port} is out of range`);
  return { host: (m[1] || "0.0.0.0").replace(/^\[|\]$/g, ""), port };
}

/** Whether a listen host is loopback only. */
export function isLoopback(host: string): boolean {
  if (host === "localhost") return true;
  if (isIP(host) === 4) return host.startsWith("127.");
  return host === "::1";
}

function int(name: string, text: string, min: number, max: number): number {
  const n = Number(text.replace(/s$/, ""));
  if (!Number.isInteger(n) || n < min || n > max) throw new ConfigError(`--${name} must be an integer between ${min} and ${max}, got "${text}"`);
  return n;
}

function bool(name: string, text: string): boolean {
  if (["true", "1", "yes"].includes(text)) return true;
  if (["false", "0", "no"].includes(text)) return false;
  throw new ConfigError(`--${name} must be true or false, got "${text}"`);
}

function oneOf<T extends string>(name: string, text: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(text)) throw new ConfigError(`--${name} must be one of ${allowed.join(", ")}, got "${text}"`);
  return text as T;
}

/** Settings of `plumb app`: where the API is and which token to send. */
export interface AppClientConfig {
  /** Base URL of Plumb's HTTP API, e.g. http://127.0.0.1:8080. */
  server: string;
  /** Bearer token; undefined: the current kubeconfig user's token, if it has one. */
  token?: string;
  /** Kubeconfig to take the token from ($KUBECONFIG, else ~/.kube/config). */
  kubeconfig?: string;
}

/**
 * `plumb app` settings from flags, then PLUMB_SERVER / PLUMB_TOKEN /
 * KUBECONFIG, then defaults; throws ConfigError on a server that is not an
 * http(s) URL.
 */
export function loadAppClientConfig(flags: { server?: string; token?: string; kubeconfig?: string }, env: NodeJS.ProcessEnv = process.env): AppClientConfig {
  const server = (flags.server ?? env.PLUMB_SERVER ?? "http://127.0.0.1:8080").replace(/\/+$/, "");
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    throw new ConfigError(`--server must be a URL like http://127.0.0.1:8080, got "${server}"`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new ConfigError(`--server must be an http(s) URL, got "${server}"`);
  const cfg: AppClientConfig = { server };
  const token = flags.token ?? env.PLUMB_TOKEN;
  if (token) cfg.token = token;
  const kubeconfig = flags.kubeconfig ?? env.KUBECONFIG?.split(":")[0];
  if (kubeconfig) cfg.kubeconfig = kubeconfig;
  return cfg;
}
