/**
 * Found by test/e2e/messages.test.ts: a panel port named `cors-lens-panel:` (nothing after the
 * prefix) was taken for tab 0, because `Number('')` is 0; so were `0x10` (16), ` 7 ` (7) and
 * `1e3` (1000). Only the names `panelPortName` writes may select a tab.
 */
import { describe, expect, it } from 'vitest';
import { NO_TAB_ID, panelPortName, tabIdFromPortName } from '../../../src/shared/messages.ts';

describe('tabIdFromPortName accepts exactly what panelPortName writes', () => {
  it.each([1, 7, 2147483647, NO_TAB_ID, 0])('round trip of tab %d', (tab) => {
    expect(tabIdFromPortName(panelPortName(tab))).toBe(tab);
  });

  it.each(['cors-lens-panel:', 'cors-lens-panel: ', 'cors-lens-panel: 7 ', 'cors-lens-panel:0x10', 'cors-lens-panel:1e3', 'cors-lens-panel:1.5', 'cors-lens-panel:-2', 'cors-lens-panel:+3', 'cors-lens-panel:9007199254740993', 'cors-lens-panel:abc', 'other:1', ''])('%j selects no tab', (name) => {
    expect(tabIdFromPortName(name)).toBeNull();
  });
});
