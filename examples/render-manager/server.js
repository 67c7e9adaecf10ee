// The render manager's HTTP API (node:http, no dependencies). Environment: PORT (default 3000),
// HOST (default 127.0.0.1), RENDER_DB (default var/render.sqlite, relative to this directory).
//   GET  /health               200 {"status":"ok"} once ready (database and build there), else 503
//   GET  /api/version          {"version", "revision"}: package.json's and the checkout's at start
//   GET  /api/queue/summary    {"depth", "activeJobs"}: what upkeep's http queue source reads
//   POST /api/jobs             {"name", "status"?: "rendering"|"queued"} -> 201 {"id", "status"}
//   POST /api/jobs/<id>/finish -> 200 {"id", "status": "done"}
//   GET  /                     dist/index.html, written by `npm run build`
"use strict";

const { execFileSync } = require("node:child_process");
const fs = require("node:fs");
const http = require("node:http");
const path = require("node:path");
const db = require("./lib/db");

const port = Number(process.env.PORT || 3000);
const host = process.env.HOST || "127.0.0.1";
const distIndex = path.join(db.appDir, "dist", "index.html");
const { version } = JSON.parse(fs.readFileSync(path.join(db.appDir, "package.json"), "utf8"));

// The revision this process runs, read once: after an update the checkout moves at once, but
// this process keeps running the old code until it is restarted, and must say so.
function checkoutRevision() {
  try {
    return execFileSync("git", ["rev-parse", "HEAD"], { cwd: db.appDir, encoding: "utf8" }).trim();
  } catch (err) {
    console.error(`render-manager: no git revision for ${db.appDir}: ${err.message}`);
    return null;
  }
}
const revision = checkoutRevision();

// Ready once the database answers with its jobs table and the build is there; checked until
// then, so a service started before its migration or build becomes ready without a restart.
let ready = false;
function checkReady() {
  if (ready) return true;
  try {
    db.run("SELECT 1 FROM jobs LIMIT 0;");
    ready = fs.existsSync(distIndex);
  } catch {
    ready = false;
  }
  return ready;
}

function send(res, status, body, type = "application/json") {
  const text = type === "application/json" ? JSON.stringify(body) + "\n" : body;
  res.writeHead(status, { "Content-Type": type, "Content-Length": Buffer.byteLength(text) });
  res.end(text);
}

function readJson(req) {
  return new Promise((resolve, reject) => {
    let text = "";
    req.setEncoding("utf8");
    req.on("data", (chunk) => {
      text += chunk;
      if (text.length > 65536) reject(new Error("body too large"));
    });
    req.on("end", () => {
      try {
        resolve(text.trim() === "" ? {} : JSON.parse(text));
      } catch {
        reject(new Error("body is not JSON"));
      }
    });
    req.on("error", reject);
  });
}

function queueSummary() {
  const [{ depth }] = db.query("SELECT COUNT(*) AS depth FROM jobs WHERE status = 'queued';");
  const activeJobs = db.query(
    "SELECT id, name, status, started_at FROM jobs WHERE status = 'rendering' ORDER BY started_at;",
  );
  return { depth, activeJobs };
}

// Names are shown in the UI and logs: letters, digits and ". _ : -", at most 100.
const JOB_NAME = /^[A-Za-z0-9._:-]{1,100}$/;

function createJob(body) {
  const status = body.status === undefined ? "rendering" : body.status;
  if (typeof body.name !== "string" || !JOB_NAME.test(body.name)) {
    return [400, { error: "name: 1-100 of A-Z a-z 0-9 . _ : -" }];
  }
  if (status !== "rendering" && status !== "queued") {
    return [400, { error: 'status: "rendering" or "queued"' }];
  }
  const startedAt = status === "rendering" ? db.NOW : "NULL";
  const [row] = db.query(
    "INSERT INTO jobs (name, status, created_at, started_at) " +
      `VALUES (${db.quote(body.name)}, '${status}', ${db.NOW}, ${startedAt}) RETURNING id, status;`,
  );
  return [201, row];
}

function finishJob(id) {
  const rows = db.query(
    `UPDATE jobs SET status = 'done', finished_at = ${db.NOW} WHERE id = ${id} RETURNING id, status;`,
  );
  return rows.length === 0 ? [404, { error: `no job ${id}` }] : [200, rows[0]];
}

async function route(req) {
  const url = new URL(req.url, "http://localhost");
  const where = `${req.method} ${url.pathname}`;
  if (where === "GET /health") {
    return checkReady() ? [200, { status: "ok" }] : [503, { status: "starting" }];
  }
  if (!checkReady()) return [503, { error: "starting: no database or no build yet" }];
  if (where === "GET /api/version") return [200, { version, revision }];
  if (where === "GET /api/queue/summary") return [200, queueSummary()];
  if (where === "POST /api/jobs") return createJob(await readJson(req));
  const finish = /^POST \/api\/jobs\/(\d{1,15})\/finish$/.exec(where);
  if (finish) return finishJob(Number(finish[1]));
  if (where === "GET /") return [200, fs.readFileSync(distIndex, "utf8"), "text/html; charset=utf-8"];
  return [404, { error: `no route ${where}` }];
}

const server = http.createServer((req, res) => {
  route(req)
    .then(([status, body, type]) => send(res, status, body, type))
    .catch((err) => {
      const badBody = /^body /.test(err.message);
      if (!badBody) console.error(`render-manager: ${req.method} ${req.url}: ${err.message}`);
      send(res, badBody ? 400 : 500, { error: err.message });
    });
});

server.listen(port, host, () => {
  checkReady();
  console.log(`render-manager ${version} (${revision}) listening on ${host}:${port}`);
});

// pm2 stops an app with SIGINT (systemd with SIGTERM): close the port and exit at once, so a
// restart never waits for an idle keep-alive connection.
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}
