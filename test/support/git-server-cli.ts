/**
 * Starts the test Git server for the demo and benchmarks and prints its URL:
 * `node --import ./hack/ts-register.mjs test/support/git-server-cli.ts [--port N] [--root DIR] [--repo NAME]...`.
 * Basic auth via PLUMB_GIT_USERNAME / PLUMB_GIT_PASSWORD. Stops on SIGINT/SIGTERM.
 */
import { parseArgs } from "node:util";
import { startGitServer } from "./git-server.js";

const { values } = parseArgs({ options: { port: { type: "string" }, root: { type: "string" }, repo: { type: "string", multiple: true } } });
const { PLUMB_GIT_USERNAME: username, PLUMB_GIT_PASSWORD: password } = process.env;
const server = await startGitServer({
  port: values.port ? Number(values.port) : 0,
  ...(values.root ? { root: values.root } : {}),
  ...(username && password ? { auth: { username, password } } : {}),
});
for (const name of values.repo ?? []) await server.createRepo(name);
console.log(server.url);
const stop = (): void => void server.stop().then(() => process.exit(0));
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
