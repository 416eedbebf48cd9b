#!/usr/bin/env node
// SPDX-License-Identifier: MIT
// build.mjs: build the web playground into one self-contained page.
//
//   node web/build.mjs --clang clang --wasm-ld wasm-ld --out build/web
//
// 1. Compiles the core (every src/core/*.c, the same sources as the library,
//    and src/tenant/*.c, which the script's tenant commands call),
//    the script interpreter `buddy run` uses (every src/script/*.c) and the
//    page's C ABI (web/wasm/*.c) with clang --target=wasm32, no libc and no
//    emscripten, and links them with wasm-ld into playground.wasm.
//    -mbulk-memory lets the compiler lower memset/memcpy to memory.fill and
//    memory.copy, so nothing is left for a libc to provide: the link fails if
//    anything is.
// 2. Writes index.html with style.css, the page's ES modules and the module
//    (base64) inlined: browsers refuse to fetch a module from file://, and
//    the page must load nothing from anywhere at run time. The modules
//    (web/page/*.js, from main.js down its imports) are bundled by bundleJs
//    below: each becomes a function scope, in the order their imports give,
//    inside one <script type="module">.
//
// Node's standard library only; no npm packages. Options:
//   --clang PATH  --wasm-ld PATH  --out DIR  --debug-level N (BUDDY_DEBUG, 1)

import { execFile } from 'node:child_process';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..');

function parseArgs(argv) {
  const opts = { clang: 'clang', wasmLd: 'wasm-ld', out: join(root, 'build', 'web'), debug: '1' };
  const names = { '--clang': 'clang', '--wasm-ld': 'wasmLd', '--out': 'out', '--debug-level': 'debug' };
  for (let i = 0; i < argv.length; i++) {
    const key = names[argv[i]];
    if (!key || i + 1 >= argv.length) {
      throw new Error(`usage: build.mjs [--clang PATH] [--wasm-ld PATH] [--out DIR] [--debug-level N] (bad: ${argv[i]})`);
    }
    opts[key] = argv[++i];
  }
  opts.out = resolve(opts.out);
  return opts;
}

const CFLAGS = [
  '--target=wasm32', '-std=c11', '-O2', '-ffreestanding', '-nostdlib', '-mbulk-memory',
  '-fvisibility=hidden', '-Wall', '-Wextra', '-Wshadow', '-Wstrict-prototypes',
  '-Wmissing-prototypes', '-Werror',
];

async function cSources(dir) {
  const names = (await readdir(dir)).filter((n) => n.endsWith('.c')).sort();
  return names.map((n) => join(dir, n));
}

async function compile(opts) {
  const objDir = join(opts.out, 'obj');
  await mkdir(objDir, { recursive: true });
  // The tenants are the script's (its tenant commands): compiled with the core.
  const core = [...await cSources(join(root, 'src', 'core')),
    ...await cSources(join(root, 'src', 'tenant'))];
  const script = await cSources(join(root, 'src', 'script'));
  const web = await cSources(join(here, 'wasm'));
  const flags = [...CFLAGS, `-DBUDDY_DEBUG=${opts.debug}`, '-I', join(root, 'include'),
    '-I', join(root, 'src', 'script')];
  const objects = await Promise.all([...core, ...script, ...web].map(async (src) => {
    const prefix = core.includes(src) ? 'core_' : script.includes(src) ? 'script_' : 'web_';
    const obj = join(objDir, prefix + src.split('/').pop().replace(/\.c$/, '.o'));
    await run(opts.clang, [...flags, '-c', src, '-o', obj]);
    return obj;
  }));
  const wasm = join(opts.out, 'playground.wasm');
  // Exports come from export_name attributes (PG_EXPORT); everything else is
  // internal and garbage-collected. No entry point: the page calls in.
  await run(opts.wasmLd, ['--no-entry', '--strip-all', '-z', 'stack-size=65536',
    '-o', wasm, ...objects]);
  return wasm;
}

