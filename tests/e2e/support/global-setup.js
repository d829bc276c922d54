// Serves the built app (dist/) on a free loopback port for the whole test run.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm', '.css': 'text/css', '.json': 'application/json', '.png': 'image/png', '.webmanifest': 'application/manifest+json', '.svg': 'image/svg+xml' };

export default async function globalSetup() {
  const dist = process.env.SYNFACT_DIST || path.resolve('../../dist');
  if (!fs.existsSync(path.join(dist, 'index.html'))) throw new Error(`no built app in ${dist}: run cargo xtask test`);
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    // The site is also served under /synfact/, as GitHub Pages serves a project site.
    const pathname = url.pathname.startsWith('/synfact/') ? url.pathname.slice('/synfact'.length) : url.pathname;
    let file = path.join(dist, decodeURIComponent(pathname));
    if (!file.startsWith(dist)) { res.writeHead(403).end(); return; }
    if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, 'index.html');
    fs.readFile(file, (err, data) => {
      if (err) { res.writeHead(404).end('not found'); return; }
      res.writeHead(200, { 'content-type': TYPES[path.extname(file)] || 'application/octet-stream' });
      res.end(data);
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  // The whole suite runs against the site under /synfact/, as GitHub Pages serves a project site.
  process.env.APP_URL = `http://127.0.0.1:${server.address().port}/synfact/`;
  return async () => new Promise((resolve) => server.close(resolve));
}
