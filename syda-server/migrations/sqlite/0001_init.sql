-- Projects, API keys and their project scopes, the audit trail and background jobs.
-- Timestamps are RFC 3339 text and flags are 0/1 integers so that the same
-- queries read both PostgreSQL and SQLite.
CREATE TABLE projects (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    name        TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL
);

CREATE TABLE api_keys (
    id         TEXT PRIMARY KEY,
    hash       TEXT NOT NULL UNIQUE,
    admin      INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
);

CREATE TABLE api_key_projects (
    key_id  TEXT NOT NULL REFERENCES api_keys (id) ON DELETE CASCADE,
    project TEXT NOT NULL,
    PRIMARY KEY (key_id, project)
);

CREATE TABLE transactions (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    project     TEXT,
    operation   TEXT NOT NULL,
    parameters  TEXT NOT NULL,
    rows_in     INTEGER,
    rows_out    INTEGER,
    status      TEXT NOT NULL,
    http_status INTEGER NOT NULL,
    error       TEXT,
    duration_ms INTEGER NOT NULL,
    caller      TEXT,
    job_id      TEXT,
    created_at  TEXT NOT NULL
);
CREATE INDEX transactions_project_id ON transactions (project, id);

CREATE TABLE jobs (
    id           TEXT PRIMARY KEY,
    project      TEXT NOT NULL,
    operation    TEXT NOT NULL,
    status       TEXT NOT NULL,
    progress     INTEGER NOT NULL DEFAULT 0,
    total        INTEGER NOT NULL,
    content_type TEXT,
    result       TEXT,
    error        TEXT,
    caller       TEXT,
    created_at   TEXT NOT NULL,
    finished_at  TEXT
);
