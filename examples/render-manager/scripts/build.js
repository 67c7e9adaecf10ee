// `npm run build`: renders public/index.html into dist/, stamped with package.json's version,
// and writes dist/version.json. The new dist/ is made beside it and then swapped in, so the
// server never reads a half-written build. BUILD_DELAY_SECONDS sleeps first (a slow build, for
// tests that interrupt one).
"use strict";

const fs = require("node:fs");
const path = require("node:path");

const appDir = path.resolve(__dirname, "..");
const { version } = JSON.parse(fs.readFileSync(path.join(appDir, "package.json"), "utf8"));

const delaySeconds = Number(process.env.BUILD_DELAY_SECONDS || 0);
if (delaySeconds > 0) {
  console.log(`build: waiting ${delaySeconds}s (BUILD_DELAY_SECONDS)`);
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, delaySeconds * 1000);
}

const builtAt = new Date().toISOString();
const html = fs
  .readFileSync(path.join(appDir, "public/index.html"), "utf8")
  .replaceAll("{{version}}", version)
  .replaceAll("{{builtAt}}", builtAt);

// The staging directory is under var/ (ignored by git): a build killed half-way leaves no
// untracked file that would make the checkout dirty.
const dist = path.join(appDir, "dist");
const staging = path.join(appDir, "var", `dist.${process.pid}`);
fs.rmSync(staging, { recursive: true, force: true });
fs.mkdirSync(staging, { recursive: true });
fs.writeFileSync(path.join(staging, "index.html"), html);
fs.writeFileSync(path.join(staging, "version.json"), JSON.stringify({ version, builtAt }) + "\n");
fs.rmSync(dist, { recursive: true, force: true });
fs.renameSync(staging, dist);
console.log(`build: dist/ for ${version} (${builtAt})`);
