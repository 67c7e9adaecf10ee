-- The render jobs: queued, then rendering on a worker, then done.
CREATE TABLE jobs (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  name        TEXT NOT NULL,
  status      TEXT NOT NULL CHECK (status IN ('queued', 'rendering', 'done')),
  created_at  TEXT,
  started_at  TEXT,
  finished_at TEXT
);
