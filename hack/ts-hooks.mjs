// Resolve hook so Node 24 can run the TypeScript sources directly (type
// stripping) for the demo and benchmarks: sources import "./x.js" as
// nodenext requires; when only "./x.ts" exists, load that instead.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

export async function resolve(specifier, context, next) {
  if ((specifier.startsWith(".") || specifier.startsWith("/")) && specifier.endsWith(".js") && context.parentURL) {
    const ts = new URL(specifier.slice(0, -3) + ".ts", context.parentURL);
    if (ts.protocol === "file:" && existsSync(fileURLToPath(ts)) && !existsSync(fileURLToPath(new URL(specifier, context.parentURL)))) {
      return next(ts.href, context);
    }
  }
  return next(specifier, context);
}
