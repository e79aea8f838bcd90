package koji

import (
	"context"
	"fmt"
	"io"
)

// Hub is Koji's API as typed Go methods, one per hub call the project uses.
// pkg/koji/client implements it over XML-RPC against any Koji hub and
// pkg/hub implements it in-process.
//
// Conventions (see also the package comment):
//   - Positional arguments of the Koji call are Go arguments; keyword
//     arguments are an options struct whose zero value means Koji's
//     defaults. Unset fields are not sent (pointers and omitempty tags), so a
//     zero options struct sends no kwargs at all.
//   - Objects named by id or name are a Ref (ByID, ByName, ByFields).
//   - Get* methods return (nil, nil) when Koji answers None (the object does
//     not exist) unless the options have Strict set, in which case the miss is
//     Koji's GenericError fault ("No such ...") and IsNotFound(err) is true.
//     Methods whose Koji call always raises on a miss say so.
//   - Hub faults are returned as *Fault. Transport problems are other errors.
type Hub interface {
	// --- Handshake and session ---

	// GetAPIVersion is getAPIVersion(): 1.
	GetAPIVersion(ctx context.Context) (int, error)
	// GetKojiVersion is getKojiVersion(): the hub version ("1.35.3").
	// Hubs older than 1.23 answer GenericError "Invalid method".
	GetKojiVersion(ctx context.Context) (string, error)
	// Hello is hello(): "Hello World".
	Hello(ctx context.Context) (string, error)
	// GetLoggedInUser is getLoggedInUser(): nil when the session is
	// anonymous.
	GetLoggedInUser(ctx context.Context) (*LoggedInUser, error)
	// GetLastEvent is getLastEvent(before=None): the newest event. Never nil.
	GetLastEvent(ctx context.Context, opts GetLastEventOpts) (*Event, error)

	// --- Users and permissions ---

	// GetUser is getUser(userInfo, strict, krb_princs, groups). The zero
	// Ref means the logged-in user. A miss is (nil, nil) unless Strict.
	GetUser(ctx context.Context, user Ref, opts GetUserOpts) (*User, error)
	// GetPerms is getPerms(): the permission names of the logged-in user
	// (direct and through groups); empty when anonymous.
	GetPerms(ctx context.Context) ([]string, error)
	// GetAllPerms is getAllPerms(): every permission, ordered by id.
	GetAllPerms(ctx context.Context) ([]Permission, error)
	// HasPerm is hasPerm(perm, strict): an exact match, admin does not imply
	// other permissions. An unknown permission is false unless Strict
	// (GenericError).
	HasPerm(ctx context.Context, perm string, opts HasPermOpts) (bool, error)
	// GetUserPermsInheritance is getUserPermsInheritance(userID): for each
	// permission the groups it comes from, nil for a direct grant. An
	// unknown user is a GenericError fault.
	GetUserPermsInheritance(ctx context.Context, user Ref) (map[string][]*string, error)
	// CreateUser is createUser(username, status, krb_principal) (admin):
	// the new user's id. An existing name is a GenericError fault.
	CreateUser(ctx context.Context, name string, opts CreateUserOpts) (int, error)
	// GrantPermission is grantPermission(userinfo, permission, create,
	// description) (admin). An unknown user, or an unknown permission
	// without Create, is a GenericError fault.
	GrantPermission(ctx context.Context, user Ref, perm string, opts GrantPermissionOpts) error

	// --- Tags ---

	// GetTag is getTag(tagInfo, strict, event, blocked). A miss is
	// (nil, nil) unless Strict.
	GetTag(ctx context.Context, tag Ref, opts GetTagOpts) (*Tag, error)
	// ListTags is listTags(build, package, perms, queryOpts, pattern). An
	// unknown build or package is a GenericError fault.
	ListTags(ctx context.Context, opts ListTagsOpts) ([]TagEntry, error)
	// CreateTag is createTag(name, parent, arches, perm, locked,
	// maven_support, maven_include_all, extra) (tag permission): the new
	// tag's id. An existing name or unknown parent is a GenericError fault.
	CreateTag(ctx context.Context, name string, opts CreateTagOpts) (int, error)
	// EditTag2 is editTag2(tagInfo, **kwargs) (tag permission). An unknown
	// tag is a GenericError fault.
	EditTag2(ctx context.Context, tag Ref, opts EditTagOpts) error
	// GetBuildConfig is getBuildConfig(tag, event): the tag with inherited
	// arches and extra. An unknown tag is a GenericError fault.
	GetBuildConfig(ctx context.Context, tag Ref, opts EventOpts) (*BuildConfig, error)
	// GetInheritanceData is getInheritanceData(tag, event): the direct
	// parents ordered by priority. An unknown tag is a GenericError fault.
	GetInheritanceData(ctx context.Context, tag Ref, opts EventOpts) ([]InheritanceLink, error)
	// SetInheritanceData is setInheritanceData(tag, data, clear) (tag
	// permission). Links are matched by parent; Delete removes one; Clear
	// replaces all. Duplicate priorities are a GenericError fault.
	SetInheritanceData(ctx context.Context, tag Ref, data []InheritanceLink, opts SetInheritanceOpts) error
	// GetFullInheritance is getFullInheritance(tag, event, reverse): the
	// flattened inheritance in Koji's order. An unknown tag is a
	// GenericError fault.
	GetFullInheritance(ctx context.Context, tag Ref, opts GetFullInheritanceOpts) ([]FullInheritanceLink, error)

	// --- Targets ---

	// GetBuildTarget is getBuildTarget(info, event, strict). A miss is
	// (nil, nil) unless Strict.
	GetBuildTarget(ctx context.Context, target Ref, opts GetBuildTargetOpts) (*BuildTarget, error)
	// GetBuildTargets is getBuildTargets(info, event, buildTagID, destTagID,
	// queryOpts): possibly empty.
	GetBuildTargets(ctx context.Context, opts GetBuildTargetsOpts) ([]BuildTarget, error)
	// CreateBuildTarget is createBuildTarget(name, build_tag, dest_tag)
	// (target permission). An existing name or unknown tag is a GenericError
	// fault.
	CreateBuildTarget(ctx context.Context, name string, buildTag, destTag Ref) error

	// --- Packages ---

	// GetPackage is getPackage(info, strict, create). A miss is (nil, nil)
	// unless Strict (or Create, which makes it).
	GetPackage(ctx context.Context, pkg Ref, opts GetPackageOpts) (*Package, error)
	// ListPackages is listPackages(tagID, userID, pkgID, prefix, inherited,
	// with_dups, event, queryOpts, with_owners, with_blocked): possibly
	// empty; blocked entries are included unless WithBlocked is false. An
	// unknown tag is a GenericError fault.
	ListPackages(ctx context.Context, opts ListPackagesOpts) ([]PackageListEntry, error)
	// PackageListAdd is packageListAdd(taginfo, pkginfo, owner, block,
	// extra_arches, force, update) (tag permission or admin per policy).
	// A new entry needs Owner ("owner not specified" GenericError).
	PackageListAdd(ctx context.Context, tag Ref, pkg Ref, opts PackageListAddOpts) error
	// PackageListBlock is packageListBlock(taginfo, pkginfo, force).
	PackageListBlock(ctx context.Context, tag Ref, pkg Ref, opts PackageListBlockOpts) error
	// PackageListUnblock is packageListUnblock(taginfo, pkginfo, force): a
	// block in the tag itself is removed, one inherited is overridden.
	PackageListUnblock(ctx context.Context, tag Ref, pkg Ref, opts PackageListBlockOpts) error
	// PackageListRemove is packageListRemove(taginfo, pkginfo, force): the
	// tag's own entry goes, so an inherited one shows through.
	PackageListRemove(ctx context.Context, tag Ref, pkg Ref, opts PackageListBlockOpts) error

	// --- Builds ---

	// GetBuild is getBuild(buildInfo, strict): by id, N-V-R (epoch ignored)
	// or {name, version, release}. A miss is (nil, nil) unless Strict.
	GetBuild(ctx context.Context, build Ref, opts GetBuildOpts) (*Build, error)
	// ListBuilds is listBuilds(...): possibly empty.
	ListBuilds(ctx context.Context, opts ListBuildsOpts) ([]Build, error)
	// GetLatestBuilds is getLatestBuilds(tag, event, package, type, draft):
	// listTagged with inherit and latest. An unknown tag is a GenericError
	// fault.
	GetLatestBuilds(ctx context.Context, tag Ref, opts GetLatestBuildsOpts) ([]TaggedBuild, error)
	// ListTagged is listTagged(tag, event, inherit, prefix, latest,
	// package, owner, type, strict, extra, draft). An unknown tag is a
	// GenericError fault (Koji's strict defaults to true here); an unknown
	// package gives an empty list.
	ListTagged(ctx context.Context, tag Ref, opts ListTaggedOpts) ([]TaggedBuild, error)
	// TagBuild is tagBuild(tag, build, force, fromtag): the id of the
	// tagBuild task. A build that is not COMPLETE, already tagged, or not in
	// the package list is a TagError/GenericError fault.
	TagBuild(ctx context.Context, tag Ref, build Ref, opts TagBuildOpts) (int, error)
	// TagBuildBypass is tagBuildBypass(tag, build, force, notify) (tag
	// permission): tags at once, without the package-list check.
	TagBuildBypass(ctx context.Context, tag Ref, build Ref, opts TagBuildBypassOpts) error
	// UntagBuild is untagBuild(tag, build, strict, force). A build not in
	// the tag is a TagError fault unless Strict is set to false.
	UntagBuild(ctx context.Context, tag Ref, build Ref, opts UntagBuildOpts) error
	// CreateEmptyBuild is createEmptyBuild(name, version, release, epoch,
	// owner, draft) (admin): the new build's id (state COMPLETE). An
	// existing N-V-R is a GenericError fault.
	CreateEmptyBuild(ctx context.Context, name, version, release string, epoch *int, opts CreateEmptyBuildOpts) (int, error)
	// ImportRPM is importRPM(path, basename) (admin): imports an uploaded
	// RPM (path relative to the work directory) and answers its RPM row.
	ImportRPM(ctx context.Context, path, basename string) (*RPM, error)

	// --- RPMs ---

	// ListRPMs is listRPMs(buildID, buildrootID, ..., arches, queryOpts,
	// draft): possibly empty.
	ListRPMs(ctx context.Context, opts ListRPMsOpts) ([]RPM, error)
	// GetRPM is getRPM(rpminfo, strict): by id, N-V-R.A or {name, version,
	// release, arch}. A miss is (nil, nil) unless Strict.
	GetRPM(ctx context.Context, rpm Ref, opts GetRPMOpts) (*RPM, error)
	// QueryRPMSigs is queryRPMSigs(rpm_id, sigkey, queryOpts): possibly
	// empty.
	QueryRPMSigs(ctx context.Context, opts QueryRPMSigsOpts) ([]RPMSig, error)
	// AddRPMSig is addRPMSig(an_rpm, data) (sign): stores sighdr, the raw
	// signature header of a signed copy of the RPM (sent base64-encoded),
	// under the key id of its signature ("" when unsigned). A header whose
	// SIGMD5 is not the RPM's payloadhash, an external RPM and a signature
	// already stored for that key are GenericError faults.
	AddRPMSig(ctx context.Context, rpm Ref, sighdr []byte) error
	// WriteSignedRPM is writeSignedRPM(an_rpm, sigkey, force) (sign):
	// writes the signed copy of the RPM (data/signed/<sigkey>/ in the
	// build's directory) from the header AddRPMSig stored; an existing copy
	// is kept unless Force. No stored header for the key is a GenericError
	// fault.
	WriteSignedRPM(ctx context.Context, rpm Ref, sigkey string, opts WriteSignedRPMOpts) error

	// --- Tasks ---

	// Build is build(src, target, opts, priority, channel): the id of the
	// build task. src is an SCM URL or an uploaded path relative to the work
	// directory; target may be "" when req.RepoID is set.
	Build(ctx context.Context, src, target string, req BuildRequestOpts, opts BuildOpts) (int, error)
	// GetTaskInfo is getTaskInfo(task_id, request, strict). A miss is
	// (nil, nil) unless Strict.
	GetTaskInfo(ctx context.Context, taskID int, opts GetTaskInfoOpts) (*TaskInfo, error)
	// GetTaskChildren is getTaskChildren(task_id, request, strict):
	// possibly empty; an unknown task is empty unless Strict.
	GetTaskChildren(ctx context.Context, taskID int, opts GetTaskChildrenOpts) ([]TaskInfo, error)
	// GetTaskResult is getTaskResult(taskId, raise_fault): the decoded
	// result. A FAILED task answers its stored *Fault (as the error, or as
	// the value when RaiseFault is false); CANCELED or unfinished tasks are
	// GenericError faults ("Task N is canceled", "... is not finished").
	GetTaskResult(ctx context.Context, taskID int, opts GetTaskResultOpts) (any, error)
	// ListTaskOutput is listTaskOutput(taskID, stat, all_volumes, strict):
	// the task's output files (sorted by name). Koji's answer shape depends
	// on the options (a list of names, or a struct by name); it is
	// normalised to one TaskOutputFile per file. An unknown task is empty
	// unless Strict.
	ListTaskOutput(ctx context.Context, taskID int, opts ListTaskOutputOpts) ([]TaskOutputFile, error)
	// DownloadTaskOutput is downloadTaskOutput(taskID, fileName, offset,
	// size, volume): the bytes of the range (Koji sends them base64
	// encoded). A missing file is a GenericError fault.
	DownloadTaskOutput(ctx context.Context, taskID int, fileName string, opts DownloadTaskOutputOpts) ([]byte, error)
	// CancelTask is cancelTask(task_id, recurse) (owner, host or admin).
	// An unknown task is a GenericError fault.
	CancelTask(ctx context.Context, taskID int, opts CancelTaskOpts) error
	// CancelBuild is cancelBuild(buildID, strict) (owner or admin): a
	// BUILDING build becomes CANCELED and its whole task tree is canceled;
	// false (a GenericError fault with Strict) when it was not BUILDING.
	CancelBuild(ctx context.Context, build Ref, opts CancelBuildOpts) (bool, error)
	// ListTasks is listTasks(opts, queryOpts): possibly empty.
	ListTasks(ctx context.Context, opts ListTasksOpts) ([]TaskInfo, error)

	// --- Repos ---

	// GetRepo is getRepo(tag, state, event, dist, min_event): the newest
	// matching repo (READY by default), nil when there is none. An unknown
	// tag is a GenericError fault.
	GetRepo(ctx context.Context, tag Ref, opts GetRepoOpts) (*Repo, error)
	// NewRepo is newRepo(tag, event, src, debuginfo, separate_src) (repo or
	// regen-repo permission): the id of the newRepo task.
	NewRepo(ctx context.Context, tag Ref, opts NewRepoOpts) (int, error)
	// RepoInfo is repoInfo(repo_id, strict). A miss is (nil, nil) unless
	// Strict.
	RepoInfo(ctx context.Context, repoID int, opts RepoInfoOpts) (*Repo, error)

	// --- External repos ---

	// CreateExternalRepo is createExternalRepo(name, url) (admin). An
	// existing name is a GenericError fault.
	CreateExternalRepo(ctx context.Context, name, url string) (*ExternalRepo, error)
	// GetExternalRepo is getExternalRepo(info, strict, event). A miss is
	// (nil, nil) unless Strict.
	GetExternalRepo(ctx context.Context, repo Ref, opts GetExternalRepoOpts) (*ExternalRepo, error)
	// ListExternalRepos is listExternalRepos(info, url, event, queryOpts):
	// possibly empty.
	ListExternalRepos(ctx context.Context, opts ListExternalReposOpts) ([]ExternalRepo, error)
	// AddExternalRepoToTag is addExternalRepoToTag(tag_info, repo_info,
	// priority, merge_mode, arches) (tag permission). A taken priority or
	// an existing association is a GenericError fault.
	AddExternalRepoToTag(ctx context.Context, tag Ref, repo Ref, priority int, opts AddExternalRepoToTagOpts) error
	// GetTagExternalRepos is getTagExternalRepos(tag_info, repo_info,
	// event): possibly empty, ordered by priority.
	GetTagExternalRepos(ctx context.Context, opts GetTagExternalReposOpts) ([]TagExternalRepo, error)
	// GetExternalRepoList is getExternalRepoList(tag_info, event): the
	// external repos of the tag and its ancestors. An unknown tag is a
	// GenericError fault.
	GetExternalRepoList(ctx context.Context, tag Ref, opts EventOpts) ([]TagExternalRepo, error)

	// --- History ---

	// QueryHistory is queryHistory(tables, **filters): rows per table.
	QueryHistory(ctx context.Context, opts QueryHistoryOpts) (History, error)

	// --- Files ---

	// Upload stores size bytes from r as <work>/<path>/<name> (the raw
	// upload protocol plus checkUpload on a remote hub). Needs a login.
	Upload(ctx context.Context, path, name string, r io.Reader, size int64, opts UploadOpts) error
	// CheckUpload is checkUpload(path, name, verify, tail, volume): nil when
	// the file does not exist.
	CheckUpload(ctx context.Context, path, name string, opts CheckUploadOpts) (*UploadInfo, error)

	// --- Generic ---

	// Call calls any hub method with positional args and keyword args
	// (nil or empty: none). The value is as decoded (nil, bool, int64,
	// float64, string, []byte, time.Time, []any, map[string]any).
	Call(ctx context.Context, method string, args []any, kwargs map[string]any) (any, error)
	// MultiCall runs calls in one multiCall request per batch and answers
	// one CallResult per call, in order. With Strict the first fault is also
	// returned as the error (after all results are in).
	MultiCall(ctx context.Context, calls []Call, opts MultiCallOpts) ([]CallResult, error)
}

