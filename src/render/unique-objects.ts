import { keyOf, keyString } from "../model/index.js";
import { renderErrorAt } from "./render-error.js";
import type { RenderedObject } from "./rendered-object.js";

/**
 * Refuses two objects with the same key (group/kind/namespace/name): the
 * second would silently overwrite the first on apply. Names both places.
 */
export function assertUniqueObjects(objects: readonly RenderedObject[]): void {
  const seen = new Map<string, RenderedObject>();
  for (const rendered of objects) {
    const key = keyString(keyOf(rendered.object));
    const first = seen.get(key);
    if (first) {
      throw renderErrorAt(rendered.source, {
        code: "DuplicateObject",
        message: `duplicate object ${key}, already defined at ${first.source.file}:${first.source.line}`,
        data: { object: key, firstFile: first.source.file, firstLine: first.source.line },
      });
    }
    seen.set(key, rendered);
  }
}
