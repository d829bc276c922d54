// synfact's service worker: keeps this build's files so the site opens without network (and then
// works with a local model server). `cargo xtask build` fills in the version and the file list.
const VERSION = '__VERSION__';
const FILES = ['__FILES__'];
const CACHE = `synfact-${VERSION}`;

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((c) => c.addAll(FILES)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith('synfact-') && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  // Only this site's own files: calls to providers never pass through here.
  if (request.method !== 'GET' || url.origin !== self.location.origin) return;
  if (request.mode === 'navigate') {
    // The page from the network when there is one (a new deploy shows at once), else the kept copy.
    event.respondWith(fetch(request).catch(() => caches.open(CACHE).then((c) => c.match('./index.html'))));
    return;
  }
  // Asset names carry the build's hash: a kept copy is always the right one.
  event.respondWith(caches.open(CACHE).then((c) => c.match(request, { ignoreSearch: true })).then((hit) => hit || fetch(request)));
});