// Call is one call of a MultiCall.
type Call struct {
	Method string
	Args   []any
	Kwargs map[string]any
}

// CallResult is the outcome of one call of a MultiCall: a value or a fault.
type CallResult struct {
	Value any
	Fault *Fault
}

// Err returns the fault as an error (nil when the call succeeded).
func (r CallResult) Err() error {
	if r.Fault != nil {
		return r.Fault
	}
	return nil
}

// MultiCallOpts controls MultiCall.
type MultiCallOpts struct {
	// Strict makes MultiCall return the first fault as its error, after all
	// results have been collected.
	Strict bool
	// Batch splits the calls into multiCall requests of at most Batch calls
	// (separate transactions on the hub). 0 means one request.
	Batch int
}

// QueryOpts is Koji's queryOpts: {order, offset, limit, countOnly, asList}.
type QueryOpts struct {
	Order     string `xmlrpc:"order,omitempty"` // "field[,-field]"
	Offset    int    `xmlrpc:"offset,omitempty"`
	Limit     int    `xmlrpc:"limit,omitempty"`
	CountOnly bool   `xmlrpc:"countOnly,omitempty"`
	AsList    bool   `xmlrpc:"asList,omitempty"`
}

// EventOpts is the kwargs of calls taking only event=None.
type EventOpts struct {
	Event *int `xmlrpc:"event,omitempty"`
}

