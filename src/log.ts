import { pino, type Logger, type LoggerOptions } from "pino";

export type { Logger };

/**
 * Paths pino must never print. Credentials and Secret data are redacted
 * wherever they appear in a logged object, as a second line of defence; code
 * should not log them in the first place.
 */
const REDACT_PATHS = [
  "password",
  "*.password",
  "token",
  "*.token",
  "bearerToken",
  "*.bearerToken",
  "authorization",
  "*.authorization",
  "headers.authorization",
  "data",
  "*.data",
  "stringData",
  "*.stringData",
];

/** Creates the process logger: pino JSON to stdout (or the given stream). */
export function createLogger(
  opts: { level?: string; destination?: NodeJS.WritableStream } = {},
): Logger {
  const options: LoggerOptions = {
    level: opts.level ?? "info",
    base: { svc: "plumb" },
    redact: { paths: REDACT_PATHS, censor: "[REDACTED]" },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  };
  return opts.destination ? pino(options, opts.destination) : pino(options);
}

/** A logger that drops everything (tests, CLI). */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}
