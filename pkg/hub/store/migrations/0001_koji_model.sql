-- Koji's data model (schemas/schema.sql of Koji 1.35), adapted to SQLite.
-- Times are REAL seconds since the Unix epoch (UTC). Booleans are INTEGER 0/1.
-- Versioned tables carry create_event, revoke_event, creator_id, revoker_id and
-- active (1 or NULL, never 0): current rows have active = 1; the rows in force
-- at event E have create_event <= E AND (revoke_event IS NULL OR E < revoke_event).

CREATE TABLE events (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	time REAL NOT NULL
);

CREATE TABLE permissions (
	id INTEGER PRIMARY KEY,
	name TEXT NOT NULL UNIQUE,
	description TEXT
);
INSERT INTO permissions (id, name, description) VALUES
	(1, 'admin', 'Full administrator access. Perform all actions.'),
	(2, 'appliance', 'Create appliance builds - deprecated.'),
	(3, 'dist-repo', 'Create a dist-repo.'),
	(4, 'host', 'Add, remove, enable, disable hosts and channels.'),
	(5, 'image', 'Start image tasks.'),
	(6, 'image-import', 'Import image archives.'),
	(7, 'livecd', 'Start livecd tasks.'),
	(8, 'maven-import', 'Import maven archives.'),
	(9, 'repo', 'Manage repos: newRepo, repoExpire, repoDelete, repoProblem.'),
	(10, 'sign', 'Import RPM signatures and write signed RPMs.'),
	(11, 'tag', 'Manage packages in tags: add, block, remove, and clone tags.'),
	(12, 'target', 'Add, edit, and remove targets.'),
	(13, 'win-admin', 'The default hub policy rule for "vm" requires this permission to trigger Windows builds.'),
	(14, 'win-import', 'Import win archives.'),
	(15, 'draft-promoter', 'The permission required in the default "draft_promotion" hub policy rule to promote draft build.');