// GetLastEventOpts is the kwargs of getLastEvent.
type GetLastEventOpts struct {
	Before *float64 `xmlrpc:"before,omitempty"`
}

// GetUserOpts is the kwargs of getUser.
type GetUserOpts struct {
	Strict    bool  `xmlrpc:"strict,omitempty"`
	KrbPrincs *bool `xmlrpc:"krb_princs,omitempty"` // Koji's default true
	Groups    bool  `xmlrpc:"groups,omitempty"`
}

// HasPermOpts is the kwargs of hasPerm.
type HasPermOpts struct {
	Strict bool `xmlrpc:"strict,omitempty"`
}

// CreateUserOpts is the kwargs of createUser.
type CreateUserOpts struct {
	Status       *UserStatus `xmlrpc:"status,omitempty"`
	KrbPrincipal string      `xmlrpc:"krb_principal,omitempty"`
}

// GrantPermissionOpts is the kwargs of grantPermission.
type GrantPermissionOpts struct {
	Create      bool   `xmlrpc:"create,omitempty"`
	Description string `xmlrpc:"description,omitempty"`
}

// GetTagOpts is the kwargs of getTag.
type GetTagOpts struct {
	Strict  bool `xmlrpc:"strict,omitempty"`
	Event   *int `xmlrpc:"event,omitempty"`
	Blocked bool `xmlrpc:"blocked,omitempty"`
}

