/**
 * `npm run build:desktop`: lays out `dist/desktop/`, the folder electron-builder packs into app.asar
 * (`directories.app` in build/electron-builder.config.ts).
 *
 *   dist/desktop/main.js        ESM main process, every dependency bundled in (only `electron` external)
 *   dist/desktop/preload.cjs    CJS sandboxed preload (a sandboxed preload cannot load npm modules)
 *   dist/desktop/renderer/      copy of dist/renderer/ (Vite build), served as app://klaxon/
 *   dist/desktop/assets/        tray and app images the main process loads at run time
 *   dist/desktop/package.json   name/version/main only, and NO dependencies
 *
 * Why bundle instead of letting electron-builder copy node_modules: the packaged app then carries only
 * the code the main process really imports. Server-only and development packages (oidc-provider,
 * fastify, vitest…) cannot slip in, and there is no native module to rebuild for Electron (which
 * cannot be done offline anyway).
 */
import { build, type BuildOptions, type Message, type Metafile, type Plugin } from 'esbuild';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface BundleOptions {
  root?: string;
  /** Output folder; default `<root>/dist/desktop`. */
  outDir?: string;
}

export interface BundleResult {
  outDir: string;
  files: string[];
  /** Source files (relative to root) that went into main.js / preload.cjs. */
  inputs: { main: string[]; preload: string[] };
}

/** Packages that must never reach the desktop app: server-only, development, or native. */
export const FORBIDDEN_PACKAGES = [
  'better-sqlite3',
  'oidc-provider',
  'fastify',
  '@fastify/cookie',
  '@fastify/static',
  'pino',
  'prom-client',
  'vitest',
  'playwright',
  'playwright-core',
  '@playwright/test',
  'vite',
  'esbuild',
  'electron-builder',
  'tsx',
  // Native add-ons of the Sentry SDK (crash dumps, profiling): optional peers, never installed or bundled.
  '@sentry/node-native',
  '@sentry/profiling-node',
] as const;

/** Source folders of the repository that must never be bundled into the desktop app. */
const FORBIDDEN_SOURCE_DIRS = ['server/', 'dev/', 'test/', 'renderer/', 'build/'];

export class BundleError extends Error {
  override name = 'BundleError';
}

const IMAGE_EXT = new Set(['.png', '.ico', '.icns', '.svg']);

/**
 * Bundled CommonJS packages (electron-updater, its fs-extra…) call `require('fs')` and use
 * `__dirname`. An ES module has neither, so the banner provides them, on globalThis rather than as
 * top-level bindings so they can never clash with a `const require = createRequire(…)` in main.ts.
 */
const ESM_CJS_BANNER = [
  "import { createRequire as __klaxonCreateRequire } from 'node:module';",
  "import { fileURLToPath as __klaxonFileURLToPath } from 'node:url';",
  "import { dirname as __klaxonDirname } from 'node:path';",
  'globalThis.require ??= __klaxonCreateRequire(import.meta.url);',
  'globalThis.__filename ??= __klaxonFileURLToPath(import.meta.url);',
  'globalThis.__dirname ??= __klaxonDirname(globalThis.__filename);',
].join('\n');

/** Fails the build on the first import of a forbidden package, naming the importer. */
function refuseForbiddenPackages(): Plugin {
  return {
    name: 'klaxon-refuse-forbidden-packages',
    setup(b) {
      const pattern = new RegExp(
        `^(${FORBIDDEN_PACKAGES.map((p) => p.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('|')})(/|$)`,
      );
      b.onResolve({ filter: pattern }, (args) => ({
        errors: [
          {
            text: `"${args.path}" must not be part of the desktop app (server-only, development or native package), imported from ${path.relative(ROOT, args.importer) || args.importer}`,
          },
        ],
      }));
      b.onResolve({ filter: /\.node$/ }, (args) => ({
        errors: [
          {
            text: `native module "${args.path}" cannot be part of the desktop app (imported from ${args.importer}): Electron native modules cannot be rebuilt offline and are not signed by this build`,
          },
        ],
      }));
    },
  };
}

function printWarnings(out: string, warnings: Message[]): void {
  for (const w of warnings) {
    const at = w.location ? ` (${w.location.file}:${w.location.line})` : '';
    console.warn(`build:desktop warning in ${out}: ${w.text}${at}`);
  }
}

function must(meta: Metafile | undefined): Metafile {
  if (!meta) throw new BundleError('esbuild returned no metafile');
  return meta;
}

function inputsOf(meta: Metafile, root: string): string[] {
  return Object.keys(meta.inputs).map((p) => path.relative(root, path.resolve(root, p)).split(path.sep).join('/'));
}

function checkInputs(kind: string, inputs: string[]): void {
  const bad = inputs.filter((p) => FORBIDDEN_SOURCE_DIRS.some((d) => p.startsWith(d)));
  if (bad.length > 0) {
    throw new BundleError(
      `${kind} pulls in files that belong to other parts of Klaxon: ${bad.slice(0, 5).join(', ')}. The desktop app may import only electron/ and common/.`,
    );
  }
}

