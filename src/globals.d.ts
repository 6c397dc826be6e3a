/** Injected by vite.config.ts `define`. Empty string in release builds. */
declare const __CORS_LENS_LOG_SINK__: string;
/** `chrome` or `firefox`: which build this is. */
declare const __CORS_LENS_TARGET__: 'chrome' | 'firefox';
declare const __CORS_LENS_VERSION__: string;
