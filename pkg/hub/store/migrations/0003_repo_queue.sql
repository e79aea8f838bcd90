-- Koji 1.35's repo request queue (repo.request, repo.checkRequest,
-- repo.queryQueue). The task engine's kojira pass makes the newRepo task of
-- a waiting request (task_id, tries); repoDone records the repo that
-- satisfies it (repo_id) and makes it inactive. Times are seconds, as in
-- the other tables; opts is the request's repo options as JSON.
CREATE TABLE repo_queue (
	id INTEGER PRIMARY KEY,
	create_time REAL NOT NULL,
	owner INTEGER NOT NULL REFERENCES users(id),
	priority INTEGER NOT NULL,
	tag_id INTEGER NOT NULL REFERENCES tag(id),
	at_event INTEGER REFERENCES events(id),
	min_event INTEGER REFERENCES events(id),
	opts TEXT NOT NULL,
	update_time REAL NOT NULL,
	active INTEGER NOT NULL DEFAULT 1,
	task_id INTEGER REFERENCES task(id),
	tries INTEGER NOT NULL DEFAULT 0,
	repo_id INTEGER REFERENCES repo(id),
	CHECK (at_event IS NULL OR min_event IS NULL),
	CHECK (NOT active OR repo_id IS NULL)
);
CREATE INDEX repo_queue_tag ON repo_queue(tag_id, active);
