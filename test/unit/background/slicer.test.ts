import { describe, expect, it } from 'vitest';
import { Slicer } from '../../../src/background/slicer.ts';

describe('Slicer', () => {
  it('counts the thread time of its slices, not the time spent yielded or waiting', async () => {
    let t = 0;
    const s = new Slicer(4, async () => {
      t += 100; // the browser's queued tasks run meanwhile
    }, () => t);
    t += 3;
    expect(s.due).toBe(false);
    t += 2;
    expect(s.due).toBe(true);
    await s.yield(); // slice 1: 5 ms
    t += 1;
    expect(s.busyNowMs).toBe(6); // the running slice counts without ending it
    await s.wait(Promise.resolve().then(() => void (t += 50)));
    t += 7;
    s.endSlice(); // slice 3: 7 ms
    expect(s.busyMs).toBe(13);
    expect(s.longestMs).toBe(7);
    expect(s.yields).toBe(1);
  });
});
