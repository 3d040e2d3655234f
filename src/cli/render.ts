import { stringify } from "yaml";
import { PlumbError } from "../errors.js";
import { renderDirectory } from "../render/index.js";

/** Streams a CLI command writes to. */
export interface CliIO {
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

/**
 * `plumb render DIR`: prints the rendered manifests of DIR as YAML
 * documents, or one error line naming file and line (exit 1).
 */
export async function runRender(args: string[], io: CliIO): Promise<number> {
  const dir = args.find((a) => !a.startsWith("-"));
  const recurse = !args.includes("--no-recurse");
  if (!dir || args.includes("--help")) {
    io.stderr.write("usage: plumb render DIR [--no-recurse]\n");
    return dir ? 0 : 2;
  }
  try {
    const objects = await renderDirectory({ root: dir, path: ".", recurse });
    io.stdout.write(objects.map((o) => `# Source: ${o.source.file}:${o.source.line}\n${stringify(o.object)}`).join("---\n"));
    return 0;
  } catch (err) {
    const code = err instanceof PlumbError ? err.code : "Error";
    io.stderr.write(`plumb render: ${code}: ${(err as Error).message}\n`);
    return 1;
  }
}
