/**
 * Just enough of a Dockerfile interpreter to run an image build without a
 * container engine: each stage gets a directory standing in for its root
 * filesystem; COPY copies (honouring .dockerignore), RUN runs the same shell
 * command there. Instructions it does not know fail loudly, so the test that
 * uses it cannot silently drift from the Dockerfile.
 */
import { execFile } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { basename, isAbsolute, join, relative } from "node:path";

/** One instruction, continuation lines joined. */
export interface Instruction {
  line: number;
  keyword: string;
  args: string;
}

/** A build stage. */
export interface Stage {
  name: string;
  from: string;
  instructions: Instruction[];
}

/** Splits a Dockerfile into global ARGs and stages, resolving ${ARG} in FROM. */
export function parseDockerfile(text: string): { args: Record<string, string>; stages: Stage[] } {
  const args: Record<string, string> = {};
  const stages: Stage[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    let line = lines[i]!;
    if (/^\s*(#|$)/.test(line)) continue;
    while (line.endsWith("\\") && i + 1 < lines.length) line = line.slice(0, -1) + " " + lines[++i]!.replace(/^\s*#.*$/, "");
    const m = /^\s*(\w+)\s+(.*)$/.exec(line);
    if (!m) throw new Error(`Dockerfile:${start + 1}: cannot parse "${line}"`);
    const ins = { line: start + 1, keyword: m[1]!.toUpperCase(), args: m[2]!.trim() };
    if (ins.keyword === "FROM") {
      const [image = "", as, name] = ins.args.replace(/\$\{(\w+)\}|\$(\w+)/g, (_s, a: string, b: string) => args[a ?? b] ?? "").split(/\s+/);
      stages.push({ name: as?.toUpperCase() === "AS" && name ? name : String(stages.length), from: image, instructions: [] });
    } else if (ins.keyword === "ARG" && !stages.length) {
      const [k = "", v = ""] = ins.args.split("=");
      args[k] = v;
    } else {
      if (!stages.length) throw new Error(`Dockerfile:${ins.line}: ${ins.keyword} before FROM`);
      stages.at(-1)!.instructions.push(ins);
    }
  }
  return { args, stages };
}

/** Whether a context path (relative, "/"-separated) is excluded by .dockerignore patterns. */
export function isIgnored(path: string, patterns: string[]): boolean {
  let ignored = false;
  for (const raw of patterns) {
    const negate = raw.startsWith("!");
    const p = (negate ? raw.slice(1) : raw).replace(/^\/+|\/+$/g, "");
    const re = new RegExp(`^${p.split("**").map((part) => part.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[^/]*").replace(/\?/g, "[^/]")).join(".*")}(/.*)?$`);
    if (re.test(path)) ignored = !negate;
  }
  return ignored;
}

/** The result of a simulated build. */
export interface SimulatedImage {
  /** Directory standing in for the final stage's root filesystem. */
  root: string;
  workdir: string;
  env: Record<string, string>;
  user: string | undefined;
  entrypoint: string[];
}

/**
 * Builds every stage in order under `outDir`: COPY from `context` (minus
 * .dockerignore) or `--from` an earlier stage, RUN with `/bin/sh -c` in the
 * stage's WORKDIR with `env` (PATH etc.) plus the stage's ENV.
 */
export async function simulateBuild(opts: { dockerfile: string; context: string; outDir: string; env: NodeJS.ProcessEnv; log?: (s: string) => void }): Promise<SimulatedImage> {
  const { stages } = parseDockerfile(readFileSync(opts.dockerfile, "utf8"));
  const ignoreFile = join(opts.context, ".dockerignore");
  const ignore = existsSync(ignoreFile) ? readFileSync(ignoreFile, "utf8").split("\n").map((l) => l.trim()).filter((l) => l && !l.startsWith("#")) : [];
  const roots = new Map<string, string>();
  let image: SimulatedImage | undefined;
  for (const [i, stage] of stages.entries()) {
    const root = join(opts.outDir, `stage-${i}-${stage.name}`);
    roots.set(stage.name, root);
    const st: SimulatedImage = { root, workdir: "/", env: {}, user: undefined, entrypoint: [] };
    const inRoot = (p: string) => join(root, isAbsolute(p) ? p : join(st.workdir, p));
    for (const ins of stage.instructions) {
      const where = `Dockerfile:${ins.line}`;
      switch (ins.keyword) {
        case "WORKDIR":
          st.workdir = isAbsolute(ins.args) ? ins.args : join(st.workdir, ins.args);
          mkdirSync(inRoot("."), { recursive: true });
          break;
        case "ENV":
          for (const m of ins.args.matchAll(/(\w+)=("[^"]*"|\S+)/g)) st.env[m[1]!] = m[2]!.replace(/^"|"$/g, "");
          break;
        case "COPY": {
          const words = ins.args.split(/\s+/);
          const from = words.find((w) => w.startsWith("--from="))?.slice(7);
          const [dest = "", ...srcs] = words.filter((w) => !w.startsWith("--")).reverse();
          const srcRoot = from ? roots.get(from) : opts.context;
          if (!srcRoot) throw new Error(`${where}: COPY --from=${from} names no earlier stage`);
          for (const src of srcs.reverse()) {
            const abs = join(srcRoot, src);
            if (!from && isIgnored(relative(opts.context, abs), ignore)) throw new Error(`${where}: COPY ${src} is excluded by .dockerignore`);
            if (!existsSync(abs)) throw new Error(`${where}: COPY source ${src} does not exist`);
            const target = dest.endsWith("/") || srcs.length > 1 ? join(inRoot(dest), basename(src)) : inRoot(dest);
            const dir = statSync(abs).isDirectory();
            cpSync(abs, dir ? inRoot(dest) : target, { recursive: true, filter: (f) => from !== undefined || !isIgnored(relative(opts.context, f), ignore) });
          }
          break;
        }
        case "RUN":
          opts.log?.(`[${stage.name}] RUN ${ins.args}`);
          await run(ins.args, { cwd: inRoot("."), env: { ...opts.env, ...st.env } }).catch((err: Error) => {
            throw new Error(`${where}: RUN ${ins.args} failed: ${err.message}`);
          });
          break;
        case "USER":
          st.user = ins.args;
          break;
        case "ENTRYPOINT":
          st.entrypoint = JSON.parse(ins.args) as string[];
          break;
        case "LABEL":
        case "EXPOSE":
        case "ARG":
          break;
        default:
          throw new Error(`${where}: the build simulation does not know ${ins.keyword}; teach test/support/dockerfile.ts`);
      }
    }
    image = st;
  }
  if (!image) throw new Error("Dockerfile has no stage");
  return image;
}

function run(command: string, opts: { cwd: string; env: NodeJS.ProcessEnv }): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile("/bin/sh", ["-c", command], { ...opts, maxBuffer: 64 << 20, timeout: 600_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${err.message}\n${stdout.slice(-2000)}\n${stderr.slice(-4000)}`));
      else resolve(stdout);
    });
  });
}
