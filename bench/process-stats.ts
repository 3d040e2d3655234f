import { readdirSync, readFileSync } from "node:fs";

/** CPU and memory of one process, from /proc (Linux). */
export interface ProcessSample {
  /** user + system CPU seconds since the process started. */
  cpuSeconds: number;
  /** Resident set size now, MiB. */
  rssMiB: number;
  /** Peak resident set size (VmHWM), MiB. */
  peakRssMiB: number;
}

const CLOCK_TICKS = 100; // USER_HZ on Linux

/** Reads one sample of `pid`; undefined when the process is gone. */
export function sampleProcess(pid: number): ProcessSample | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // fields after the command name (which may contain spaces) start after ") "
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? 0);
    return { cpuSeconds: (utime + stime) / CLOCK_TICKS, rssMiB: kb("VmRSS") / 1024, peakRssMiB: kb("VmHWM") / 1024 };
  } catch {
    return undefined;
  }
}

/**
 * Samples a process every `intervalMs` and remembers the peak RSS seen (the
 * kernel's VmHWM covers the whole life; this covers a window).
 */
export class ProcessMonitor {
  readonly pid: number;
  #timer: NodeJS.Timeout;
  #windowPeak = 0;
  #last: ProcessSample | undefined;

  constructor(pid: number, intervalMs = 250) {
    this.pid = pid;
    this.#timer = setInterval(() => this.sample(), intervalMs);
    this.#timer.unref();
  }

  /** Takes a sample now. */
  sample(): ProcessSample | undefined {
    const s = sampleProcess(this.pid);
    if (s) {
      this.#last = s;
      this.#windowPeak = Math.max(this.#windowPeak, s.rssMiB);
    }
    return s ?? this.#last;
  }

  /** Starts a new window; returns the sample it starts from. */
  startWindow(): ProcessSample {
    this.#windowPeak = 0;
    return this.sample() ?? { cpuSeconds: 0, rssMiB: 0, peakRssMiB: 0 };
  }

  /** The highest RSS sampled since the window started, MiB. */
  get windowPeakMiB(): number {
    return this.#windowPeak;
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}

/**
 * CPU seconds used so far by each process of the local cluster (API server,
 * etcd, controller-manager, scheduler, KWOK), found by their command lines
 * naming `clusterDir`: where the time of a benchmark went besides Plumb.
 */
export function clusterCpuSeconds(clusterDir: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    let cmdline: string;
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
    } catch {
      continue;
    }
    if (!cmdline.includes(clusterDir)) continue;
    const name = /(?:^|\/)(etcd|kube-apiserver|kube-controller-manager|kube-scheduler|kwok)\s/.exec(cmdline)?.[1];
    const sample = name ? sampleProcess(Number(pid)) : undefined;
    if (name && sample) out[name] = (out[name] ?? 0) + sample.cpuSeconds;
  }
  return out;
}

/** Per-process difference of two clusterCpuSeconds readings, and their total. */
export function cpuDelta(before: Record<string, number>, after: Record<string, number>): { total: number; byProcess: Record<string, number> } {
  const byProcess = Object.fromEntries(Object.keys(after).map((k) => [k, Math.round((after[k]! - (before[k] ?? 0)) * 100) / 100]));
  return { total: Object.values(byProcess).reduce((a, b) => a + b, 0), byProcess };
}
