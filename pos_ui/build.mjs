// Builds the kiosk POS into dist/: hashed JS and CSS under assets/ (cached
// for a year by the box) and index.html (never cached) that names them.
// No inline script or style: the box serves it under a strict CSP.
import { build } from "esbuild";
import { createHash } from "node:crypto";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = dirname(fileURLToPath(import.meta.url));
const dist = join(root, "dist");
await rm(dist, { recursive: true, force: true });
await mkdir(join(dist, "assets"), { recursive: true });

const result = await build({
  entryPoints: [join(root, "src", "main.tsx")],
  bundle: true,
  minify: true,
  format: "esm",
  target: "es2020",
  jsx: "automatic",
  jsxImportSource: "preact",
  outdir: join(dist, "assets"),
  entryNames: "[name]-[hash]",
  assetNames: "[name]-[hash]",
  metafile: true,
  legalComments: "none",
  logLevel: "warning",
});

const outputs = Object.keys(result.metafile.outputs).map((p) => p.split("/").pop());
const js = outputs.find((f) => f.endsWith(".js"));
const css = outputs.find((f) => f.endsWith(".css"));
const template = await readFile(join(root, "src", "index.html"), "utf8");
const html = template
  .replace("%CSS%", css ? `<link rel="stylesheet" href="assets/${css}">` : "")
  .replace("%JS%", `<script type="module" src="assets/${js}"></script>`);
await writeFile(join(dist, "index.html"), html);

// The service worker caches exactly this build's shell; its cache is named
// after the build so a new build replaces the old cache.
const shell = ["/pos/", ...outputs.map((f) => `/pos/assets/${f}`)];
const version = `pos-${createHash("sha256").update(shell.join("\n")).digest("hex").slice(0, 12)}`;
const sw = (await readFile(join(root, "src", "sw.js"), "utf8"))
  .replace("__VERSION__", version)
  .replace("__SHELL__", JSON.stringify(shell));
await writeFile(join(dist, "sw.js"), sw);
console.log(`pos_ui built: dist/index.html, assets/${js}${css ? `, assets/${css}` : ""}`);
