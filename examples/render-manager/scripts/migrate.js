// Schema migrations: migrations/NNN_name.up.sql and NNN_name.down.sql.
//   node scripts/migrate.js up     applies the pending .up.sql files in order (npm run db:migrate)
//   node scripts/migrate.js down   undoes what the last `up` applied (npm run db:rollback)
// Each migration runs in one transaction together with its schema_migrations row, so a failing
// statement leaves none of that migration behind. The migrations one `up` applies share a batch
// number; the last `up`'s batch is kept in PRAGMA user_version even when it applied nothing, so
// a rollback after an `up` that failed at its first migration undoes nothing, rather than the
// release before it.
"use strict";

const fs = require("node:fs");
const path = require("node:path");
const db = require("../lib/db");

const migrationsDir = path.join(db.appDir, "migrations");
const TRACKING_TABLE =
  "CREATE TABLE IF NOT EXISTS schema_migrations " +
  "(version TEXT PRIMARY KEY, applied_at TEXT, batch INTEGER);";

function availableVersions() {
  return fs
    .readdirSync(migrationsDir)
    .filter((file) => /^\d+_[A-Za-z0-9_-]+\.up\.sql$/.test(file))
    .map((file) => file.slice(0, -".up.sql".length))
    .sort();
}

function appliedRows() {
  return db.query(`${TRACKING_TABLE}\nSELECT version, batch FROM schema_migrations ORDER BY version;`);
}

function lastBatch() {
  return db.query("PRAGMA user_version;")[0].user_version;
}

function sqlFile(version, direction) {
  return fs.readFileSync(path.join(migrationsDir, `${version}.${direction}.sql`), "utf8");
}

// The migration's own SQL, then its bookkeeping, in one transaction. The ";" ends a last
// statement that has none. sqlite3's line numbers count the BEGIN line too.
function runInTransaction(version, direction, bookkeeping) {
  const sql = sqlFile(version, direction);
  try {
    db.run(`BEGIN;\n${sql}\n;\n${bookkeeping}\nCOMMIT;\n`);
  } catch (err) {
    throw new Error(`${version}.${direction}.sql (rolled back whole): ${err.message}`);
  }
}

function up() {
  const rows = appliedRows();
  const applied = new Set(rows.map((row) => row.version));
  const batch = Math.max(lastBatch(), ...rows.map((row) => row.batch)) + 1;
  db.run(`PRAGMA user_version = ${batch};`);
  const pending = availableVersions().filter((version) => !applied.has(version));
  if (pending.length === 0) {
    console.log("migrate: nothing to migrate");
    return;
  }
  for (const version of pending) {
    runInTransaction(
      version,
      "up",
      "INSERT INTO schema_migrations (version, applied_at, batch) " +
        `VALUES (${db.quote(version)}, ${db.NOW}, ${batch});`,
    );
    console.log(`migrate: applied ${version} (batch ${batch})`);
  }
}

function down() {
  const batch = lastBatch();
  const versions = appliedRows()
    .filter((row) => row.batch === batch)
    .map((row) => row.version)
    .reverse();
  for (const version of versions) {
    runInTransaction(
      version,
      "down",
      `DELETE FROM schema_migrations WHERE version = ${db.quote(version)};`,
    );
    console.log(`migrate: rolled back ${version} (batch ${batch})`);
  }
  if (versions.length === 0) console.log(`migrate: nothing to roll back (batch ${batch} is empty)`);
  db.run(`PRAGMA user_version = ${Math.max(batch - 1, 0)};`);
}

const command = process.argv[2];
if (command !== "up" && command !== "down") {
  console.error("usage: node scripts/migrate.js up|down");
  process.exit(2);
}
try {
  if (command === "up") up();
  else down();
} catch (err) {
  console.error(`migrate ${command} failed: ${err.message}`);
  process.exit(1);
}
