import { documentObjects } from "./manifest-objects.js";
import type { RenderLimits } from "./limits.js";
import { parseManifestDocuments } from "./parse-documents.js";
import type { RenderedObject } from "./rendered-object.js";

/**
 * Parses what `kustomize build` or `helm template` printed into validated
 * objects, with the same strict YAML rules as files in Git. Helm marks each
 * document with `# Source: chart/templates/x.yaml`; that file becomes the
 * object's source, else `file` does.
 */
export function objectsFromToolOutput(opts: { text: string; file: string; limits: RenderLimits }): RenderedObject[] {
  const objects: RenderedObject[] = [];
  for (const chunk of opts.text.split(/^---[ \t]*$/m)) {
    const source = /^# Source: (.+)$/m.exec(chunk)?.[1]?.trim();
    const file = source ?? opts.file;
    for (const doc of parseManifestDocuments({ file: file.endsWith(".json") ? `${file}.yaml` : file, text: chunk, limits: opts.limits })) {
      objects.push(...documentObjects({ file, doc }));
    }
  }
  return objects;
}
