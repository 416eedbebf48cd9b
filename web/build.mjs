#!/usr/bin/env node
// SPDX-License-Identifier: MIT
// build.mjs: build the web playground into one self-contained page.
//
//   node web/build.mjs --clang clang --wasm-ld wasm-ld --out build/web
//
// 1. Compiles the core (every src/core/*.c, the same sources as the library),
//    the script interpreter `buddy run` uses (every src/script/*.c) and the
//    page's C ABI (web/wasm/*.c) with clang --target=wasm32, no libc and no
//    emscripten, and links them with wasm-ld into playground.wasm.
//    -mbulk-memory lets the compiler lower memset/memcpy to memory.fill and
//    memory.copy, so nothing is left for a libc to provide: the link fails if
//    anything is.
// 2. Writes index.html with style.css, app.js and the module (base64)
//    inlined: browsers refuse to fetch a module from file://, and the page
//    must load nothing from anywhere at run time.
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
  const core = await cSources(join(root, 'src', 'core'));
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
function inline(html, marker, tag, text) {
  if (!html.includes(marker)) throw new Error(`index.html lacks ${marker}`);
  if (text.toLowerCase().includes(`</${tag}`)) throw new Error(`inlined ${tag} contains </${tag}`);
  return html.replace(marker, () => `<${tag}>\n${text}</${tag}>`);
}

async function bundle(opts, wasmPath) {
  const page = join(here, 'page');
  let html = await readFile(join(page, 'index.html'), 'utf8');
  const css = await readFile(join(page, 'style.css'), 'utf8');
  const js = await readFile(join(page, 'app.js'), 'utf8');
  const wasm = await readFile(wasmPath);
  html = inline(html, '<link rel="stylesheet" href="style.css">', 'style', css);
  html = inline(html, '<script src="app.js"></script>',
    'script', js);
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
