/**
 * Time-budgeted slicing of the wake's restore (service.ts `restore`, persist.ts `load`,
 * store.ts `materialiseAll`).
 *
 * Why a time budget and not "every N items": webRequest events Chromium dispatches while the
 * worker's thread is held wait in its task queue, and a stop discards that queue before our
 * listener runs (it would have written the terminal event raw under `e:`). Measured with
 * test/stress/kill-floor.test.ts (lens-probe, stop every 400 ms, docs/hardening.md bug 1): the
 * restore sliced by 50 requests still held the thread for 82–114 ms at a stretch (median), events
 * waited a median 73–298 ms (2 ms for the floor) and every excess loss completed during a
 * restore. Items differ in cost by orders of magnitude (a chunk of 25 requests to parse, one
 * request to judge, a queued event), so only the clock bounds a slice.
 */
export interface Yielder {
  /** Whether the current slice has used its budget (the caller should `yield()` now). */
  readonly due: boolean;
  /** Lets queued tasks run, then starts a new slice. */
  yield(): Promise<void>;
  /** Awaits I/O (the thread is free meanwhile): the slice ends before it and restarts after. */
  wait<T>(p: Promise<T>): Promise<T>;
}

export class Slicer implements Yielder {
  private sliceStart: number;
  /** Longest synchronous stretch seen so far, ms (wake diagnostics). */
  longestMs = 0;
  /** Yields made (wake diagnostics). */
  yields = 0;
  /** Sum of the synchronous stretches so far, ms: the thread time of the sliced work (wake diagnostics). */
  busyMs = 0;

  constructor(
    private readonly budgetMs: number,
    private readonly pause: () => Promise<void>,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.sliceStart = now();
  }

  get due(): boolean {
    return this.now() - this.sliceStart >= this.budgetMs;
  }

  async yield(): Promise<void> {
    this.endSlice();
    this.yields++;
    await this.pause();
    this.sliceStart = this.now();
  }

  async wait<T>(p: Promise<T>): Promise<T> {
    this.endSlice();
    try {
      return await p;
    } finally {
      this.sliceStart = this.now();
    }
  }

  /** `busyMs` plus the stretch running now, without ending it (a phase boundary of the work). */
  get busyNowMs(): number {
    return this.busyMs + (this.now() - this.sliceStart);
  }

  /** Records the slice running now (call once, at the end of the sliced work). */
  endSlice(): void {
    const d = this.now() - this.sliceStart;
    if (d > this.longestMs) this.longestMs = d;
    this.busyMs += d;
  }
}

/** Never yields: for callers that need no slicing (tests, one-off loads). */
export const NO_YIELD: Yielder = { due: false, yield: () => Promise.resolve(), wait: (p) => p };