// Put `text` where `marker` is in `html`, refusing text that would close the
// element it is inlined into.
function inline(html, marker, tag, text, attrs = '') {
  if (!html.includes(marker)) throw new Error(`index.html lacks ${marker}`);
  if (text.toLowerCase().includes(`</${tag}`)) throw new Error(`inlined ${tag} contains </${tag}`);
  return html.replace(marker, () => `<${tag}${attrs}>\n${text}</${tag}>`);
}

// The page's own modules use one form of import and three of export, and
// bundleJs understands only those, refusing anything else rather than
// guessing:
//   import { a, b as c } from './name.js';
//   export function f / export async function f / export class C / export const x
const IMPORT = /^import\s*\{([^}]*)\}\s*from\s*'\.\/([\w-]+)\.js';[ \t]*$/gm;
const EXPORT = /^export\s+(?:async\s+function|function|class|const)\s+([A-Za-z_$][\w$]*)/gm;

// Bundle main.js and what it imports into one script: each module's body in
// a function of its own (so their top-level names never meet), run once, in
// dependency order; its exports are what the function returns, and an
// import is a destructuring of them.
async function bundleJs(dir, entry) {
  const done = new Map(); // name -> code, in the order they must run
  const exports = new Map(); // name -> the names it exports
  const visiting = new Set();
  const ident = (name) => `module_${name.replace(/-/g, '_')}`;
  async function visit(name) {
    if (done.has(name)) return;
    if (visiting.has(name)) throw new Error(`page/${name}.js: an import cycle`);
    visiting.add(name);
    const text = await readFile(join(dir, `${name}.js`), 'utf8');
    const imports = []; // [module, [name ...]]
    let body = text.replace(IMPORT, (_, names, from) => {
      const list = names.split(',').map((n) => n.trim()).filter(Boolean);
      imports.push([from, list.map((n) => n.split(/\s+/)[0])]);
      return `const { ${list.map((n) => n.replace(/^(\S+)\s+as\s+(\S+)$/, '$1: $2')).join(', ')} } = ${ident(from)};`;
    });
    if (/^\s*(import|export)\b(?!\s+(async\s+function|function|class|const)\s)/m.test(body)) {
      throw new Error(`page/${name}.js: an import or export form build.mjs does not bundle`);
    }
    const exported = [...body.matchAll(EXPORT)].map((m) => m[1]);
    body = body.replace(/^export\s+/gm, '');
    exports.set(name, exported);
    for (const [from, names] of imports) {
      await visit(from);
      const missing = names.filter((n) => !exports.get(from).includes(n));
      if (missing.length) throw new Error(`page/${name}.js imports ${missing.join(', ')}, which page/${from}.js does not export`);
    }
    visiting.delete(name);
    done.set(name, `// ---- page/${name}.js\nconst ${ident(name)} = (() => {\n${body}\nreturn { ${exported.join(', ')} };\n})();\n`);
  }
  await visit(entry);
  return [...done.values()].join('\n');
}

async function bundle(opts, wasmPath) {
  const page = join(here, 'page');
  let html = await readFile(join(page, 'index.html'), 'utf8');
  const css = await readFile(join(page, 'style.css'), 'utf8');
  const js = await bundleJs(page, 'main');
  const wasm = await readFile(wasmPath);
  html = inline(html, '<link rel="stylesheet" href="style.css">', 'style', css);
  html = inline(html, '<script type="module" src="main.js"></script>', 'script', js, ' type="module"');
  const module = `<script id="buddy-wasm" type="application/wasm;base64">${wasm.toString('base64')}</script>\n`;
  html = html.replace('<!-- wasm -->', () => module);
  if (!html.includes('id="buddy-wasm"')) throw new Error('index.html lacks the <!-- wasm --> marker');
  const out = join(opts.out, 'index.html');
  await writeFile(out, html);
  return { out, wasmBytes: wasm.length, htmlBytes: Buffer.byteLength(html) };
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const wasm = await compile(opts);
  const { out, wasmBytes, htmlBytes } = await bundle(opts, wasm);
  console.log(`playground: ${out} (${htmlBytes} bytes, module ${wasmBytes} bytes)`);
}

main().catch((err) => {
  console.error(`build.mjs: ${err.stderr || err.message}`);
  process.exit(1);
});
