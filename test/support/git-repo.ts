/**
 * Git CLI operations behind the test Git server: commits through a working
 * clone, branch resets and tags directly in the bare repository.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod, mkdir, rm, symlink, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";

/** What to commit. */
export interface CommitOptions {
  /** Path → content; null deletes the path. */
  files: Record<string, string | Buffer | null>;
  /** Path → symlink target (relative or absolute, as written). */
  symlinks?: Record<string, string>;
  /** Paths (among `files`) to commit with the executable bit (mode 100755). */
  executable?: string[];
  message?: string;
  /** Default "main". */
  branch?: string;
}

/** A tag to create; annotated when `message` is given. */
export interface TagOptions {
  tag: string;
  /** Commit to tag; default the tip of main. */
  target?: string;
  message?: string;
}

const IDENTITY = {
  GIT_AUTHOR_NAME: "Plumb Test",
  GIT_AUTHOR_EMAIL: "test@plumb.dev",
  GIT_COMMITTER_NAME: "Plumb Test",
  GIT_COMMITTER_EMAIL: "test@plumb.dev",
};

/** Runs git with a fixed identity and no user or system config; resolves stdout. */
export function git(args: string[], cwd?: string, extraEnv: Record<string, string> = {}): Promise<string> {
  const env = { ...process.env, ...IDENTITY, GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null", ...extraEnv };
  return new Promise((resolve, reject) => {
    execFile("git", args, { cwd, env, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`git ${args.join(" ")} failed: ${stderr.trim() || err.message}`, { cause: err }));
      else resolve(stdout.trim());
    });
  });
}

/**
 * Commits in a working clone of `bare` and pushes to it (file transport, so
 * injected HTTP faults and counters are unaffected). `base` undefined commits
 * on the branch tip; a SHA or null (new root) rewrites history with a force push.
 */
export async function commitFiles(opts: CommitOptions & { bare: string; work: string; base?: string | null }): Promise<string> {
  const { bare, work } = opts;
  const branch = opts.branch ?? "main";
  if (!existsSync(join(work, ".git"))) {
    await mkdir(dirname(work), { recursive: true });
    await git(["clone", "--quiet", bare, work]);
  }
  await git(["fetch", "--quiet", "--force", "--prune", "origin", "+refs/heads/*:refs/remotes/origin/*"], work);
  const remoteRefs = (await git(["for-each-ref", "--format=%(refname)", "refs/remotes/origin/"], work))
    .split("\n")
    .filter((ref) => ref && !ref.endsWith("/HEAD"));
  const tracking = `refs/remotes/origin/${branch}`;
  const start =
    opts.base !== undefined ? opts.base : remoteRefs.includes(tracking) ? tracking : (remoteRefs[0] ?? null);
  if (start === null) {
    await git(["checkout", "--quiet", "--orphan", `plumb-tmp-${Date.now()}`], work);
    await git(["rm", "-rf", "--quiet", "--ignore-unmatch", "."], work);
  } else {
    await git(["checkout", "--quiet", "-f", "--detach", start], work);
  }
  await git(["clean", "-fdxq"], work);
  for (const [path, content] of Object.entries(opts.files)) {
    const file = join(work, path);
    if (content === null) {
      await rm(file, { recursive: true, force: true });
      continue;
    }
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, content);
    await chmod(file, opts.executable?.includes(path) ? 0o755 : 0o644);
  }
  for (const [path, target] of Object.entries(opts.symlinks ?? {})) {
    const file = join(work, path);
    await mkdir(dirname(file), { recursive: true });
    await rm(file, { force: true });
    await symlink(target, file);
  }
  await git(["add", "-A"], work);
  await git(["commit", "--quiet", "--allow-empty", "-m", opts.message ?? "update"], work);
  await git(["push", "--quiet", "--force", "origin", `HEAD:refs/heads/${branch}`], work);
  return git(["rev-parse", "HEAD"], work);
}

/** Force-moves `refs/heads/<branch>` in a bare repository to `to`. */
export async function resetRef(bare: string, branch: string, to: string): Promise<void> {
  await git(["update-ref", `refs/heads/${branch}`, to], bare);
}

/** Creates a tag in a bare repository and returns the oid the tag ref points at. */
export async function tagRef(bare: string, opts: TagOptions): Promise<string> {
  const target = opts.target ?? "refs/heads/main";
  const args = opts.message ? ["tag", "-f", "-a", "-m", opts.message, opts.tag, target] : ["tag", "-f", opts.tag, target];
  await git(args, bare);
  return git(["rev-parse", `refs/tags/${opts.tag}`], bare);
}
