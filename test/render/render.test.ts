import { cp, mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderDirectory, type RenderedObject } from "../../src/render/index.js";

const repo = fileURLToPath(new URL("../fixtures/render/repo/", import.meta.url));

function summary(objects: RenderedObject[]): string[] {
  return objects.map(({ object, source }) => `${source.file}:${source.line} ${object.kind}/${object.metadata.name}`);
}

describe("renderDirectory", () => {
  let work: string;
  beforeAll(async () => {
    work = await mkdtemp(path.join(tmpdir(), "plumb-render-"));
  });
  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it("renders every manifest under the path, sorted by file, in document order, with lines", async () => {
    const objects = await renderDirectory({ root: repo, path: "apps/guestbook" });
    expect(summary(objects)).toEqual([
      "apps/guestbook/account.json:1 ServiceAccount/guestbook",
      "apps/guestbook/deployment.yaml:3 Deployment/web",
      "apps/guestbook/deployment.yaml:26 Service/web",
      "apps/guestbook/list.yaml:4 ConfigMap/settings",
      "apps/guestbook/list.yaml:10 ConfigMap/flags",
      "apps/guestbook/list.yaml:18 ConfigMap/from-typed-list",
      "apps/guestbook/nested/role.yml:1 ClusterRole/system:guestbook:reader",
    ]);
  });

  it("does not descend into subdirectories when recurse is false", async () => {
    const objects = await renderDirectory({ root: repo, path: "apps/guestbook", recurse: false });
    expect(objects.map((o) => o.source.file)).not.toContain("apps/guestbook/nested/role.yml");
    expect(objects).toHaveLength(6);
  });

  it("ignores other files and hidden directories", async () => {
    const files = new Set((await renderDirectory({ root: repo })).map((o) => o.source.file));
    expect([...files].sort()).toEqual([
      "apps/guestbook/account.json",
      "apps/guestbook/deployment.yaml",
      "apps/guestbook/list.yaml",
      "apps/guestbook/nested/role.yml",
      "shared/common.yaml",
    ]);
  });

  it("parses YAML 1.2 with merge keys and keeps `no` a string", async () => {
    const objects = await renderDirectory({ root: repo, path: "apps/guestbook" });
    const web = objects.find((o) => o.object.kind === "Deployment")!.object as unknown as { spec: { template: { metadata: unknown } } };
    expect(web.spec.template.metadata).toEqual({ labels: { app: "web", tier: "frontend" } });
    const settings = objects.find((o) => o.object.metadata.name === "settings")!.object;
    expect(settings.data).toEqual({ country: "no" });
  });

  it("renders an empty directory to an empty list", async () => {
    const dir = path.join(work, "empty");
    await mkdir(path.join(dir, "sub"), { recursive: true });
    await writeFile(path.join(dir, "sub", "blank.yaml"), "---\n# nothing here\n---\n");
    await writeFile(path.join(dir, "blank.json"), "\n");
    expect(await renderDirectory({ root: dir })).toEqual([]);
  });

  it("sorts files by path whatever order they were created in", async () => {
    const dir = path.join(work, "order");
    await mkdir(path.join(dir, "a"), { recursive: true });
    const names = ["b.yaml", "a/z.yaml", "a.yaml", "a-b.yaml", "B.yaml"];
    for (const [i, name] of names.entries()) {
      await writeFile(path.join(dir, name), `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-${i}\n`);
    }
    const files = (await renderDirectory({ root: dir })).map((o) => o.source.file);
    expect(files).toEqual(["B.yaml", "a-b.yaml", "a.yaml", "a/z.yaml", "b.yaml"]);
  });

  it("counts lines correctly with CRLF endings and a UTF-8 byte order mark", async () => {
    const dir = path.join(work, "crlf");
    await mkdir(dir);
    const doc = (name: string) => `apiVersion: v1\r\nkind: ConfigMap\r\nmetadata:\r\n  name: ${name}\r\n`;
    await writeFile(path.join(dir, "cm.yaml"), `\uFEFF${doc("a")}---\r\n\r\n${doc("b")}`);
    expect(summary(await renderDirectory({ root: dir }))).toEqual(["cm.yaml:1 ConfigMap/a", "cm.yaml:7 ConfigMap/b"]);
  });

  it("follows symlinks that stay inside the root, naming the link path", async () => {
    const root = path.join(work, "links");
    await cp(repo, root, { recursive: true });
    await symlink("../../shared/common.yaml", path.join(root, "apps/guestbook/common.yaml"));
    await mkdir(path.join(root, "overlay"));
    await symlink("../apps/guestbook/nested", path.join(root, "overlay/linked"));
    await symlink("nowhere", path.join(root, "overlay/dangling-notes"));
    const objects = await renderDirectory({ root, path: "apps/guestbook" });
    expect(summary(objects)).toContain("apps/guestbook/common.yaml:1 ConfigMap/shared");
    const overlay = await renderDirectory({ root, path: "overlay" });
    expect(summary(overlay)).toEqual(["overlay/linked/role.yml:1 ClusterRole/system:guestbook:reader"]);
  });

  it("accepts an Application path that walks down and back up inside the root", async () => {
    const objects = await renderDirectory({ root: repo, path: "apps/../shared/" });
    expect(summary(objects)).toEqual(["shared/common.yaml:1 ConfigMap/shared"]);
  });
});
