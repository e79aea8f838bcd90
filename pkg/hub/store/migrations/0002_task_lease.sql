-- Task claims of the task engine (pkg/hub/engine): one row per OPEN task,
-- naming the process that runs it. A lease whose process is gone (same
-- machine: the pid no longer runs with that start time) or whose heartbeat
-- is older than the lease timeout is dead, and its task is taken back.
CREATE TABLE task_lease (
	task_id INTEGER PRIMARY KEY REFERENCES task(id),
	host_id INTEGER NOT NULL REFERENCES host(id),
	hostname TEXT NOT NULL,
	pid INTEGER NOT NULL,
	proc_start INTEGER NOT NULL DEFAULT 0,
	token TEXT NOT NULL,
	heartbeat REAL NOT NULL
);
CREATE INDEX task_lease_token ON task_lease(token);
