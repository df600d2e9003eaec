// The browser builds of vega and vega-embed (with vega-tooltip inside), read from the installed
// packages when a report is written, to be inlined in report.html: the page must work from a
// file: URL with no network. The figures are compiled from vega-lite to vega when the page is
// written (interactive-spec.ts), so vega-lite's build (250 KB, and its compile on every load) is
// not needed in the page: vega-embed's build takes the vegaLite global as optional. Both are
// runtime dependencies, so a deploy bundle carries them (src/deploy/bundle.ts ships every
// production module); without them the report keeps its static figures and says why.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** In load order: vega-embed's UMD build reads the vega global when it runs. */
const BUNDLES = [
  { pkg: 'vega', file: 'build/vega.min.js' },
  { pkg: 'vega-embed', file: 'build/vega-embed.min.js' },
] as const;

export type VegaBundle = { ok: true; scripts: { pkg: string; version: string; code: string }[] } | { ok: false; reason: string };

/** A package's directory: its exports map hides build/ from require.resolve, so walk up from its entry to its package.json. */
function packageDir(pkg: string): string {
  let dir = path.dirname(fileURLToPath(import.meta.resolve(pkg)));
  for (;;) {
    const pj = path.join(dir, 'package.json');
    if (existsSync(pj) && (JSON.parse(readFileSync(pj, 'utf8')) as { name?: string }).name === pkg) return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`no package.json named ${pkg} above its entry point`);
    dir = up;
  }
}

let cached: VegaBundle | null = null;

/** The three scripts, or why they cannot be had (read once per process). */
export function vegaBundle(): VegaBundle {
  if (cached) return cached;
  try {
    const scripts = BUNDLES.map(({ pkg, file }) => {
      const dir = packageDir(pkg);
      const code = readFileSync(path.join(dir, file), 'utf8');
      // A script element ends at the first "</script": a bundle holding one cannot be inlined as is.
      if (/<\/script/i.test(code)) throw new Error(`${pkg}/${file} contains "</script" and cannot be inlined`);
      return { pkg, version: (JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version: string }).version, code };
    });
    cached = { ok: true, scripts };
  } catch (e) {
    cached = {
      ok: false,
      reason: `the browser builds of vega and vega-embed could not be read (${e instanceof Error ? e.message : String(e)}); reinstall chronoeval's dependencies (npm ci) for interactive figures`,
    };
  }
  return cached;
}
