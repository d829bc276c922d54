// The first load's transfer: every file the page fetches before it is interactive, raw, gzipped
// and brotli-compressed (node's zlib, best settings, as a static host or CDN would serve them).
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

export function firstLoad(dist) {
  const index = fs.readFileSync(path.join(dist, 'index.html'), 'utf8');
  const boot = index.match(/src="\.\/(boot-[0-9a-f]+\.js)"/)[1];
  const bootText = fs.readFileSync(path.join(dist, boot), 'utf8');
  const js = bootText.match(/from '\.\/(synfact-[0-9a-f]+\.js)'/)[1];
  const wasm = bootText.match(/'\.\/(synfact_bg-[0-9a-f]+\.wasm)'/)[1];
  const css = index.match(/href="\.\/(main-[0-9a-f]+\.css)"/)[1];
  const files = ['index.html', boot, js, wasm, css];
  const rows = files.map((name) => {
    const data = fs.readFileSync(path.join(dist, name));
    return {
      name,
      raw: data.length,
      gzip: zlib.gzipSync(data, { level: 9 }).length,
      brotli: zlib.brotliCompressSync(data, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
    };
  });
  const total = (k) => rows.reduce((s, r) => s + r[k], 0);
  return { rows, raw: total('raw'), gzip: total('gzip'), brotli: total('brotli') };
}
