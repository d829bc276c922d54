// The first load's transfer: every file the page fetches before it is interactive, raw, gzipped
// and brotli-compressed (node's zlib, best settings, as a static host or CDN would serve them);
// and the chunks of the split build (parts of the page loaded after the first screen).
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
  // The chunks' loader is a static import of the JS glue: part of the first load.
  const loader = fs.readFileSync(path.join(dist, js), 'utf8').match(/from "\.\/(__wasm_split-[0-9a-f]+\.js)"/)?.[1];
  const files = ['index.html', boot, js, wasm, css, ...(loader ? [loader] : [])];
  const measure = (name) => {
    const data = fs.readFileSync(path.join(dist, name));
    return {
      name,
      raw: data.length,
      gzip: zlib.gzipSync(data, { level: 9 }).length,
      brotli: zlib.brotliCompressSync(data, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
    };
  };
  const rows = files.map(measure);
  const chunks = fs.readdirSync(dist).filter((f) => /^(split|chunk)_.*\.wasm$/.test(f)).sort().map(measure);
  const total = (list, k) => list.reduce((s, r) => s + r[k], 0);
  return { rows, raw: total(rows, 'raw'), gzip: total(rows, 'gzip'), brotli: total(rows, 'brotli'), chunks,
    whole: { gzip: total(rows, 'gzip') + total(chunks, 'gzip'), brotli: total(rows, 'brotli') + total(chunks, 'brotli') } };
}
