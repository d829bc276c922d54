// Chromium flags for this machine: no sandbox as root, and no background calls to the outside.
export const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  // The local provider server's HTTPS mode uses a certificate made at start.
  '--ignore-certificate-errors',
];