// ListTagsOpts is the kwargs of listTags.
type ListTagsOpts struct {
	Build     Ref        `xmlrpc:"build,omitempty"`
	Package   Ref        `xmlrpc:"package,omitempty"`
	Perms     *bool      `xmlrpc:"perms,omitempty"` // Koji's default true
	QueryOpts *QueryOpts `xmlrpc:"queryOpts,omitempty"`
	Pattern   string     `xmlrpc:"pattern,omitempty"` // a glob
}

// CreateTagOpts is the kwargs of createTag.
type CreateTagOpts struct {
	Parent          Ref            `xmlrpc:"parent,omitempty"`
	Arches          string         `xmlrpc:"arches,omitempty"`
	Perm            Ref            `xmlrpc:"perm,omitempty"`
	Locked          bool           `xmlrpc:"locked,omitempty"`
	MavenSupport    bool           `xmlrpc:"maven_support,omitempty"`
	MavenIncludeAll bool           `xmlrpc:"maven_include_all,omitempty"`
	Extra           map[string]any `xmlrpc:"extra,omitempty"`
}

// EditTagOpts is the kwargs of editTag2; nil fields are left unchanged.
type EditTagOpts struct {
	Name   *string `xmlrpc:"name,omitempty"`
	Arches *string `xmlrpc:"arches,omitempty"`
	Locked *bool   `xmlrpc:"locked,omitempty"`
	Perm   Ref     `xmlrpc:"perm,omitempty"`
	// ClearPerm removes the tag's permission (Koji's perm=None, koji
	// edit-tag --no-perm). The client sends it as perm=None.
	ClearPerm       bool           `xmlrpc:"-"`
	MavenSupport    *bool          `xmlrpc:"maven_support,omitempty"`
	MavenIncludeAll *bool          `xmlrpc:"maven_include_all,omitempty"`
	Extra           map[string]any `xmlrpc:"extra,omitempty"`
	RemoveExtra     []string       `xmlrpc:"remove_extra,omitempty"`
	BlockExtra      []string       `xmlrpc:"block_extra,omitempty"`
}

