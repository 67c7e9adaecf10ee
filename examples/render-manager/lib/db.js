// The jobs database, through the sqlite3 command-line tool (Debian's package sqlite3): no npm
// dependency, so `npm ci --offline` installs nothing and works without a network.
"use strict";

const { execFileSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");

const appDir = path.resolve(__dirname, "..");

// RENDER_DB, relative to the app directory (default var/render.sqlite, ignored by git).
function dbPath() {
  return path.resolve(appDir, process.env.RENDER_DB || "var/render.sqlite");
}

// Runs SQL text in one sqlite3 process. -bail stops at the first failing statement (an open
// transaction is then rolled back when sqlite3 exits); .timeout waits for a writer's lock
// instead of failing at once. Throws with sqlite3's message on failure.
function run(sql, { json = false } = {}) {
  const file = dbPath();
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const args = ["-bail", "-batch", "-cmd", ".timeout 5000"];
  if (json) args.push("-json");
  args.push(file);
  try {
    return execFileSync("sqlite3", args, { input: sql, encoding: "utf8", stdio: "pipe" });
  } catch (err) {
    const detail = err.stderr ? String(err.stderr).trim() : err.message;
    throw new Error(`sqlite3 ${file}: ${detail}`);
  }
}

// Rows of a query as objects (sqlite3 -json prints nothing for an empty result).
function query(sql) {
  const out = run(sql, { json: true }).trim();
  return out === "" ? [] : JSON.parse(out);
}

// A string as an SQL literal: quotes doubled, the only escape SQLite's literals know.
function quote(text) {
  return `'${String(text).replace(/'/g, "''")}'`;
}

const NOW = "strftime('%Y-%m-%dT%H:%M:%SZ', 'now')";

module.exports = { appDir, dbPath, run, query, quote, NOW };
