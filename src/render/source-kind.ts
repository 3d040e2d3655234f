import { access } from "node:fs/promises";
import path from "node:path";
import type { ApplicationSource } from "../model/application.js";

/** How an Application's source is rendered. */
export type SourceKind = "directory" | "kustomize" | "helm" | "chart";

/** The file names `kustomize build` accepts, in its own order of preference. */
export const KUSTOMIZATION_FILES = ["kustomization.yaml", "kustomization.yml", "Kustomization"] as const;

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}

/** The kustomization file in `dir`, or undefined. */
export async function kustomizationFileIn(dir: string): Promise<string | undefined> {
  for (const name of KUSTOMIZATION_FILES) if (await exists(path.join(dir, name))) return name;
  return undefined;
}

/**
 * Detects the source kind: `chart` set → a chart repository; `kustomize` set
 * or a kustomization file in the directory → Kustomize; else `helm` set or a
 * Chart.yaml → Helm; else the plain directory. `dir` is the real, checked
 * path of spec.source.path.
 */
export async function detectSourceKind(source: Pick<ApplicationSource, "chart" | "kustomize" | "helm">, dir: string | undefined): Promise<SourceKind> {
  if (source.chart) return "chart";
  if (source.kustomize) return "kustomize";
  if (dir !== undefined && (await kustomizationFileIn(dir))) return "kustomize";
  if (source.helm) return "helm";
  if (dir !== undefined && (await exists(path.join(dir, "Chart.yaml")))) return "helm";
  return "directory";
}
