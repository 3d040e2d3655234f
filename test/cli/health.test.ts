import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough, Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { runHealth } from "../../src/cli/health.js";
import { loadFixture } from "../health/fixtures.js";
import { scratchDir } from "../support/scratch.js";

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  lines: Record<string, unknown>[];
}

async function plumbHealth(args: string[], stdin = ""): Promise<Run> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: string[] = [];
  const err: string[] = [];
  stdout.on("data", (chunk: Buffer) => out.push(chunk.toString()));
  stderr.on("data", (chunk: Buffer) => err.push(chunk.toString()));
  const code = await runHealth(args, { stdin: Readable.from([stdin]), stdout, stderr });
  const text = out.join("");
  const lines = text
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { code, stdout: text, stderr: err.join(""), lines };
}

function tempFile(name: string, content: string): string {
  const path = join(scratchDir("plumb-health-"), name);
  writeFileSync(path, content);
  return path;
}

const deploymentYaml = stringify(loadFixture("deployment-degraded.yaml"));
const podYaml = stringify(loadFixture("pod-healthy.yaml"));
const namespaceYaml = stringify(loadFixture("namespace-active.yaml"));

describe("plumb health", () => {
  it("prints one JSON line per object of a multi-document YAML stream and exits 0 even when unhealthy", async () => {
    const run = await plumbHealth(["-"], `${deploymentYaml}---\n${podYaml}`);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe("");
    expect(run.lines).toEqual([
      {
        kind: "Deployment",
        name: "web",
        namespace: "guestbook",
        status: "Degraded",
        message: 'Deployment exceeded its progress deadline (ProgressDeadlineExceeded: ReplicaSet "web-5f8d7c9b4" has timed out progressing.)',
      },
      { kind: "Pod", name: "web-7d9c8b6f5d-8xk2p", namespace: "guestbook", status: "Healthy", message: "Pod is running and ready" },
    ]);
  });

  it("leaves out the namespace of a cluster-scoped object", async () => {
    const run = await plumbHealth(["-"], namespaceYaml);
    expect(run.stdout).toBe('{"kind":"Namespace","name":"guestbook","status":"Healthy","message":"Namespace is Active"}\n');
  });

  it("reads a file given by path", async () => {
    const run = await plumbHealth([tempFile("pod.yaml", podYaml)]);
    expect(run.code).toBe(0);
    expect(run.lines).toHaveLength(1);
    expect(run.lines[0]).toMatchObject({ kind: "Pod", status: "Healthy" });
  });

  it("unpacks a kind: List as kubectl get -o json prints it", async () => {
    const list = {
      apiVersion: "v1",
      kind: "List",
      metadata: { resourceVersion: "" },
      items: [loadFixture("deployment-healthy.yaml"), loadFixture("pod-crashloop.yaml")],
    };
    const run = await plumbHealth(["-"], JSON.stringify(list, null, 2));
    expect(run.code).toBe(0);
    expect(run.lines.map((l) => [l.kind, l.status])).toEqual([
      ["Deployment", "Healthy"],
      ["Pod", "Degraded"],
    ]);
  });

  it("fills in the kind of items of a typed list from the API server, which omits it", async () => {
    const pod = loadFixture("pod-imagepull.yaml") as Record<string, unknown>;
    delete pod.kind;
    delete pod.apiVersion;
    const list = { apiVersion: "v1", kind: "PodList", metadata: { resourceVersion: "48211" }, items: [pod] };
    const run = await plumbHealth(["-"], JSON.stringify(list));
    expect(run.lines).toEqual([expect.objectContaining({ kind: "Pod", status: "Degraded" })]);
  });

  it("skips empty documents and comment-only documents", async () => {
    const run = await plumbHealth(["-"], `---\n# just a comment\n---\n${podYaml}---\n`);
    expect(run.code).toBe(0);
    expect(run.lines).toHaveLength(1);
  });

  it("exits 2 with one line naming the line on stderr when the YAML is broken", async () => {
    const run = await plumbHealth(["-"], "apiVersion: v1\nkind: Pod\nmetadata:\n  name: [unclosed\n");
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toMatch(/^plumb health: <stdin>:\d+:\d+: invalid YAML: .+\n$/);
  });

  it("prints nothing when a later document is broken, so the answer is never partial", async () => {
    const run = await plumbHealth(["-"], `${podYaml}---\nkind: Pod\nkind: Pod\n`);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toContain("<stdin>:");
  });

  it("exits 2 when a document is not a Kubernetes object", async () => {
    const run = await plumbHealth(["-"], "just a string\n");
    expect(run.code).toBe(2);
    expect(run.stderr).toBe("plumb health: <stdin>: document 1: expected a Kubernetes object, found string\n");
  });

  it("exits 2 when an object has no name", async () => {
    const run = await plumbHealth(["-"], '{"apiVersion":"v1","kind":"Pod","metadata":{}}');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("needs apiVersion, kind and metadata.name");
  });

  it("exits 2 when the file cannot be read", async () => {
    const run = await plumbHealth([join(tmpdir(), "plumb-no-such-file.yaml")]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^plumb health: cannot read .*plumb-no-such-file\.yaml: no such file\n$/);
  });

  it("exits 2 with usage when no file is given", async () => {
    const run = await plumbHealth([]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("usage: plumb health FILE|-");
  });

  it("prints usage and exits 0 for --help", async () => {
    const run = await plumbHealth(["--help"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("usage: plumb health FILE|-");
  });

  it("reports malformed status as Unknown rather than failing", async () => {
    const run = await plumbHealth(["-"], "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: x}\nstatus: broken\n");
    expect(run.code).toBe(0);
    expect(run.lines).toEqual([
      { kind: "Deployment", name: "web", namespace: "x", status: "Unknown", message: "Cannot assess health: status is not an object" },
    ]);
  });

  it("prints nothing and exits 0 for an empty List", async () => {
    const run = await plumbHealth(["-"], '{"apiVersion":"v1","kind":"List","items":[]}');
    expect(run).toMatchObject({ code: 0, stdout: "", stderr: "" });
  });
});