function listFiles(dir: string, base = dir): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) out.push(...listFiles(full, base));
    else out.push(path.relative(base, full).split(path.sep).join('/'));
  }
  return out.sort();
}

export async function bundleDesktop(opts: BundleOptions = {}): Promise<BundleResult> {
  const root = opts.root ?? ROOT;
  const outDir = opts.outDir ?? path.join(root, 'dist/desktop');
  const mainEntry = path.join(root, 'electron/shell/main.ts');
  const preloadEntry = path.join(root, 'electron/shell/preload.ts');
  const rendererDir = path.join(root, 'dist/renderer');

  const missing = [mainEntry, preloadEntry].filter((f) => !existsSync(f));
  if (missing.length > 0) {
    throw new BundleError(
      `cannot bundle the desktop app: ${missing.map((f) => path.relative(root, f)).join(' and ')} not found. ` +
        'These are the Electron entry points (main process and preload); write them first, then run npm run build:desktop again.',
    );
  }
  if (!existsSync(path.join(rendererDir, 'index.html'))) {
    throw new BundleError(
      'cannot bundle the desktop app: dist/renderer/index.html not found. Build the UI first with npm run build:renderer (npm run build does both).',
    );
  }

  const rootPkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as Record<string, unknown>;
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });

  const common: BuildOptions = {
    bundle: true,
    sourcemap: false,
    metafile: true,
    legalComments: 'none',
    // Errors come back in the thrown BundleError, warnings are printed below.
    logLevel: 'silent',
    absWorkingDir: root,
    plugins: [refuseForbiddenPackages()],
    define: { 'process.env.NODE_ENV': '"production"' },
  };

  let mainMeta: Metafile;
  let preloadMeta: Metafile;
  try {
    const main = await build({
      ...common,
      entryPoints: [mainEntry],
      outfile: path.join(outDir, 'main.js'),
      format: 'esm',
      platform: 'node',
      // Electron 45 embeds Node 22.
      target: ['node22'],
      external: ['electron'],
      banner: { js: ESM_CJS_BANNER },
    });
    printWarnings('main.js', main.warnings);
    mainMeta = must(main.metafile);
    const preload = await build({
      ...common,
      entryPoints: [preloadEntry],
      outfile: path.join(outDir, 'preload.cjs'),
      format: 'cjs',
      // A sandboxed preload has no Node: only `electron` (and a few polyfilled modules) can be required.
      platform: 'browser',
      target: ['chrome140'],
      external: ['electron'],
    });
    printWarnings('preload.cjs', preload.warnings);
    preloadMeta = must(preload.metafile);
  } catch (e) {
    throw new BundleError(`esbuild failed: ${(e as Error).message}`);
  }

  const inputs = { main: inputsOf(mainMeta, root), preload: inputsOf(preloadMeta, root) };
  checkInputs('electron/shell/main.ts', inputs.main);
  checkInputs('electron/shell/preload.ts', inputs.preload);

  const preloadCode = readFileSync(path.join(outDir, 'preload.cjs'), 'utf8');
  const requires = [...preloadCode.matchAll(/\brequire\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1]);
  const foreign = requires.filter((r) => r !== 'electron');
  if (foreign.length > 0) {
    throw new BundleError(
      `the preload requires ${[...new Set(foreign)].join(', ')}, which a sandboxed preload cannot load; it may require only "electron".`,
    );
  }

  // The UI, without source maps (they would ship our sources and are not needed in the app).
  cpSync(rendererDir, path.join(outDir, 'renderer'), { recursive: true, filter: (src) => !src.endsWith('.map') });

  const assetsDir = path.join(root, 'assets');
  if (existsSync(assetsDir)) {
    cpSync(assetsDir, path.join(outDir, 'assets'), {
      recursive: true,
      filter: (src) => statSync(src).isDirectory() || IMAGE_EXT.has(path.extname(src).toLowerCase()),
    });
  }

  // No "dependencies": everything is in main.js. electron-builder then copies no node_modules.
  const appPkg = {
    name: rootPkg.name,
    productName: 'Klaxon',
    version: rootPkg.version,
    description: rootPkg.description,
    author: rootPkg.author,
    homepage: rootPkg.homepage,
    license: rootPkg.license,
    main: 'main.js',
    type: 'module',
    // Electron uses it as the Linux app_id / WM_CLASS; matches StartupWMClass of the desktop entry.
    desktopName: 'klaxon.desktop',
  };
  writeFileSync(path.join(outDir, 'package.json'), `${JSON.stringify(appPkg, null, 2)}\n`);

  return { outDir, files: listFiles(outDir), inputs };
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const t0 = Date.now();
  bundleDesktop().then(
    (r) => {
      console.log(
        `dist/desktop: ${r.files.length} files (main.js from ${r.inputs.main.length} sources) in ${Date.now() - t0} ms`,
      );
    },
    (e: unknown) => {
      console.error(`build:desktop failed: ${(e as Error).message}`);
      process.exit(1);
    },
  );
}
