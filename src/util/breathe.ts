/**
 * Let other work of the process run every few milliseconds. The plan overlaps its stages: the live catalog is
 * read while the files load, and the shadow compiles run while the client compares models; each of those
 * reads its results, and sends its next statements, only when this thread is free. A long loop that never
 * let go held them back for its whole length. Call `breathe()` often in such loops: it yields at most once
 * every 8 ms, so the loop itself barely slows down.
 */
export const breathe = Object.assign(
  async () => {
    if (performance.now() - breathe.last > 8) await breathe.now();
  },
  {
    last: 0,
    /** Yield now, whenever the last yield was. */
    async now() {
      await new Promise((resolve) => setImmediate(resolve));
      breathe.last = performance.now();
    },
  },
);
