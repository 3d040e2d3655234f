/**
 * isomorphic-git probes its file system on every call with `readFile()` and
 * no path; Node would build (and throw) a TypeError with a stack each time.
 * This answers the probe with one rejected promise made once. Loaded natively
 * inside the checkout worker too, so it imports nothing from sibling modules.
 */
const NO_PATH = Promise.reject(new Error("no path"));
NO_PATH.catch(() => undefined);

/** `read`, answering isomorphic-git's path-less probe without a system call or a TypeError. */
export function answeringProbe<R extends (path: string, ...rest: never[]) => Promise<unknown>>(read: R): R {
  return ((path: string, ...rest: never[]) => (path === undefined ? NO_PATH : read(path, ...rest))) as R;
}
