// Starts the app. A file of its own (not an inline script) so the Content-Security-Policy can
// forbid inline scripts.
import init from './synfact.js';

await init({ module_or_path: './synfact_bg.wasm' });
