import { readFileSync } from "node:fs";
import { parse } from "yaml";
import type { KubeObject } from "../../src/model/index.js";

/** Loads test/fixtures/diff/<name>.yaml as a fresh object. */
export function fixture(name: string): KubeObject {
  return parse(readFileSync(new URL(`../fixtures/diff/${name}.yaml`, import.meta.url), "utf8")) as KubeObject;
}

/** Sets a value at a dotted path on a copy of an object. */
export function withField(obj: KubeObject, dotted: string, value: unknown): KubeObject {
  const copy = structuredClone(obj);
  const keys = dotted.split(".");
  let node = copy as Record<string, unknown>;
  for (const key of keys.slice(0, -1)) node = (node[key] ??= {}) as Record<string, unknown>;
  if (value === undefined) delete node[keys.at(-1)!];
  else node[keys.at(-1)!] = value;
  return copy;
}
