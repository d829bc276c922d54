// Starts the app. A file of its own (not an inline script) so the Content-Security-Policy can
// forbid inline scripts. `cargo xtask build` rewrites the two names below to the build's hashed ones.
import init from './synfact.js';

function say(text, role) {
  const p = document.createElement('p');
  p.setAttribute('role', role);
  p.className = role === 'alert' ? 'boot-error' : 'update-notice';
  p.textContent = text;
  document.body.prepend(p);
}

try {
  await init({ module_or_path: './synfact_bg.wasm' });
} catch (e) {
  say(`synfact could not start: ${e}. Reload the page; if it keeps failing, this browser may block WebAssembly or have lost the site's files.`, 'alert');
}

// Offline use: the built site has a service worker that keeps this build's files (the dev server
// has none, and registering fails quietly there).
if ('serviceWorker' in navigator) {
  const hadOne = Boolean(navigator.serviceWorker.controller);
  navigator.serviceWorker.register('./sw.js').then((reg) => {
    reg.addEventListener('updatefound', () => {
      const worker = reg.installing;
      worker?.addEventListener('statechange', () => {
        if (worker.state === 'activated' && hadOne) {
          say('synfact was updated: this page runs the new version, and keeps it for offline use.', 'status');
        }
      });
    });
  }).catch(() => {});
}
