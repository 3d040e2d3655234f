import type { Application } from "../model/application.js";

/** Which namespaces are trusted, and whom untrusted apps act as (from config). */
export interface TenancyPolicy {
  /** Namespaces whose apps may use the operator's own rights; "*" trusts all. */
  trustedNamespaces: readonly string[] | "*";
  /** ServiceAccount (in the app's namespace) for untrusted apps that name none. */
  defaultServiceAccount: string;
}

/** The identity an app's reads, dry-runs, applies and prunes go out as. */
export type Applier = { kind: "operator" } | { kind: "serviceaccount"; namespace: string; name: string; user: string };

/**
 * Whom an Application acts as (pure). An app that names a ServiceAccount is
 * always applied as it; one in a trusted namespace that names none gets the
 * operator's rights; any other app is applied as the default ServiceAccount
 * of its own namespace, so an Application can never make Plumb do what its
 * namespace could not (the Flux multi-tenancy lockdown, on by default).
 */
export function applierOf(app: Application, policy: TenancyPolicy): Applier {
  const namespace = app.metadata.namespace ?? "default";
  const named = app.spec.serviceAccountName;
  if (!named && (policy.trustedNamespaces === "*" || policy.trustedNamespaces.includes(namespace))) return { kind: "operator" };
  const name = named || policy.defaultServiceAccount;
  return { kind: "serviceaccount", namespace, name, user: `system:serviceaccount:${namespace}:${name}` };
}