// SetInheritanceOpts is the kwargs of setInheritanceData.
type SetInheritanceOpts struct {
	Clear bool `xmlrpc:"clear,omitempty"`
}

// GetFullInheritanceOpts is the kwargs of getFullInheritance.
type GetFullInheritanceOpts struct {
	Event   *int `xmlrpc:"event,omitempty"`
	Reverse bool `xmlrpc:"reverse,omitempty"`
}

// GetBuildTargetOpts is the kwargs of getBuildTarget.
type GetBuildTargetOpts struct {
	Event  *int `xmlrpc:"event,omitempty"`
	Strict bool `xmlrpc:"strict,omitempty"`
}

// GetBuildTargetsOpts is the kwargs of getBuildTargets.
type GetBuildTargetsOpts struct {
	Info       Ref        `xmlrpc:"info,omitempty"`
	Event      *int       `xmlrpc:"event,omitempty"`
	BuildTagID Ref        `xmlrpc:"buildTagID,omitempty"`
	DestTagID  Ref        `xmlrpc:"destTagID,omitempty"`
	QueryOpts  *QueryOpts `xmlrpc:"queryOpts,omitempty"`
}

// GetPackageOpts is the kwargs of getPackage.
type GetPackageOpts struct {
	Strict bool `xmlrpc:"strict,omitempty"`
	Create bool `xmlrpc:"create,omitempty"`
}

// ListPackagesOpts is the kwargs of listPackages.
type ListPackagesOpts struct {
	TagID       Ref        `xmlrpc:"tagID,omitempty"`
	UserID      Ref        `xmlrpc:"userID,omitempty"`
	PkgID       Ref        `xmlrpc:"pkgID,omitempty"`
	Prefix      string     `xmlrpc:"prefix,omitempty"`
	Inherited   bool       `xmlrpc:"inherited,omitempty"`
	WithDups    bool       `xmlrpc:"with_dups,omitempty"`
	Event       *int       `xmlrpc:"event,omitempty"`
	QueryOpts   *QueryOpts `xmlrpc:"queryOpts,omitempty"`
	WithOwners  *bool      `xmlrpc:"with_owners,omitempty"`  // Koji's default true
	WithBlocked *bool      `xmlrpc:"with_blocked,omitempty"` // Koji's default true
}

// PackageListAddOpts is the kwargs of packageListAdd.
type PackageListAddOpts struct {
	Owner       Ref     `xmlrpc:"owner,omitempty"`
	Block       *bool   `xmlrpc:"block,omitempty"`
	ExtraArches *string `xmlrpc:"extra_arches,omitempty"`
	Force       bool    `xmlrpc:"force,omitempty"`
	Update      bool    `xmlrpc:"update,omitempty"`
}

// PackageListBlockOpts is the kwargs of packageListBlock, packageListUnblock
// and packageListRemove.
type PackageListBlockOpts struct {
	Force bool `xmlrpc:"force,omitempty"`
}

