import { kubectl } from "./kube.js";

/**
 * A real bearer token of a new ServiceAccount `name` in `namespace`, bound
 * (when `verbs` are given) to a Role with those verbs on applications.plumb.dev
 * in that namespace only.
 */
export async function serviceAccountToken(namespace: string, name: string, verbs: string[] = []): Promise<string> {
  await kubectl(["create", "serviceaccount", name, "-n", namespace]);
  if (verbs.length) {
    await kubectl(["create", "role", `${name}-apps`, "-n", namespace, `--verb=${verbs.join(",")}`, "--resource=applications.plumb.dev"]);
    await kubectl(["create", "rolebinding", `${name}-apps`, "-n", namespace, `--role=${name}-apps`, `--serviceaccount=${namespace}:${name}`]);
  }
  return (await kubectl(["create", "token", name, "-n", namespace, "--duration=1h"])).trim();
}
