/** Helm chart repositories (index.yaml over http(s)): the ChartRepoPort that sync declares. */
export { ChartRepository } from "./chart-repository.js";
