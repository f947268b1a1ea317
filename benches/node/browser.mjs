// The built page (dist/) served by `vite preview` on 127.0.0.1 and Debian's headless
// Chromium, for the benches that time the page (page.mjs, live.mjs). `close()` stops both.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

export async function servePage() {
  if (!fs.existsSync(path.join(ROOT, 'dist', 'index.html'))) throw new Error('dist/ is missing: npm run build');
  if (!fs.existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}`);
  const { preview } = await import('vite');
  const { chromium } = await import('playwright-core');
  const server = await preview({
    root: ROOT,
    configFile: path.join(ROOT, 'vite.config.ts'),
    logLevel: 'warn',
    preview: { host: '127.0.0.1', port: 0, strictPort: false, open: false },
  });
  const base = server.resolvedUrls?.local?.[0];
  if (!base) throw new Error('vite preview did not report its address');
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const close = async () => {
    await browser.close();
    await new Promise((r) => server.httpServer.close(r));
  };
  return { base, browser, close };
}
