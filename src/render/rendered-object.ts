import type { KubeObject } from "../model/index.js";

/**
 * One desired object with where it came from, so every later error (unknown
 * kind, duplicate, apply failure) can name the file and line.
 */
export interface RenderedObject {
  object: KubeObject;
  source: {
    /** Path relative to the render root, posix separators. */
    file: string;
    /** 1-based line where the object's content starts (the first key, or the List item). */
    line: number;
  };
}
