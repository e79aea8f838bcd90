-- Buildroots as Koji records them (buildroot + standard_buildroot, one
-- table here): the buildroot a buildArch task built in, its repo and
-- arch, and buildroot_listing, the hub's RPMs installed in it. Built RPMs
-- point to it with rpminfo.buildroot_id.
CREATE TABLE buildroot (
	id INTEGER PRIMARY KEY,
	br_type INTEGER NOT NULL DEFAULT 0,
	container_type TEXT,
	container_arch TEXT,
	host_os TEXT,
	host_arch TEXT,
	extra TEXT,
	host_id INTEGER REFERENCES host(id),
	repo_id INTEGER REFERENCES repo(id),
	task_id INTEGER REFERENCES task(id),
	create_event INTEGER NOT NULL REFERENCES events(id),
	retire_event INTEGER,
	state INTEGER
);
CREATE INDEX buildroot_task ON buildroot(task_id);
CREATE TABLE buildroot_listing (
	buildroot_id INTEGER NOT NULL REFERENCES buildroot(id),
	rpm_id INTEGER NOT NULL REFERENCES rpminfo(id),
	is_update INTEGER NOT NULL DEFAULT 0,
	UNIQUE (buildroot_id, rpm_id)
);
CREATE INDEX buildroot_listing_rpms ON buildroot_listing(rpm_id);
