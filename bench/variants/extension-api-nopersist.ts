// Attribution variant `nopersist` (bench/variants/plugin.mjs): the real extension API, except
// that storage.session is an in-memory no-op, so no write reaches the browser. Reads answer
// empty (a fresh worker then restores nothing, as after a browser start).
import { realExtensionApi as real, type ExtensionApi, type StorageAreaLike } from '../../src/platform/extension-api.ts';

export * from '../../src/platform/extension-api.ts';

const nothing: StorageAreaLike = {
  get: async () => ({}),
  set: async () => undefined,
  remove: async () => undefined,
  getKeys: async () => [],
};

export function realExtensionApi(): ExtensionApi {
  return { ...real(), session: nothing };
}