// GetBuildOpts is the kwargs of getBuild.
type GetBuildOpts struct {
	Strict bool `xmlrpc:"strict,omitempty"`
}

// ListBuildsOpts is the kwargs of listBuilds.
type ListBuildsOpts struct {
	PackageID      Ref         `xmlrpc:"packageID,omitempty"`
	UserID         Ref         `xmlrpc:"userID,omitempty"`
	TaskID         *int        `xmlrpc:"taskID,omitempty"`
	Prefix         string      `xmlrpc:"prefix,omitempty"`
	State          *BuildState `xmlrpc:"state,omitempty"`
	VolumeID       *int        `xmlrpc:"volumeID,omitempty"`
	Source         string      `xmlrpc:"source,omitempty"`
	CreatedBefore  *float64    `xmlrpc:"createdBefore,omitempty"`
	CreatedAfter   *float64    `xmlrpc:"createdAfter,omitempty"`
	CompleteBefore *float64    `xmlrpc:"completeBefore,omitempty"`
	CompleteAfter  *float64    `xmlrpc:"completeAfter,omitempty"`
	Type           string      `xmlrpc:"type,omitempty"`
	QueryOpts      *QueryOpts  `xmlrpc:"queryOpts,omitempty"`
	Pattern        string      `xmlrpc:"pattern,omitempty"`
	Draft          *bool       `xmlrpc:"draft,omitempty"`
}

// GetLatestBuildsOpts is the kwargs of getLatestBuilds.
type GetLatestBuildsOpts struct {
	Event   *int   `xmlrpc:"event,omitempty"`
	Package string `xmlrpc:"package,omitempty"`
	Type    string `xmlrpc:"type,omitempty"`
	Draft   *bool  `xmlrpc:"draft,omitempty"`
}

// ListTaggedOpts is the kwargs of listTagged.
type ListTaggedOpts struct {
	Event   *int   `xmlrpc:"event,omitempty"`
	Inherit bool   `xmlrpc:"inherit,omitempty"`
	Prefix  string `xmlrpc:"prefix,omitempty"`
	// Latest keeps the N most recently tagged builds per package
	// (LatestOne is Koji's latest=True).
	Latest  Latest `xmlrpc:"latest,omitempty"`
	Package string `xmlrpc:"package,omitempty"`
	Owner   string `xmlrpc:"owner,omitempty"`
	Type    string `xmlrpc:"type,omitempty"`
	// Strict false makes an unknown tag an empty list (Koji's default true).
	Strict *bool `xmlrpc:"strict,omitempty"`
	Extra  bool  `xmlrpc:"extra,omitempty"`
	Draft  *bool `xmlrpc:"draft,omitempty"`
}

// Latest is listTagged's latest kwarg: 0 is not sent (all builds), 1 is
// sent as true (the latest build per package), N > 1 as N.
type Latest int

// LatestOne is latest=True: the most recently tagged build per package.
const LatestOne Latest = 1

// Value is the XML-RPC value of the kwarg: nil (not sent), true, or N.
func (l Latest) Value() any {
	switch {
	case l == 1:
		return true
	case l > 1:
		return int(l)
	}
	return nil
}

// LatestOf converts a decoded latest kwarg (bool or integer) to a Latest.
func LatestOf(v any) (Latest, error) {
	switch x := v.(type) {
	case nil:
		return 0, nil
	case bool:
		if x {
			return LatestOne, nil
		}
		return 0, nil
	case int:
		return Latest(max(x, 0)), nil
	case int64:
		return Latest(max(int(x), 0)), nil
	}
	return 0, fmt.Errorf("invalid latest value %v (%T): want a boolean or an integer", v, v)
}

// TagBuildOpts is the kwargs of tagBuild.
type TagBuildOpts struct {
	Force   bool `xmlrpc:"force,omitempty"`
	FromTag Ref  `xmlrpc:"fromtag,omitempty"`
}

// TagBuildBypassOpts is the kwargs of tagBuildBypass.
type TagBuildBypassOpts struct {
	Force  bool `xmlrpc:"force,omitempty"`
	Notify bool `xmlrpc:"notify,omitempty"`
}

// UntagBuildOpts is the kwargs of untagBuild.
type UntagBuildOpts struct {
	Strict *bool `xmlrpc:"strict,omitempty"` // Koji's default true
	Force  bool  `xmlrpc:"force,omitempty"`
}

// CreateEmptyBuildOpts is the kwargs of createEmptyBuild.
type CreateEmptyBuildOpts struct {
	Owner Ref  `xmlrpc:"owner,omitempty"`
	Draft bool `xmlrpc:"draft,omitempty"`
}

// ListRPMsOpts is the kwargs of listRPMs.
type ListRPMsOpts struct {
	BuildID     *int `xmlrpc:"buildID,omitempty"`
	BuildrootID *int `xmlrpc:"buildrootID,omitempty"`
	// ComponentBuildrootID selects the RPMs installed in a buildroot (each
	// with IsUpdate set).
	ComponentBuildrootID *int       `xmlrpc:"componentBuildrootID,omitempty"`
	HostID               *int       `xmlrpc:"hostID,omitempty"`
	Arches               []string   `xmlrpc:"arches,omitempty"`
	QueryOpts            *QueryOpts `xmlrpc:"queryOpts,omitempty"`
	Draft                *bool      `xmlrpc:"draft,omitempty"`
}

