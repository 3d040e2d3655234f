/**
 * Builds the dashboard (ui/) into dist/ui with esbuild: one bundled,
 * minified script and one stylesheet, named by content hash (served as
 * immutable), and index.html pointing at them (served with no-cache).
 * `node ui/build.ts [OUTDIR]`; also imported by the browser tests.
 */
import { build } from "esbuild";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { basename, join, resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "..");

/** Builds into `outDir` (replacing what was there); resolves to the asset names. */
export async function buildUi(outDir: string = join(ROOT, "dist/ui")): Promise<{ js: string; css: string }> {
  await rm(outDir, { recursive: true, force: true });
  await mkdir(join(outDir, "assets"), { recursive: true });
  const result = await build({
    entryPoints: { app: join(ROOT, "ui/src/main.ts") },
    bundle: true,
    minify: true,
    format: "esm",
    target: ["es2022"],
    sourcemap: false,
    outdir: join(outDir, "assets"),
    entryNames: "[name]-[hash]",
    metafile: true,
    legalComments: "none",
    logLevel: "warning",
  });
  const outputs = Object.keys(result.metafile.outputs).map((p) => basename(p));
  const js = outputs.find((f) => f.endsWith(".js"));
  const css = outputs.find((f) => f.endsWith(".css"));
  if (!js || !css) throw new Error(`esbuild produced ${outputs.join(", ")}; expected a .js and a .css`);
  const html = (await readFile(join(ROOT, "ui/index.html"), "utf8")).replace("__JS__", `/ui/assets/${js}`).replace("__CSS__", `/ui/assets/${css}`);
  await writeFile(join(outDir, "index.html"), html);
  return { js, css };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const out = process.argv[2] ? resolve(process.argv[2]) : undefined;
  const { js, css } = await buildUi(out);
  process.stdout.write(`dashboard built: ${js}, ${css}\n`);
}
