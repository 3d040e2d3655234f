const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * Why an object name is invalid, or undefined when it is acceptable. This is
 * the API server's path-segment rule that every kind shares; kinds with
 * stricter rules (DNS-1123 subdomains for most) are left to the server, so
 * names like RBAC's `system:controller:x` pass.
 */
export function objectNameProblem(name: string): string | undefined {
  if (name === "") return "must not be empty";
  if (name.length > 253) return `is ${name.length} characters long; the limit is 253`;
  if (name === "." || name === "..") return `may not be "${name}"`;
  if (name.includes("/") || name.includes("%")) return 'may not contain "/" or "%"';
  return undefined;
}

/** Why a namespace name is invalid (must be a DNS-1123 label), or undefined when valid. */
export function namespaceNameProblem(namespace: string): string | undefined {
  if (namespace.length > 63) return `is ${namespace.length} characters long; the limit is 63`;
  if (!DNS1123_LABEL.test(namespace)) {
    return "must be a DNS-1123 label: lower-case letters, digits and '-', starting and ending with a letter or digit";
  }
  return undefined;
}
