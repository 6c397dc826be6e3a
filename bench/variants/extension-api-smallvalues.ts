// Attribution variant `smallvalues` (bench/variants/plugin.mjs): every storage.session `set`
// and `remove` of the release build reaches the browser, the same keys in the same calls, but
// each value is replaced by a 2-character string. Against `lens` it prices the bytes we write;
// against `nopersist` it prices the calls themselves (extension function dispatch, IPC, the
// browser's session-storage bookkeeping per key). Reads answer as the browser does.
import { realExtensionApi as real, type ExtensionApi } from '../../src/platform/extension-api.ts';

export * from '../../src/platform/extension-api.ts';

export function realExtensionApi(): ExtensionApi {
  const api = real();
  const area = api.session;
  return {
    ...api,
    session: {
      ...area,
      set: (items) => {
        const small: Record<string, unknown> = {};
        for (const k of Object.keys(items)) small[k] = k === 'v' ? items[k] : '{}';
        return area.set(small);
      },
    },
  };
}