// GetRPMOpts is the kwargs of getRPM.
type GetRPMOpts struct {
	Strict bool `xmlrpc:"strict,omitempty"`
}

// QueryRPMSigsOpts is the kwargs of queryRPMSigs.
type QueryRPMSigsOpts struct {
	RPMID     Ref        `xmlrpc:"rpm_id,omitempty"`
	SigKey    *string    `xmlrpc:"sigkey,omitempty"`
	QueryOpts *QueryOpts `xmlrpc:"queryOpts,omitempty"`
}

// WriteSignedRPMOpts is the kwargs of writeSignedRPM.
type WriteSignedRPMOpts struct {
	Force bool `xmlrpc:"force,omitempty"`
}

// BuildRequestOpts is the positional opts struct of build() (what kojid
// reads). The koji CLI always sends custom_user_metadata and wait_builds;
// so does the client (empty when unset).
type BuildRequestOpts struct {
	Scratch            bool           `xmlrpc:"scratch,omitempty"`
	SkipTag            bool           `xmlrpc:"skip_tag,omitempty"`
	ArchOverride       string         `xmlrpc:"arch_override,omitempty"` // space-separated, scratch only
	RepoID             *int           `xmlrpc:"repo_id,omitempty"`
	WaitRepo           bool           `xmlrpc:"wait_repo,omitempty"`
	WaitBuilds         []string       `xmlrpc:"wait_builds"`
	FailFast           bool           `xmlrpc:"fail_fast,omitempty"`
	RebuildSRPM        bool           `xmlrpc:"rebuild_srpm,omitempty"`
	Draft              bool           `xmlrpc:"draft,omitempty"`
	CustomUserMetadata map[string]any `xmlrpc:"custom_user_metadata"`
}

// BuildOpts is the kwargs of build().
type BuildOpts struct {
	// Priority is relative to the default (stored priority = 20 + Priority;
	// lower is more urgent; negative needs admin).
	Priority *int   `xmlrpc:"priority,omitempty"`
	Channel  string `xmlrpc:"channel,omitempty"`
}

// GetTaskInfoOpts is the kwargs of getTaskInfo.
type GetTaskInfoOpts struct {
	Request bool `xmlrpc:"request,omitempty"`
	Strict  bool `xmlrpc:"strict,omitempty"`
}

// GetTaskChildrenOpts is the kwargs of getTaskChildren.
type GetTaskChildrenOpts struct {
	Request bool `xmlrpc:"request,omitempty"`
	Strict  bool `xmlrpc:"strict,omitempty"`
}

// GetTaskResultOpts is the kwargs of getTaskResult.
type GetTaskResultOpts struct {
	RaiseFault *bool `xmlrpc:"raise_fault,omitempty"` // Koji's default true
}

// ListTaskOutputOpts is the kwargs of listTaskOutput.
type ListTaskOutputOpts struct {
	Stat       bool `xmlrpc:"stat,omitempty"`
	AllVolumes bool `xmlrpc:"all_volumes,omitempty"`
	Strict     bool `xmlrpc:"strict,omitempty"`
}

// DownloadTaskOutputOpts is the kwargs of downloadTaskOutput.
type DownloadTaskOutputOpts struct {
	Offset int64  `xmlrpc:"offset,omitempty"` // negative: from the end
	Size   *int64 `xmlrpc:"size,omitempty"`   // nil: to the end (Koji's -1)
	Volume string `xmlrpc:"volume,omitempty"`
}

// CancelBuildOpts is the kwargs of cancelBuild.
type CancelBuildOpts struct {
	Strict bool `xmlrpc:"strict,omitempty"`
}

// CancelTaskOpts is the kwargs of cancelTask.
type CancelTaskOpts struct {
	Recurse *bool `xmlrpc:"recurse,omitempty"` // Koji's default true
}

// ListTasksOpts is the kwargs of listTasks.
type ListTasksOpts struct {
	Opts      *TaskQuery `xmlrpc:"opts,omitempty"`
	QueryOpts *QueryOpts `xmlrpc:"queryOpts,omitempty"`
}

// TaskQuery is listTasks's opts struct.
type TaskQuery struct {
	Arch           []string    `xmlrpc:"arch,omitempty"`
	NotArch        []string    `xmlrpc:"not_arch,omitempty"`
	State          []TaskState `xmlrpc:"state,omitempty"`
	NotState       []TaskState `xmlrpc:"not_state,omitempty"`
	Owner          []int       `xmlrpc:"owner,omitempty"`
	NotOwner       []int       `xmlrpc:"not_owner,omitempty"`
	HostID         []int       `xmlrpc:"host_id,omitempty"`
	ChannelID      []int       `xmlrpc:"channel_id,omitempty"`
	Parent         []int       `xmlrpc:"parent,omitempty"`
	Method         string      `xmlrpc:"method,omitempty"`
	Decode         bool        `xmlrpc:"decode,omitempty"`
	CreatedBefore  *float64    `xmlrpc:"createdBefore,omitempty"`
	CreatedAfter   *float64    `xmlrpc:"createdAfter,omitempty"`
	StartedBefore  *float64    `xmlrpc:"startedBefore,omitempty"`
	StartedAfter   *float64    `xmlrpc:"startedAfter,omitempty"`
	CompleteBefore *float64    `xmlrpc:"completeBefore,omitempty"`
	CompleteAfter  *float64    `xmlrpc:"completeAfter,omitempty"`
	// TopLevel keeps the tasks without a parent (Koji's parent=None). The
	// embedded hub honours it in-process and from the wire; the client
	// does not send it.
	TopLevel bool `xmlrpc:"-"`
}