CREATE TABLE users (
	id INTEGER PRIMARY KEY,
	name TEXT NOT NULL UNIQUE,
	password TEXT,
	status INTEGER NOT NULL DEFAULT 0,
	usertype INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE user_krb_principals (
	user_id INTEGER NOT NULL REFERENCES users(id),
	krb_principal TEXT NOT NULL UNIQUE
);

CREATE TABLE user_perms (
	user_id INTEGER NOT NULL REFERENCES users(id),
	perm_id INTEGER NOT NULL REFERENCES permissions(id),
	create_event INTEGER NOT NULL REFERENCES events(id),
	revoke_event INTEGER REFERENCES events(id),
	creator_id INTEGER NOT NULL REFERENCES users(id),
	revoker_id INTEGER REFERENCES users(id),
	active INTEGER CHECK (active = 1),
	CHECK ((active IS NULL) = (revoke_event IS NOT NULL))
);
CREATE UNIQUE INDEX user_perms_active ON user_perms(user_id, perm_id, active);

CREATE TABLE user_groups (
	user_id INTEGER NOT NULL REFERENCES users(id),
	group_id INTEGER NOT NULL REFERENCES users(id),
	create_event INTEGER NOT NULL REFERENCES events(id),
	revoke_event INTEGER REFERENCES events(id),
	creator_id INTEGER NOT NULL REFERENCES users(id),
	revoker_id INTEGER REFERENCES users(id),
	active INTEGER CHECK (active = 1),
	CHECK ((active IS NULL) = (revoke_event IS NOT NULL))
);
CREATE UNIQUE INDEX user_groups_active ON user_groups(user_id, group_id, active);

CREATE TABLE sessions (
	id INTEGER PRIMARY KEY,
	user_id INTEGER NOT NULL REFERENCES users(id),
	key TEXT NOT NULL,
	hostip TEXT,
	authtype INTEGER NOT NULL,
	callnum INTEGER,
	master INTEGER REFERENCES sessions(id),
	expired INTEGER NOT NULL DEFAULT 0,
	closed INTEGER NOT NULL DEFAULT 0,
	exclusive INTEGER,
	start_time REAL NOT NULL,
	update_time REAL NOT NULL,
	renew_time REAL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE channels (
	id INTEGER PRIMARY KEY,
	name TEXT NOT NULL UNIQUE,
	description TEXT,
	enabled INTEGER NOT NULL DEFAULT 1,
	comment TEXT
);
INSERT INTO channels (id, name) VALUES (1, 'default'), (2, 'createrepo'), (3, 'maven'),
	(4, 'livecd'), (5, 'appliance'), (6, 'vm'), (7, 'image'), (8, 'livemedia');

CREATE TABLE host (
	id INTEGER PRIMARY KEY,
	user_id INTEGER NOT NULL REFERENCES users(id),
	name TEXT NOT NULL UNIQUE,
	update_time REAL,
	task_load REAL NOT NULL DEFAULT 0.0,
	ready INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE host_config (
	host_id INTEGER NOT NULL REFERENCES host(id),
	arches TEXT,
	capacity REAL NOT NULL DEFAULT 2.0,
	description TEXT,
	comment TEXT,
	enabled INTEGER NOT NULL DEFAULT 1,
	create_event INTEGER NOT NULL REFERENCES events(id),
	revoke_event INTEGER REFERENCES events(id),
	creator_id INTEGER NOT NULL REFERENCES users(id),
	revoker_id INTEGER REFERENCES users(id),
	active INTEGER CHECK (active = 1),
	CHECK ((active IS NULL) = (revoke_event IS NOT NULL))
);
CREATE UNIQUE INDEX host_config_active ON host_config(host_id, active);

CREATE TABLE host_channels (
	host_id INTEGER NOT NULL REFERENCES host(id),
	channel_id INTEGER NOT NULL REFERENCES channels(id),
	create_event INTEGER NOT NULL REFERENCES events(id),
	revoke_event INTEGER REFERENCES events(id),
	creator_id INTEGER NOT NULL REFERENCES users(id),
	revoker_id INTEGER REFERENCES users(id),
	active INTEGER CHECK (active = 1),
	CHECK ((active IS NULL) = (revoke_event IS NOT NULL))
);
CREATE UNIQUE INDEX host_channels_active ON host_channels(host_id, channel_id, active);

CREATE TABLE task (
	id INTEGER PRIMARY KEY,
	state INTEGER NOT NULL DEFAULT 0,
	create_time REAL NOT NULL,
	start_time REAL,
	completion_time REAL,
	channel_id INTEGER NOT NULL REFERENCES channels(id),
	host_id INTEGER REFERENCES host(id),
	parent INTEGER REFERENCES task(id),
	label TEXT,
	waiting INTEGER,
	awaited INTEGER,
	owner INTEGER NOT NULL REFERENCES users(id),
	method TEXT NOT NULL,
	request TEXT NOT NULL,
	result TEXT,
	eta INTEGER,
	arch TEXT NOT NULL,
	priority INTEGER NOT NULL,
	weight REAL NOT NULL DEFAULT 1.0
);
CREATE INDEX task_parent ON task(parent);
CREATE INDEX task_state ON task(state);
CREATE UNIQUE INDEX task_parent_label ON task(parent, label);

CREATE TABLE package (
	id INTEGER PRIMARY KEY,
	name TEXT NOT NULL UNIQUE
);

CREATE TABLE volume (
	id INTEGER PRIMARY KEY,
	name TEXT NOT NULL UNIQUE
);
INSERT INTO volume (id, name) VALUES (0, 'DEFAULT');

CREATE TABLE build (
	id INTEGER PRIMARY KEY,
	volume_id INTEGER NOT NULL DEFAULT 0 REFERENCES volume(id),
	pkg_id INTEGER NOT NULL REFERENCES package(id),
	version TEXT NOT NULL,
	release TEXT NOT NULL,
	epoch INTEGER,
	draft INTEGER NOT NULL DEFAULT 0,
	source TEXT,
	extra TEXT,
	create_event INTEGER NOT NULL REFERENCES events(id),
	start_time REAL,
	completion_time REAL,
	promotion_time REAL,
	state INTEGER NOT NULL,
	task_id INTEGER REFERENCES task(id),
	owner INTEGER NOT NULL REFERENCES users(id),
	promoter INTEGER REFERENCES users(id),
	cg_id INTEGER,
	UNIQUE (pkg_id, version, release)
);
CREATE INDEX build_task ON build(task_id);

CREATE TABLE rpminfo (
	id INTEGER PRIMARY KEY,
	build_id INTEGER REFERENCES build(id),
	buildroot_id INTEGER,
	name TEXT NOT NULL,
	version TEXT NOT NULL,
	release TEXT NOT NULL,
	epoch INTEGER,
	arch TEXT NOT NULL,
	draft INTEGER NOT NULL DEFAULT 0,
	external_repo_id INTEGER NOT NULL DEFAULT 0 REFERENCES external_repo(id),
	payloadhash TEXT NOT NULL,
	size INTEGER NOT NULL,
	buildtime INTEGER NOT NULL,
	metadata_only INTEGER NOT NULL DEFAULT 0,
	extra TEXT,
	UNIQUE (name, version, release, arch, external_repo_id)
);
CREATE INDEX rpminfo_build ON rpminfo(build_id);

CREATE TABLE rpmsigs (
	rpm_id INTEGER NOT NULL REFERENCES rpminfo(id),
	sigkey TEXT NOT NULL,
	sighash TEXT NOT NULL,
	UNIQUE (rpm_id, sigkey)
);

CREATE TABLE tag (
	id INTEGER PRIMARY KEY,
	name TEXT NOT NULL UNIQUE
);

CREATE TABLE tag_config (
	tag_id INTEGER NOT NULL REFERENCES tag(id),
	arches TEXT,
	perm_id INTEGER REFERENCES permissions(id),
	locked INTEGER NOT NULL DEFAULT 0,
	maven_support INTEGER NOT NULL DEFAULT 0,
	maven_include_all INTEGER NOT NULL DEFAULT 0,
	create_event INTEGER NOT NULL REFERENCES events(id),
	revoke_event INTEGER REFERENCES events(id),
	creator_id INTEGER NOT NULL REFERENCES users(id),
	revoker_id INTEGER REFERENCES users(id),
	active INTEGER CHECK (active = 1),
	CHECK ((active IS NULL) = (revoke_event IS NOT NULL))
);
CREATE UNIQUE INDEX tag_config_active ON tag_config(tag_id, active);
CREATE INDEX tag_config_tag ON tag_config(tag_id, create_event);

CREATE TABLE tag_extra (
	tag_id INTEGER NOT NULL REFERENCES tag(id),
	key TEXT NOT NULL,
	value TEXT, -- JSON text; NULL = blocked key
	create_event INTEGER NOT NULL REFERENCES events(id),
	revoke_event INTEGER REFERENCES events(id),
	creator_id INTEGER NOT NULL REFERENCES users(id),
	revoker_id INTEGER REFERENCES users(id),
	active INTEGER CHECK (active = 1),
	CHECK ((active IS NULL) = (revoke_event IS NOT NULL))
);
CREATE UNIQUE INDEX tag_extra_active ON tag_extra(tag_id, key, active);

CREATE TABLE tag_inheritance (
	tag_id INTEGER NOT NULL REFERENCES tag(id),
	parent_id INTEGER NOT NULL REFERENCES tag(id),
	priority INTEGER NOT NULL,
	maxdepth INTEGER,
	intransitive INTEGER NOT NULL DEFAULT 0,
	noconfig INTEGER NOT NULL DEFAULT 0,
	pkg_filter TEXT NOT NULL DEFAULT '',
	create_event INTEGER NOT NULL REFERENCES events(id),
	revoke_event INTEGER REFERENCES events(id),
	creator_id INTEGER NOT NULL REFERENCES users(id),
	revoker_id INTEGER REFERENCES users(id),
	active INTEGER CHECK (active = 1),
	CHECK ((active IS NULL) = (revoke_event IS NOT NULL))
);
CREATE UNIQUE INDEX tag_inheritance_priority ON tag_inheritance(tag_id, priority, active);
CREATE UNIQUE INDEX tag_inheritance_parent ON tag_inheritance(tag_id, parent_id, active);
CREATE INDEX tag_inheritance_parent_id ON tag_inheritance(parent_id);

CREATE TABLE tag_updates (
	id INTEGER PRIMARY KEY,
	tag_id INTEGER NOT NULL REFERENCES tag(id),
	update_event INTEGER NOT NULL REFERENCES events(id),
	updater_id INTEGER NOT NULL REFERENCES users(id),
	update_type INTEGER NOT NULL
);
CREATE INDEX tag_updates_tag ON tag_updates(tag_id, update_event);

CREATE TABLE build_target (
	id INTEGER PRIMARY KEY,
	name TEXT NOT NULL UNIQUE
);

CREATE TABLE build_target_config (
	build_target_id INTEGER NOT NULL REFERENCES build_target(id),
	build_tag INTEGER NOT NULL REFERENCES tag(id),
	dest_tag INTEGER NOT NULL REFERENCES tag(id),
	create_event INTEGER NOT NULL REFERENCES events(id),
	revoke_event INTEGER REFERENCES events(id),
	creator_id INTEGER NOT NULL REFERENCES users(id),
	revoker_id INTEGER REFERENCES users(id),
	active INTEGER CHECK (active = 1),
	CHECK ((active IS NULL) = (revoke_event IS NOT NULL))
);
CREATE UNIQUE INDEX build_target_config_active ON build_target_config(build_target_id, active);

CREATE TABLE tag_listing (
	build_id INTEGER NOT NULL REFERENCES build(id),
	tag_id INTEGER NOT NULL REFERENCES tag(id),
	create_event INTEGER NOT NULL REFERENCES events(id),
	revoke_event INTEGER REFERENCES events(id),
	creator_id INTEGER NOT NULL REFERENCES users(id),
	revoker_id INTEGER REFERENCES users(id),
	active INTEGER CHECK (active = 1),
	CHECK ((active IS NULL) = (revoke_event IS NOT NULL))
);
CREATE UNIQUE INDEX tag_listing_active ON tag_listing(build_id, tag_id, active);
CREATE INDEX tag_listing_tag ON tag_listing(tag_id, active, create_event);
CREATE INDEX tag_listing_tag_event ON tag_listing(tag_id, create_event, revoke_event);

CREATE TABLE tag_packages (
	package_id INTEGER NOT NULL REFERENCES package(id),
	tag_id INTEGER NOT NULL REFERENCES tag(id),
	blocked INTEGER NOT NULL DEFAULT 0,
	extra_arches TEXT,
	create_event INTEGER NOT NULL REFERENCES events(id),
	revoke_event INTEGER REFERENCES events(id),
	creator_id INTEGER NOT NULL REFERENCES users(id),
	revoker_id INTEGER REFERENCES users(id),
	active INTEGER CHECK (active = 1),
	CHECK ((active IS NULL) = (revoke_event IS NOT NULL))
);
CREATE UNIQUE INDEX tag_packages_active ON tag_packages(package_id, tag_id, active);
CREATE INDEX tag_packages_tag ON tag_packages(tag_id, active);

CREATE TABLE tag_package_owners (
	package_id INTEGER NOT NULL REFERENCES package(id),
	tag_id INTEGER NOT NULL REFERENCES tag(id),
	owner INTEGER NOT NULL REFERENCES users(id),
	create_event INTEGER NOT NULL REFERENCES events(id),
	revoke_event INTEGER REFERENCES events(id),
	creator_id INTEGER NOT NULL REFERENCES users(id),
	revoker_id INTEGER REFERENCES users(id),
	active INTEGER CHECK (active = 1),
	CHECK ((active IS NULL) = (revoke_event IS NOT NULL))
);
CREATE UNIQUE INDEX tag_package_owners_active ON tag_package_owners(package_id, tag_id, active);
CREATE INDEX tag_package_owners_tag ON tag_package_owners(tag_id, active);

CREATE TABLE external_repo (
	id INTEGER PRIMARY KEY,
	name TEXT NOT NULL UNIQUE
);
INSERT INTO external_repo (id, name) VALUES (0, 'INTERNAL');

CREATE TABLE external_repo_config (
	external_repo_id INTEGER NOT NULL REFERENCES external_repo(id),
	url TEXT NOT NULL,
	create_event INTEGER NOT NULL REFERENCES events(id),
	revoke_event INTEGER REFERENCES events(id),
	creator_id INTEGER NOT NULL REFERENCES users(id),
	revoker_id INTEGER REFERENCES users(id),
	active INTEGER CHECK (active = 1),
	CHECK ((active IS NULL) = (revoke_event IS NOT NULL))
);
CREATE UNIQUE INDEX external_repo_config_active ON external_repo_config(external_repo_id, active);

CREATE TABLE tag_external_repos (
	tag_id INTEGER NOT NULL REFERENCES tag(id),
	external_repo_id INTEGER NOT NULL REFERENCES external_repo(id),
	priority INTEGER NOT NULL,
	merge_mode TEXT NOT NULL DEFAULT 'koji',
	arches TEXT,
	create_event INTEGER NOT NULL REFERENCES events(id),
	revoke_event INTEGER REFERENCES events(id),
	creator_id INTEGER NOT NULL REFERENCES users(id),
	revoker_id INTEGER REFERENCES users(id),
	active INTEGER CHECK (active = 1),
	CHECK ((active IS NULL) = (revoke_event IS NOT NULL))
);
CREATE UNIQUE INDEX tag_external_repos_priority ON tag_external_repos(tag_id, priority, active);
CREATE UNIQUE INDEX tag_external_repos_repo ON tag_external_repos(tag_id, external_repo_id, active);

CREATE TABLE repo (
	id INTEGER PRIMARY KEY,
	creation_time REAL NOT NULL,
	create_event INTEGER NOT NULL REFERENCES events(id),
	state_time REAL NOT NULL,
	begin_event INTEGER REFERENCES events(id),
	end_event INTEGER REFERENCES events(id),
	tag_id INTEGER NOT NULL REFERENCES tag(id),
	state INTEGER NOT NULL,
	dist INTEGER NOT NULL DEFAULT 0,
	opts TEXT,
	custom_opts TEXT,
	task_id INTEGER REFERENCES task(id)
);
CREATE INDEX repo_tag ON repo(tag_id, state);

-- comps groups (read by repo generation; kept for queryHistory's shape)
CREATE TABLE groups (
	id INTEGER PRIMARY KEY,
	name TEXT NOT NULL UNIQUE
);
CREATE TABLE group_config (
	group_id INTEGER NOT NULL REFERENCES groups(id),
	tag_id INTEGER NOT NULL REFERENCES tag(id),
	blocked INTEGER NOT NULL DEFAULT 0,
	exported INTEGER NOT NULL DEFAULT 1,
	display_name TEXT NOT NULL,
	is_default INTEGER,
	uservisible INTEGER,
	description TEXT,
	langonly TEXT,
	biarchonly INTEGER,
	create_event INTEGER NOT NULL REFERENCES events(id),
	revoke_event INTEGER REFERENCES events(id),
	creator_id INTEGER NOT NULL REFERENCES users(id),
	revoker_id INTEGER REFERENCES users(id),
	active INTEGER CHECK (active = 1),
	CHECK ((active IS NULL) = (revoke_event IS NOT NULL))
);
CREATE UNIQUE INDEX group_config_active ON group_config(group_id, tag_id, active);
CREATE TABLE group_req_listing (
	group_id INTEGER NOT NULL REFERENCES groups(id),
	tag_id INTEGER NOT NULL REFERENCES tag(id),
	req_id INTEGER NOT NULL REFERENCES groups(id),
	blocked INTEGER NOT NULL DEFAULT 0,
	type TEXT,
	is_metapkg INTEGER NOT NULL DEFAULT 0,
	create_event INTEGER NOT NULL REFERENCES events(id),
	revoke_event INTEGER REFERENCES events(id),
	creator_id INTEGER NOT NULL REFERENCES users(id),
	revoker_id INTEGER REFERENCES users(id),
	active INTEGER CHECK (active = 1),
	CHECK ((active IS NULL) = (revoke_event IS NOT NULL))
);
CREATE UNIQUE INDEX group_req_listing_active ON group_req_listing(group_id, tag_id, req_id, active);
CREATE TABLE group_package_listing (
	group_id INTEGER NOT NULL REFERENCES groups(id),
	tag_id INTEGER NOT NULL REFERENCES tag(id),
	package TEXT NOT NULL,
	blocked INTEGER NOT NULL DEFAULT 0,
	type TEXT NOT NULL,
	basearchonly INTEGER,
	requires TEXT,
	create_event INTEGER NOT NULL REFERENCES events(id),
	revoke_event INTEGER REFERENCES events(id),
	creator_id INTEGER NOT NULL REFERENCES users(id),
	revoker_id INTEGER REFERENCES users(id),
	active INTEGER CHECK (active = 1),
	CHECK ((active IS NULL) = (revoke_event IS NOT NULL))
);
CREATE UNIQUE INDEX group_package_listing_active ON group_package_listing(group_id, tag_id, package, active);

-- the hub's own settings (local user, options)
CREATE TABLE hub_settings (
	key TEXT PRIMARY KEY,
	value TEXT NOT NULL
);
