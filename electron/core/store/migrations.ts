// Numbered, forward-only. Never edit a migration that has shipped; add the next one.
export const MIGRATIONS: readonly string[] = [
  // 1: the initial schema
  `
  CREATE TABLE jobs (
    id            INTEGER PRIMARY KEY AUTOINCREMENT, -- AUTOINCREMENT: ids are never reused, even after deletes
    title         TEXT    NOT NULL,
    kind          TEXT    NOT NULL,
    spec          TEXT    NOT NULL,                  -- JSON, kind-specific (command: argv|shell, env)
    cwd           TEXT    NOT NULL,
    priority      INTEGER NOT NULL DEFAULT 0,
    after         TEXT    NOT NULL DEFAULT '[]',     -- JSON copy of job_deps for display
    labels        TEXT    NOT NULL DEFAULT '[]',
    status        TEXT    NOT NULL,
    attempt       INTEGER NOT NULL DEFAULT 0,
    max_retries   INTEGER NOT NULL DEFAULT 0,
    retry_backoff_ms INTEGER NOT NULL DEFAULT 5000,
    auto_retries  INTEGER NOT NULL DEFAULT 0,        -- automatic retries used since the last manual start
    timeout_ms    INTEGER,
    not_before    INTEGER,
    restartable   INTEGER NOT NULL DEFAULT 0,
    capture_patch INTEGER NOT NULL DEFAULT 0,
    eta_key       TEXT    NOT NULL,
    plan          TEXT    NOT NULL DEFAULT '[]',
    created_at    INTEGER NOT NULL,
    started_at    INTEGER,
    finished_at   INTEGER,
    progress      TEXT,
    exit_code     INTEGER,
    signal        TEXT,
    error         TEXT,
    result        TEXT,
    pgid          INTEGER,
    read_at       INTEGER
  );
  CREATE INDEX jobs_ready ON jobs(status, priority DESC, id);
  CREATE INDEX jobs_eta_key ON jobs(eta_key);
  CREATE TABLE job_deps (
    job_id INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    dep_id INTEGER NOT NULL,
    PRIMARY KEY (job_id, dep_id)
  ) WITHOUT ROWID;
  CREATE INDEX job_deps_dep ON job_deps(dep_id);
  CREATE TABLE attempts (
    job_id      INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    n           INTEGER NOT NULL,
    status      TEXT    NOT NULL,
    started_at  INTEGER NOT NULL,
    finished_at INTEGER,
    exit_code   INTEGER,
    signal      TEXT,
    error       TEXT,
    result      TEXT,
    pgid        INTEGER,
    PRIMARY KEY (job_id, n)
  ) WITHOUT ROWID;
  CREATE TABLE steps (
    job_id      INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    attempt     INTEGER NOT NULL,
    idx         INTEGER NOT NULL,
    name        TEXT    NOT NULL,
    status      TEXT    NOT NULL,
    started_at  INTEGER,
    finished_at INTEGER,
    PRIMARY KEY (job_id, attempt, idx)
  ) WITHOUT ROWID;
  CREATE TABLE events (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    job_id  INTEGER NOT NULL,                 -- no FK: the audit trail outlives nothing but an explicit rm
    attempt INTEGER NOT NULL,
    at      INTEGER NOT NULL,
    type    TEXT    NOT NULL,
    by      TEXT    NOT NULL,
    data    TEXT    NOT NULL DEFAULT '{}'
  );
  CREATE INDEX events_job ON events(job_id, id);
  CREATE TABLE approvals (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    job_id       INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    attempt      INTEGER NOT NULL,
    question     TEXT    NOT NULL,
    context      TEXT,
    requested_at INTEGER NOT NULL,
    decision     TEXT,
    note         TEXT,
    decided_at   INTEGER,
    decided_by   TEXT
  );
  CREATE INDEX approvals_job ON approvals(job_id);
  CREATE INDEX approvals_open ON approvals(decision) WHERE decision IS NULL;
  CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
  ) WITHOUT ROWID;
  `,
  // 2: indexes so the scheduler and the status line cost the same with 100k jobs stored:
  //    the next delayed start (retry backoff, --delay), and unread problems ("needs you")
  `
  CREATE INDEX jobs_due ON jobs(not_before) WHERE status = 'queued' AND not_before IS NOT NULL;
  CREATE INDEX jobs_unread_problems ON jobs(status) WHERE status IN ('failed', 'interrupted') AND read_at IS NULL;
  `,
  // 3: runners behind one interface.
  //    jobs.lock_tree: the git work tree a job needs to itself, as a column the scheduler reads
  //    whatever the kind (was spec.worktree of a patch-capturing command).
  //    attempts.leader_*: how the leader process ended, recorded the moment it does, so a
  //    cancel, a shutdown or a crash while leftovers drain or a patch is captured cannot turn
  //    an exit 0 into a cancelled or interrupted attempt (or run a restartable job twice).
  //    An index for unread results ("needs you" has one since 2).
  `
  ALTER TABLE jobs ADD COLUMN lock_tree TEXT;
  UPDATE jobs SET lock_tree = json_extract(spec, '$.worktree') WHERE capture_patch = 1;
  ALTER TABLE attempts ADD COLUMN leader_exit_code INTEGER;
  ALTER TABLE attempts ADD COLUMN leader_signal TEXT;
  ALTER TABLE attempts ADD COLUMN leader_exited_at INTEGER;
  CREATE INDEX jobs_unread_results ON jobs(status) WHERE status = 'succeeded' AND read_at IS NULL AND result IS NOT NULL;
  `,
  // 4: agent jobs. A step can be an agent's tool call (its kind and its input in short);
  //    a job has the token usage its agent reports; an approval can be a request to use a
  //    tool, and an approval's scope says whether it covers the rest of the job.
  `
  ALTER TABLE steps ADD COLUMN tool TEXT;
  ALTER TABLE steps ADD COLUMN detail TEXT;
  ALTER TABLE jobs ADD COLUMN usage TEXT;
  ALTER TABLE approvals ADD COLUMN tool TEXT;
  ALTER TABLE approvals ADD COLUMN scope TEXT;
  `,
  // 5: who added a job (the CLI, the window, an MCP client by the name it gave): shown
  //    with the job ("added by claude-code"); the created event has always said it too.
  `
  ALTER TABLE jobs ADD COLUMN added_by TEXT;
  UPDATE jobs SET added_by = (SELECT by FROM events e WHERE e.job_id = jobs.id AND e.type = 'created' ORDER BY e.id LIMIT 1);
  `,
  // 6: a job's running steps, found without scanning every step it ever took (an agent
  //    records hundreds; each new one looks for the running ones).
  `
  CREATE INDEX steps_running ON steps(job_id, attempt, name) WHERE status = 'running';
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;
