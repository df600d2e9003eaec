#!/usr/bin/env node
// Stale references: repo file paths cited in code comments (.ts/.mjs/.js) and in README.md + docs/*.md
// that name no file in the repo. Prints `file:line: reference` for each and exits 1 if there is any.
// Usage: node scripts/check-refs.mjs [FILE...]   (default: the whole repo)
//
// What counts as a reference:
// - a path with a folder and a known extension: `analysis/load/ns-parse.ts`, `dist/src/cli.js` (a built
//   file: stands for its .ts source), `../cases/figures.js`. It is resolved against the repo root, the
//   citing file's folder and that folder's parents (so `fold/gather.ts` cited in analysis/ is found);
// - in a code comment, a bare file name (`gather.ts`), resolved in the citing file's folder and its parents
//   up to its stage folder (analysis/fold/x.ts: analysis/fold/, analysis/);
// - in markdown, a link target `[text](path)`, resolved against the markdown file's folder.
// Not checked: run output (results/, logs/), URLs, absolute paths, paths with placeholders (<run>, *, ${}).
import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SKIP_DIRS = new Set(['.git', 'node_modules', 'dist', 'results', 'logs', '.tmp', 'build']);
const CODE_EXT = /\.(ts|mts|mjs|js)$/;
const REF_EXT = 'ts|mts|mjs|js|md|json|sh|c|h|gyp|yaml|yml|sbatch|png|svg|html|csv';
// A path with at least one folder: segments of word characters, dots and dashes, starting at a boundary.
const PATH_RE = new RegExp(String.raw`(?<![\w./<>*$-])((?:\.\.?/)*(?:[\w@][\w.-]*/)+[\w.-]+\.(?:${REF_EXT}))(?![\w/-])`, 'g');
const BARE_RE = /(?<![\w./<>*$@-])([A-Za-z_][\w-]*(?:\.[\w-]+)*\.(?:ts|mts|mjs|js))(?![\w/-])/g;
// Data files named by a path that does not start at a repo folder are run output (workers/w1.csv).
const DATA_EXT = /\.(json|csv|png|svg|html)$/;
const LINK_RE = /\]\(([^)\s#]+)(?:#[^)]*)?\)/g;
// Names that are not files of this repo even when they look like one.
const NOT_FILES = new Set(['node.js', 'Node.js', 'vega-lite.js', 'vega.js', 'next.js', 'Next.js']);
// Files of other projects that the docs cite by their own path (clock-bound's protocol description).
const EXTERNAL = new Set(['docs/PROTOCOL.md']);

const exists = (rel) => {
  const p = path.join(root, rel);
  return existsSync(p);
};

/** A cited path → the repo-relative candidates it may name (built .js → its .ts source). */
function candidates(ref) {
  let p = ref.replace(/^\.\//, '');
  const out = [p];
  if (p.startsWith('dist/')) {
    p = p.slice('dist/'.length);
    out.push(p);
  }
  if (/\.js$/.test(p)) out.push(p.replace(/\.js$/, '.ts'));
  if (/\.mjs$/.test(p)) out.push(p.replace(/\.mjs$/, '.mts'));
  return out;
}

/** The citing file's folder and its parents, up to but not including the repo root. */
function folders(file, stopAtStage) {
  const dirs = [];
  let d = path.posix.dirname(file);
  while (d !== '.' && d !== '') {
    dirs.push(d);
    d = path.posix.dirname(d);
  }
  // A bare name looks in the file's folder and its stage folder (the top two levels, e.g. analysis/fold).
  return stopAtStage ? dirs.filter((x, i) => i === 0 || x.split('/').length <= 2) : dirs;
}

function resolves(ref, file, { bare }) {
  const bases = bare ? folders(file, true) : ['', ...folders(file, false)];
  for (const base of bases) {
    const joined = path.posix.normalize(base ? `${base}/${ref}` : ref);
    if (joined.startsWith('../')) continue;
    if (candidates(joined).some(exists)) return true;
  }
  // A test or bench file names the module it exercises by its bare name (ready-guard.ts): that
  // name must be one file of src/ or analysis/.
  if (bare && /^(test|bench)\//.test(file)) return candidates(ref).some((c) => (SOURCES.get(c) ?? 0) === 1);
  return false;
}

const TOP = new Set(readdirSync(root).filter((e) => !SKIP_DIRS.has(e) && statSync(path.join(root, e)).isDirectory()));

function skipped(ref, before) {
  if (NOT_FILES.has(ref) || EXTERNAL.has(ref)) return true;
  // "clock-bound's docs/PROTOCOL.md": another project's file.
  if (/'s\s+[`*"]?$/.test(before)) return true;
  const segs = ref.replace(/^(\.\.?\/)+/, '').split('/');
  if (['results', 'logs', 'node_modules', 'tmp'].includes(segs[0])) return true;
  if (segs.some((s) => /^[A-Z][A-Z0-9_]+$/.test(s))) return true; // RUN_DIR/stats.json: a placeholder
  if (DATA_EXT.test(ref) && !ref.startsWith('.') && !TOP.has(segs[0]) && segs.length > 1) return true;
  if (/^dist\/(native|results)\//.test(ref)) return true;
  return false;
}

/**
 * The comments of a JS/TS source as [line, text] pairs. A small scanner: strings, template
 * literals and regex literals are skipped so that `'//'` in a string is not a comment.
 */
function comments(src) {
  const out = [];
  let i = 0;
  let line = 1;
  let prev = ''; // last significant character, to tell a regex literal from a division
  const n = src.length;
  const templateDepth = [];
  while (i < n) {
    const c = src[i];
    if (c === '\n') {
      line++;
      i++;
      continue;
    }
    if (c === '/' && src[i + 1] === '/') {
      const end = src.indexOf('\n', i);
      const stop = end < 0 ? n : end;
      out.push([line, src.slice(i + 2, stop)]);
      i = stop;
      continue;
    }
    if (c === '/' && src[i + 1] === '*') {
      const end = src.indexOf('*/', i + 2);
      const stop = end < 0 ? n : end;
      src
        .slice(i + 2, stop)
        .split('\n')
        .forEach((t, k) => out.push([line + k, t]));
      for (let k = i; k < stop; k++) if (src[k] === '\n') line++;
      i = stop + 2;
      continue;
    }
    if (c === "'" || c === '"') {
      i++;
      while (i < n && src[i] !== c && src[i] !== '\n') i += src[i] === '\\' ? 2 : 1;
      i++;
      prev = 'a';
      continue;
    }
    if (c === '`' || (c === '}' && templateDepth.length && templateDepth[templateDepth.length - 1] === 0)) {
      if (c === '}') templateDepth.pop();
      i++;
      while (i < n && src[i] !== '`') {
        if (src[i] === '\\') i += 2;
        else if (src[i] === '$' && src[i + 1] === '{') {
          templateDepth.push(0);
          i += 2;
          break;
        } else {
          if (src[i] === '\n') line++;
          i++;
        }
      }
      if (src[i] === '`') i++;
      prev = 'a';
      continue;
    }
    if (c === '{' && templateDepth.length) templateDepth[templateDepth.length - 1]++;
    if (c === '}' && templateDepth.length) templateDepth[templateDepth.length - 1]--;
    if (
      c === '/' &&
      (prev === '' || '(,=:[!&|?{};+-*%<>~^'.includes(prev) || /\b(return|typeof|case|of|in)\s*$/.test(src.slice(Math.max(0, i - 8), i)))
    ) {
      // regex literal
      i++;
      let cls = false;
      while (i < n && src[i] !== '\n') {
        if (src[i] === '/' && !cls) break;
        if (src[i] === '[') cls = true;
        else if (src[i] === ']') cls = false;
        i += src[i] === '\\' ? 2 : 1;
      }
      i++;
      prev = 'a';
      continue;
    }
    if (!/\s/.test(c)) prev = c;
    i++;
  }
  return out;
}

function* refsInText(raw, { bare, links }) {
  const text = raw.replace(/<(root|repo)>\//g, ''); // "<root>/dist/src/cli.js" is a repo path
  for (const m of text.matchAll(PATH_RE)) {
    yield { ref: m[1], bare: false, before: text.slice(0, m.index) };
  }
  if (bare) for (const m of text.matchAll(BARE_RE)) yield { ref: m[1], bare: true, before: text.slice(0, m.index) };
  if (links) {
    for (const m of text.matchAll(LINK_RE)) {
      const t = m[1];
      if (/^[a-z]+:/i.test(t) || t.startsWith('/')) continue;
      yield { ref: t, bare: false, link: true, before: '' };
    }
  }
}

function check(file) {
  const src = readFileSync(path.join(root, file), 'utf8');
  const md = file.endsWith('.md');
  const lines = md ? src.split('\n').map((t, k) => [k + 1, t]) : comments(src);
  const found = [];
  for (const [line, text] of lines) {
    const reported = new Set();
    for (const { ref, bare, link, before } of refsInText(text, { bare: !md, links: md })) {
      checked++;
      if (reported.has(ref) || skipped(ref, before) || /[<>*{}$]/.test(ref)) continue;
      const ok = link
        ? candidates(path.posix.normalize(path.posix.join(path.posix.dirname(file), ref))).some(exists)
        : resolves(ref, file, { bare });
      if (!ok) {
        reported.add(ref);
        found.push(`${file}:${line}: ${ref}`);
      }
    }
  }
  return found;
}

let checked = 0;
/** Base name → how many files of src/ and analysis/ have it. */
const SOURCES = new Map();

function walk(dir, files) {
  for (const e of readdirSync(path.join(root, dir)).sort()) {
    const rel = dir ? `${dir}/${e}` : e;
    if (statSync(path.join(root, rel)).isDirectory()) {
      if (!SKIP_DIRS.has(e)) walk(rel, files);
    } else if (CODE_EXT.test(e) || (e.endsWith('.md') && (rel === 'README.md' || rel.startsWith('docs/')))) files.push(rel);
  }
  return files;
}

const all = walk('', []);
for (const f of all) if (/^(src|analysis)\//.test(f)) SOURCES.set(path.posix.basename(f), (SOURCES.get(path.posix.basename(f)) ?? 0) + 1);
const SELF = path
  .relative(root, fileURLToPath(import.meta.url))
  .split(path.sep)
  .join('/');
const args = process.argv.slice(2);
const files = args.length ? args.map((a) => path.relative(root, path.resolve(a)).split(path.sep).join('/')) : all.filter((f) => f !== SELF);
const findings = files.flatMap(check);
if (process.env.CHECK_REFS_VERBOSE) console.error(`check-refs: ${checked} references in ${files.length} files`);
for (const f of findings) console.log(f);
if (findings.length) {
  console.error(`check-refs: ${findings.length} reference(s) to files that are not in the repo`);
  process.exit(1);
}
