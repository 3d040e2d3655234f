import { isMap, splitApiVersion, type KubeObject } from "../model/index.js";
import { namespaceNameProblem, objectNameProblem } from "./names.js";
import type { ParsedDocument } from "./parse-documents.js";
import { renderErrorAt, type SourceLocation } from "./render-error.js";
import type { RenderedObject } from "./rendered-object.js";

/** A `kind: List` (or `FooList` with `items`) wraps objects; its items are what gets applied. */
function isList(value: Record<string, unknown>): boolean {
  return value.kind === "List" || (typeof value.kind === "string" && value.kind.endsWith("List") && Array.isArray(value.items));
}


function describe(value: unknown): string {
  if (Array.isArray(value)) return "a sequence";
  return value === null ? "null" : `a ${typeof value}`;
}

/**
 * Turns one parsed document into validated objects, unpacking Lists, each with
 * its file and line. Throws MissingField, InvalidName or InvalidObject.
 */
export function documentObjects(opts: { file: string; doc: ParsedDocument }): RenderedObject[] {
  const { file, doc } = opts;
  return objectsOf({ value: doc.value, where: { file, line: doc.line }, itemLines: doc.itemLines });
}

function objectsOf(opts: { value: unknown; where: { file: string; line: number }; itemLines?: number[] | undefined }): RenderedObject[] {
  const { value, where } = opts;
  if (!isMap(value)) {
    throw renderErrorAt(where, {
      code: "InvalidObject",
      message: `document is ${describe(value)}, not a Kubernetes object (a mapping with apiVersion, kind and metadata)`,
    });
  }
  requireString(value, { where, field: "apiVersion" });
  requireString(value, { where, field: "kind" });
  if (!isList(value)) return [{ object: validateObject(value, where), source: where }];
  if (value.items === undefined || value.items === null) return [];
  if (!Array.isArray(value.items)) {
    throw renderErrorAt({ ...where, key: "items" }, { code: "MissingField", message: `${value.kind} "items" must be a sequence of objects` });
  }
  return value.items.flatMap((item: unknown, index) =>
    objectsOf({ value: item, where: { file: where.file, line: opts.itemLines?.[index] ?? where.line } }),
  );
}

function requireString(value: Record<string, unknown>, at: { where: SourceLocation; field: string; path?: string }): string {
  const field = value[at.field];
  if (typeof field === "string" && field !== "") return field;
  const path = at.path ?? at.field;
  const problem = field === undefined || field === "" ? "is missing" : `must be a string, not ${describe(field)}`;
  throw renderErrorAt({ ...at.where, key: path }, { code: "MissingField", message: `${path} ${problem}` });
}

function validateObject(value: Record<string, unknown>, where: { file: string; line: number }): KubeObject {
  const metadata = value.metadata;
  if (!isMap(metadata)) {
    const problem = metadata === undefined ? "is missing" : `must be a mapping, not ${describe(metadata)}`;
    throw renderErrorAt({ ...where, key: "metadata" }, { code: "MissingField", message: `metadata ${problem}` });
  }
  if (metadata.name === undefined && metadata.generateName !== undefined) {
    throw renderErrorAt({ ...where, key: "metadata.name" }, {
      code: "MissingField",
      message: "metadata.name is missing; generateName cannot be applied declaratively, set a name",
    });
  }
  const name = requireString(metadata, { where, field: "name", path: "metadata.name" });
  const invalid = (key: string, message: string) => renderErrorAt({ ...where, key }, { code: "InvalidName", message });
  const nameProblem = objectNameProblem(name);
  if (nameProblem) throw invalid("metadata.name", `${value.kind} name "${name}" ${nameProblem}`);
  if (value.kind === "Namespace" && splitApiVersion(String(value.apiVersion)).group === "") {
    const problem = namespaceNameProblem(name);
    if (problem) throw invalid("metadata.name", `Namespace name "${name}" ${problem}`);
  }
  if (metadata.namespace !== undefined && metadata.namespace !== "") {
    if (typeof metadata.namespace !== "string") throw invalid("metadata.namespace", `metadata.namespace must be a string, not ${describe(metadata.namespace)}`);
    const problem = namespaceNameProblem(metadata.namespace);
    if (problem) throw invalid("metadata.namespace", `namespace "${metadata.namespace}" ${problem}`);
  }
  return value as KubeObject;
}
