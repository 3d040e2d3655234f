/**
 * `plumb health FILE|-`: judges live objects (as `kubectl get -o yaml|json`
 * prints them) with the same rules the operator uses, one JSON line each, so
 * a user can ask "why is this Degraded?" without running the operator.
 */
import { readFile } from "node:fs/promises";
import { LineCounter, parseAllDocuments } from "yaml";
import { PlumbError, RenderError } from "../errors.js";
import { assessHealth } from "../health/index.js";
import { isMap, type HealthStatus, type KubeObject } from "../model/index.js";

/** The streams a subcommand talks to; tests pass in-memory ones. */
export interface CommandIo {
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

/** One output line of `plumb health`. */
export interface HealthReport {
  kind: string;
  name: string;
  namespace?: string;
  status: HealthStatus;
  message: string;
}

const USAGE = `usage: plumb health FILE|-

Reads live Kubernetes objects (YAML documents or JSON; List kinds are unpacked;
"-" reads stdin) and prints one JSON line per object:
  {"kind":…,"name":…,"namespace":…,"status":"Healthy","message":"…"}
Exits 0 whatever the health; 2 when the input cannot be read or parsed.
`;

/**
 * Runs `plumb health` and returns the exit code: 0 once every object is
 * judged, healthy or not (health is data here, not failure); 2 on usage
 * errors and unreadable or unparseable input, with one line on stderr.
 */
export async function runHealth(args: string[], io: CommandIo): Promise<number> {
  if (args.includes("-h") || args.includes("--help")) {
    io.stdout.write(USAGE);
    return 0;
  }
  const unknownFlag = args.find((arg) => arg.startsWith("-") && arg !== "-");
  if (args.length === 0 || unknownFlag !== undefined) {
    const why = unknownFlag === undefined ? "missing FILE (use - for stdin)" : `unknown flag ${unknownFlag}`;
    io.stderr.write(`plumb health: ${why}; usage: plumb health FILE|-\n`);
    return 2;
  }
  let objects: KubeObject[];
  try {
    objects = [];
    // Parse everything before printing anything, so bad input never yields half an answer.
    for (const source of args) objects.push(...parseLiveObjects(await readSource(source, io.stdin), displayName(source)));
  } catch (err) {
    if (!(err instanceof PlumbError)) throw err;
    io.stderr.write(`plumb health: ${err.message}\n`);
    return 2;
  }
  for (const obj of objects) io.stdout.write(`${JSON.stringify(healthReport(obj))}\n`);
  return 0;
}

/** The output line for one object; namespace only for namespaced objects. */
export function healthReport(obj: KubeObject): HealthReport {
  const { status, message } = assessHealth(obj);
  const namespace = obj.metadata.namespace;
  return namespace ? { kind: obj.kind, name: obj.metadata.name, namespace, status, message } : { kind: obj.kind, name: obj.metadata.name, status, message };
}

function displayName(source: string): string {
  return source === "-" ? "<stdin>" : source;
}

async function readSource(source: string, stdin: NodeJS.ReadableStream): Promise<string> {
  try {
    if (source !== "-") return await readFile(source, "utf8");
    const chunks: Buffer[] = [];
    for await (const chunk of stdin) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
    return Buffer.concat(chunks).toString("utf8");
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (err as Error).message;
    throw new PlumbError(`cannot read ${displayName(source)}: ${reason}`, { code: "ReadFailed", cause: err });
  }
}

/**
 * Parses YAML documents or JSON into live objects. JSON is tried first when
 * the text looks like it (fast for `kubectl get -o json` of big lists); YAML
 * handles the rest and names the line of any syntax error.
 */
export function parseLiveObjects(text: string, source: string): KubeObject[] {
  const objects: KubeObject[] = [];
  parseDocuments(text, source).forEach((value, i) => collectObjects(value, `${source}: document ${i + 1}`, objects));
  return objects;
}

function parseDocuments(text: string, source: string): unknown[] {
  if (/^\s*[[{]/.test(text)) {
    try {
      return [JSON.parse(text)];
    } catch {
      // Not strict JSON (YAML flow style, or broken): let the YAML parser judge and locate the error.
    }
  }
  const lineCounter = new LineCounter();
  const values: unknown[] = [];
  for (const doc of parseAllDocuments(text, { lineCounter, prettyErrors: false })) {
    const [error] = doc.errors;
    if (error) {
      const { line, col } = lineCounter.linePos(error.pos[0]);
      throw new RenderError(`${source}:${line}:${col}: invalid YAML: ${firstLine(error.message)}`, {
        code: "InvalidYAML",
        data: { file: source, line, column: col },
        cause: error,
      });
    }
    let value: unknown;
    try {
      value = doc.toJS();
    } catch (err) {
      throw new RenderError(`${source}: invalid YAML: ${firstLine((err as Error).message)}`, { code: "InvalidYAML", cause: err });
    }
    // A document holding only comments or `---` separators is no object; skip it as kubectl does.
    if (value !== null && value !== undefined) values.push(value);
  }
  return values;
}


/** Adds the objects in one parsed value: an object, a JSON array of them, or a List to unpack. */
function collectObjects(value: unknown, where: string, out: KubeObject[]): void {
  if (Array.isArray(value)) {
    value.forEach((item, i) => collectObjects(item, `${where} item ${i + 1}`, out));
    return;
  }
  if (!isMap(value)) {
    throw new RenderError(`${where}: expected a Kubernetes object, found ${value === null ? "null" : typeof value}`, {
      code: "InvalidObject",
    });
  }
  const kind = value.kind;
  if (typeof kind === "string" && kind.endsWith("List") && Array.isArray(value.items)) {
    // Typed lists straight from the API server (PodList...) omit kind and apiVersion on their items.
    const itemKind = kind === "List" ? undefined : kind.slice(0, -"List".length);
    value.items.forEach((item, i) => {
      const filled = isMap(item) && itemKind !== undefined ? { apiVersion: value.apiVersion, kind: itemKind, ...item } : item;
      collectObjects(filled, `${where} item ${i + 1}`, out);
    });
    return;
  }
  const metadata = value.metadata;
  if (typeof value.apiVersion !== "string" || typeof kind !== "string" || !isMap(metadata) || typeof metadata.name !== "string") {
    throw new RenderError(`${where}: not a Kubernetes object (needs apiVersion, kind and metadata.name)`, {
      code: "InvalidObject",
    });
  }
  out.push(value as KubeObject);
}

/** Errors are printed as one line; parser messages sometimes carry a code excerpt after it. */
function firstLine(message: string): string {
  return message.split("\n", 1)[0] ?? message;
}
