/** Health of Service and Ingress: both wait on an external load balancer to give them an address. */
import type { Health, KubeObject } from "../model/index.js";
import { listAt, stringAt } from "./fields.js";
import { verdict } from "./verdict.js";

/** The addresses a load balancer has assigned, as "ip" or "hostname". */
function loadBalancerAddresses(obj: KubeObject): string[] {
  return listAt(obj, "status.loadBalancer.ingress").map(
    (point) => stringAt(point, "ip") ?? stringAt(point, "hostname") ?? "(address pending)",
  );
}

/**
 * Service: a LoadBalancer is Progressing until the cloud (or MetalLB, or
 * similar) assigns an ingress address, since nothing can reach it before;
 * every other type works as soon as it exists.
 */
export function serviceHealth(obj: KubeObject): Health {
  const type = stringAt(obj, "spec.type") ?? "ClusterIP";
  if (type !== "LoadBalancer") return verdict("Healthy", `Service of type ${type} exists`);
  const addresses = loadBalancerAddresses(obj);
  if (addresses.length === 0) {
    return verdict("Progressing", "Waiting for the load balancer to assign an address (status.loadBalancer.ingress is empty)");
  }
  return verdict("Healthy", `Load balancer ready at ${addresses.join(", ")}`);
}

/**
 * Ingress: Progressing until the ingress controller publishes an address, as
 * Argo CD does; an Ingress no controller has picked up is not serving.
 */
export function ingressHealth(obj: KubeObject): Health {
  const addresses = loadBalancerAddresses(obj);
  if (addresses.length === 0) {
    return verdict("Progressing", "Waiting for an ingress controller to publish an address (status.loadBalancer.ingress is empty)");
  }
  return verdict("Healthy", `Ingress served at ${addresses.join(", ")}`);
}
