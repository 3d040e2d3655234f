#!/usr/bin/env node
import { runHealth } from "./health.js";
import { runRender, type CliIO } from "./render.js";

const USAGE = `usage: plumb <command> [args]

commands:
  operator [--kubeconfig F] [--listen HOST:PORT] [--namespace NS] [--leader-elect=true|false]
                       run the controller and the HTTP API
  render DIR           print the rendered desired manifests of DIR
  health FILE|-        print the health of live objects, one JSON line each
  diff DIR --kubeconfig F [--namespace NS]
                       show what a sync of DIR would change (Secret values redacted)
  app list|get|sync|rollback|history|diff|wait ...
                       Applications through Plumb's HTTP API (plumb app --help)
`;

/** Dispatches `plumb <command>`; resolves to the exit code. */
export async function main(argv: string[], io: CliIO): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case "operator": {
      const { runOperator } = await import("./operator.js");
      return runOperator(rest);
    }
    case "render":
      return runRender(rest, io);
    case "health":
      return runHealth(rest, io);
    case "diff": {
      const { runDiff } = await import("./diff.js");
      return runDiff(rest, io);
    }
    case "app": {
      const { runApp } = await import("./app.js");
      return runApp(rest, io);
    }
    case undefined:
    case "help":
    case "--help":
    case "-h":
      io.stdout.write(USAGE);
      return command === undefined ? 2 : 0;
    default:
      io.stderr.write(`plumb: unknown command "${command}"\n${USAGE}`);
      return 2;
  }
}

const io: CliIO = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr };
main(process.argv.slice(2), io).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`plumb: ${(err as Error).message}\n`);
    process.exitCode = 1;
  },
);
