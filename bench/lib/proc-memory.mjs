// A process's memory as the kernel sees it: resident set (VmRSS) and its high-water mark (VmHWM), read
// from /proc/<pid>/status, in MB. Linux only; elsewhere the memory rows are skipped.
import { existsSync, readFileSync } from "node:fs";

/** True where /proc/<pid>/status can be read (Linux). */
export function canReadProcMemory() {
  return existsSync(`/proc/${process.pid}/status`);
}

/** `{ rss, hwm }` in MB for a live process. */
export function readProcMemory(pid) {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (field) => {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status);
    if (!m) throw new Error(`no ${field} in /proc/${pid}/status`);
    return Number(m[1]);
  };
  return { rss: kb("VmRSS") / 1024, hwm: kb("VmHWM") / 1024 };
}

/**
 * Samples a process's RSS every `everyMs` until `stop()`, which resolves with the highest sample and
 * the kernel's own high-water mark (which also catches a peak between two samples).
 */
export function sampleRss(pid, everyMs = 100) {
  let peak = readProcMemory(pid).rss;
  const timer = setInterval(() => {
    try {
      peak = Math.max(peak, readProcMemory(pid).rss);
    } catch {
      // The process is gone; stop() reports what was seen.
    }
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      let hwm = peak;
      try {
        const now = readProcMemory(pid);
        peak = Math.max(peak, now.rss);
        // The kernel syncs its per-thread RSS counters lazily, so a sample can exceed a later VmHWM by a
        // few pages: the high-water mark is at least the highest sample.
        hwm = Math.max(now.hwm, peak);
      } catch {}
      return { peak, hwm };
    },
  };
}