// GetRepoOpts is the kwargs of getRepo.
type GetRepoOpts struct {
	State    *RepoState `xmlrpc:"state,omitempty"`
	Event    *int       `xmlrpc:"event,omitempty"`
	Dist     bool       `xmlrpc:"dist,omitempty"`
	MinEvent *int       `xmlrpc:"min_event,omitempty"`
}

// NewRepoOpts is the kwargs of newRepo.
type NewRepoOpts struct {
	Event       *int `xmlrpc:"event,omitempty"`
	Src         bool `xmlrpc:"src,omitempty"`
	Debuginfo   bool `xmlrpc:"debuginfo,omitempty"`
	SeparateSrc bool `xmlrpc:"separate_src,omitempty"`
}

// RepoInfoOpts is the kwargs of repoInfo.
type RepoInfoOpts struct {
	Strict bool `xmlrpc:"strict,omitempty"`
}

// GetExternalRepoOpts is the kwargs of getExternalRepo.
type GetExternalRepoOpts struct {
	Strict bool `xmlrpc:"strict,omitempty"`
	Event  *int `xmlrpc:"event,omitempty"`
}

// ListExternalReposOpts is the kwargs of listExternalRepos.
type ListExternalReposOpts struct {
	Info      Ref        `xmlrpc:"info,omitempty"`
	URL       string     `xmlrpc:"url,omitempty"`
	Event     *int       `xmlrpc:"event,omitempty"`
	QueryOpts *QueryOpts `xmlrpc:"queryOpts,omitempty"`
}

// AddExternalRepoToTagOpts is the kwargs of addExternalRepoToTag.
type AddExternalRepoToTagOpts struct {
	MergeMode string `xmlrpc:"merge_mode,omitempty"` // koji (default), simple, bare
	Arches    string `xmlrpc:"arches,omitempty"`
}

// GetTagExternalReposOpts is the kwargs of getTagExternalRepos.
type GetTagExternalReposOpts struct {
	TagInfo  Ref  `xmlrpc:"tag_info,omitempty"`
	RepoInfo Ref  `xmlrpc:"repo_info,omitempty"`
	Event    *int `xmlrpc:"event,omitempty"`
}

// QueryHistoryOpts is the kwargs of queryHistory.
type QueryHistoryOpts struct {
	Tables       []string `xmlrpc:"tables,omitempty"`
	Tag          Ref      `xmlrpc:"tag,omitempty"`
	Build        Ref      `xmlrpc:"build,omitempty"`
	Package      Ref      `xmlrpc:"package,omitempty"`
	User         Ref      `xmlrpc:"user,omitempty"`
	Permission   Ref      `xmlrpc:"permission,omitempty"`
	ExternalRepo Ref      `xmlrpc:"external_repo,omitempty"`
	BuildTarget  Ref      `xmlrpc:"build_target,omitempty"`
	Active       *bool    `xmlrpc:"active,omitempty"`
	Editor       Ref      `xmlrpc:"editor,omitempty"`
	Before       *float64 `xmlrpc:"before,omitempty"`
	After        *float64 `xmlrpc:"after,omitempty"`
	BeforeEvent  *int     `xmlrpc:"beforeEvent,omitempty"`
	AfterEvent   *int     `xmlrpc:"afterEvent,omitempty"`
}

// CheckUploadOpts is the kwargs of checkUpload.
type CheckUploadOpts struct {
	Verify string `xmlrpc:"verify,omitempty"` // md5, adler32, sha256
	Tail   *int   `xmlrpc:"tail,omitempty"`
	Volume string `xmlrpc:"volume,omitempty"`
}

// UploadOpts controls Upload.
type UploadOpts struct {
	// Overwrite replaces an existing file (the CLI's default).
	Overwrite bool
	// Volume is a non-default volume name ("" for DEFAULT).
	Volume string
	// BlockSize is the chunk size; 0 means the client's configured size
	// (1 MiB by default).
	BlockSize int
	// Progress, when non-nil, receives a progress bar. Callers pass it only
	// when it is a terminal.
	Progress io.Writer
	// Description labels the progress bar (the file name when empty).
	Description string
}

// MarshalXMLRPC encodes the kwarg as Koji expects it (see Value).
func (l Latest) MarshalXMLRPC() (any, error) { return l.Value(), nil }

// UnmarshalXMLRPC decodes true/false or an integer.
func (l *Latest) UnmarshalXMLRPC(v any) error {
	x, err := LatestOf(v)
	if err != nil {
		return err
	}
	*l = x
	return nil
}
