// Starts the project's local provider server (crates/mock-provider) on a free port.
import { spawn } from 'node:child_process';
import https from 'node:https';

export async function startMock(args = [], { port = 0 } = {}) {
  const bin = process.env.MOCK_PROVIDER_BIN;
  if (!bin) throw new Error('MOCK_PROVIDER_BIN is not set: run the tests with cargo xtask test');
  const child = spawn(bin, ['--port', String(port), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const base = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/base URL ([^\s)]+)/);
      if (m) resolve(m[1]);
    });
    child.on('exit', (code) => reject(new Error(`mock-provider exited (${code}): ${out}`)));
  });
  const root = base.replace(/\/v1$/, '');
  const json = (p, init = {}) => (root.startsWith('https:') ? insecureJson(root + p, init) : fetch(root + p, init).then((r) => r.json()));
  return {
    base,
    stats: () => json('/_stats'),
    /** The repositories pushed to the server's local Hub. */
    hub: () => json('/_hub'),
    root,
    port: Number(new URL(base).port),
    control: (faults) => json('/_control', { method: 'POST', body: JSON.stringify(faults), headers: { 'content-type': 'application/json' } }),
    reset: () => json('/_reset', { method: 'POST' }),
    stop: () => child.kill(),
    /**
     * Resolves with the request count once it has stayed the same for `interval` ms (polled every
     * 50 ms); rejects after `timeout`. How a test checks that nothing more is sent: a run that
     * is still sending changes the count far more often than every `interval` ms.
     */
    quiet: async (interval = 1_000, timeout = 20_000) => {
      const start = Date.now();
      let last = (await json('/_stats')).requests;
      let since = Date.now();
      while (Date.now() - since < interval) {
        if (Date.now() - start > timeout) throw new Error(`requests kept coming for ${timeout} ms (last count ${last})`);
        await new Promise((r) => setTimeout(r, 50));
        const now = (await json('/_stats')).requests;
        if (now !== last) {
          last = now;
          since = Date.now();
        }
      }
      return last;
    },
    /** Stops the server and waits until its port is free (to start another on it). */
    halt: () => new Promise((resolve) => { child.once('exit', resolve); child.kill(); }),
  };
}

// The HTTPS mode's certificate is made at start and trusted by nobody: accept it for our own server only.
function insecureJson(url, { method = 'GET', body, headers = {} }) {
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method, headers, rejectUnauthorized: false }, (res) => {
      let data = '';
      res.on('data', (d) => (data += d));
      res.on('end', () => resolve(JSON.parse(data)));
    });
    req.on('error', reject);
    req.end(body);
  });
}
