package client

import (
	"context"
	"encoding/base64"
	"fmt"

	"sort"

	"github.com/osg-htc/osg-build-go/internal/xmlrpc"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

// get calls method and decodes the answer into a new T.
func get[T any](ctx context.Context, c *Client, method string, args []any, opts any) (T, error) {
	var v T
	_, err := c.call(ctx, &v, method, args, kwargs(opts))
	return v, err
}

// list is get for list answers: never nil on success.
func list[T any](ctx context.Context, c *Client, method string, args []any, opts any) ([]T, error) {
	v, err := get[[]T](ctx, c, method, args, opts)
	if err == nil && v == nil {
		v = []T{}
	}
	return v, err
}

func (c *Client) exec(ctx context.Context, method string, args []any, opts any) error {
	_, err := c.call(ctx, nil, method, args, kwargs(opts))
	return err
}

// GetAPIVersion implements koji.Hub.
func (c *Client) GetAPIVersion(ctx context.Context) (int, error) {
	return get[int](ctx, c, "getAPIVersion", nil, nil)
}

// GetKojiVersion implements koji.Hub.
func (c *Client) GetKojiVersion(ctx context.Context) (string, error) {
	return get[string](ctx, c, "getKojiVersion", nil, nil)
}

// Hello implements koji.Hub.
func (c *Client) Hello(ctx context.Context) (string, error) {
	return get[string](ctx, c, "hello", nil, nil)
}

// GetLoggedInUser implements koji.Hub.
func (c *Client) GetLoggedInUser(ctx context.Context) (*koji.LoggedInUser, error) {
	return get[*koji.LoggedInUser](ctx, c, "getLoggedInUser", nil, nil)
}

// GetLastEvent implements koji.Hub.
func (c *Client) GetLastEvent(ctx context.Context, opts koji.GetLastEventOpts) (*koji.Event, error) {
	return get[*koji.Event](ctx, c, "getLastEvent", nil, opts)
}

// GetUser implements koji.Hub.
func (c *Client) GetUser(ctx context.Context, user koji.Ref, opts koji.GetUserOpts) (*koji.User, error) {
	var args []any
	if !user.IsZero() {
		args = []any{user.Value()}
	}
	return get[*koji.User](ctx, c, "getUser", args, opts)
}

// GetPerms implements koji.Hub.
func (c *Client) GetPerms(ctx context.Context) ([]string, error) {
	return list[string](ctx, c, "getPerms", nil, nil)
}

// GetAllPerms implements koji.Hub.
func (c *Client) GetAllPerms(ctx context.Context) ([]koji.Permission, error) {
	return list[koji.Permission](ctx, c, "getAllPerms", nil, nil)
}

// HasPerm implements koji.Hub.
func (c *Client) HasPerm(ctx context.Context, perm string, opts koji.HasPermOpts) (bool, error) {
	return get[bool](ctx, c, "hasPerm", []any{perm}, opts)
}

// GetUserPermsInheritance implements koji.Hub.
func (c *Client) GetUserPermsInheritance(ctx context.Context, user koji.Ref) (map[string][]*string, error) {
	return get[map[string][]*string](ctx, c, "getUserPermsInheritance", []any{user.Value()}, nil)
}

// CreateUser implements koji.Hub.
func (c *Client) CreateUser(ctx context.Context, name string, opts koji.CreateUserOpts) (int, error) {
	return get[int](ctx, c, "createUser", []any{name}, opts)
}

// GrantPermission implements koji.Hub.
func (c *Client) GrantPermission(ctx context.Context, user koji.Ref, perm string, opts koji.GrantPermissionOpts) error {
	return c.exec(ctx, "grantPermission", []any{user.Value(), perm}, opts)
}

// GetTag implements koji.Hub.
func (c *Client) GetTag(ctx context.Context, tag koji.Ref, opts koji.GetTagOpts) (*koji.Tag, error) {
	return get[*koji.Tag](ctx, c, "getTag", []any{tag.Value()}, opts)
}

// ListTags implements koji.Hub.
func (c *Client) ListTags(ctx context.Context, opts koji.ListTagsOpts) ([]koji.TagEntry, error) {
	return list[koji.TagEntry](ctx, c, "listTags", nil, opts)
}

// CreateTag implements koji.Hub.
func (c *Client) CreateTag(ctx context.Context, name string, opts koji.CreateTagOpts) (int, error) {
	return get[int](ctx, c, "createTag", []any{name}, opts)
}

// EditTag2 implements koji.Hub.
func (c *Client) EditTag2(ctx context.Context, tag koji.Ref, opts koji.EditTagOpts) error {
	kw := kwargs(opts)
	if opts.ClearPerm && opts.Perm.IsZero() {
		if kw == nil {
			kw = map[string]any{}
		}
		kw["perm"] = nil // Koji's perm=None: no permission
	}
	_, err := c.call(ctx, nil, "editTag2", []any{tag.Value()}, kw)
	return err
}

// GetBuildConfig implements koji.Hub.
func (c *Client) GetBuildConfig(ctx context.Context, tag koji.Ref, opts koji.EventOpts) (*koji.BuildConfig, error) {
	return get[*koji.BuildConfig](ctx, c, "getBuildConfig", []any{tag.Value()}, opts)
}

// GetInheritanceData implements koji.Hub.
func (c *Client) GetInheritanceData(ctx context.Context, tag koji.Ref, opts koji.EventOpts) ([]koji.InheritanceLink, error) {
	return list[koji.InheritanceLink](ctx, c, "getInheritanceData", []any{tag.Value()}, opts)
}

// SetInheritanceData implements koji.Hub.
func (c *Client) SetInheritanceData(ctx context.Context, tag koji.Ref, data []koji.InheritanceLink, opts koji.SetInheritanceOpts) error {
	return c.exec(ctx, "setInheritanceData", []any{tag.Value(), data}, opts)
}

// GetFullInheritance implements koji.Hub.
func (c *Client) GetFullInheritance(ctx context.Context, tag koji.Ref, opts koji.GetFullInheritanceOpts) ([]koji.FullInheritanceLink, error) {
	return list[koji.FullInheritanceLink](ctx, c, "getFullInheritance", []any{tag.Value()}, opts)
}

// GetBuildTarget implements koji.Hub.
func (c *Client) GetBuildTarget(ctx context.Context, target koji.Ref, opts koji.GetBuildTargetOpts) (*koji.BuildTarget, error) {
	return get[*koji.BuildTarget](ctx, c, "getBuildTarget", []any{target.Value()}, opts)
}

// GetBuildTargets implements koji.Hub.
func (c *Client) GetBuildTargets(ctx context.Context, opts koji.GetBuildTargetsOpts) ([]koji.BuildTarget, error) {
	return list[koji.BuildTarget](ctx, c, "getBuildTargets", nil, opts)
}

// CreateBuildTarget implements koji.Hub.
func (c *Client) CreateBuildTarget(ctx context.Context, name string, buildTag, destTag koji.Ref) error {
	return c.exec(ctx, "createBuildTarget", []any{name, buildTag.Value(), destTag.Value()}, nil)
}

// GetPackage implements koji.Hub.
func (c *Client) GetPackage(ctx context.Context, pkg koji.Ref, opts koji.GetPackageOpts) (*koji.Package, error) {
	return get[*koji.Package](ctx, c, "getPackage", []any{pkg.Value()}, opts)
}

// ListPackages implements koji.Hub.
func (c *Client) ListPackages(ctx context.Context, opts koji.ListPackagesOpts) ([]koji.PackageListEntry, error) {
	return list[koji.PackageListEntry](ctx, c, "listPackages", nil, opts)
}

// PackageListAdd implements koji.Hub.
func (c *Client) PackageListAdd(ctx context.Context, tag, pkg koji.Ref, opts koji.PackageListAddOpts) error {
	return c.exec(ctx, "packageListAdd", []any{tag.Value(), pkg.Value()}, opts)
}

// PackageListBlock implements koji.Hub.
func (c *Client) PackageListBlock(ctx context.Context, tag, pkg koji.Ref, opts koji.PackageListBlockOpts) error {
	return c.exec(ctx, "packageListBlock", []any{tag.Value(), pkg.Value()}, opts)
}

// PackageListUnblock implements koji.Hub.
func (c *Client) PackageListUnblock(ctx context.Context, tag, pkg koji.Ref, opts koji.PackageListBlockOpts) error {
	return c.exec(ctx, "packageListUnblock", []any{tag.Value(), pkg.Value()}, opts)
}

// PackageListRemove implements koji.Hub.
func (c *Client) PackageListRemove(ctx context.Context, tag, pkg koji.Ref, opts koji.PackageListBlockOpts) error {
	return c.exec(ctx, "packageListRemove", []any{tag.Value(), pkg.Value()}, opts)
}

// GetBuild implements koji.Hub.
func (c *Client) GetBuild(ctx context.Context, build koji.Ref, opts koji.GetBuildOpts) (*koji.Build, error) {
	return get[*koji.Build](ctx, c, "getBuild", []any{build.Value()}, opts)
}

// ListBuilds implements koji.Hub.
func (c *Client) ListBuilds(ctx context.Context, opts koji.ListBuildsOpts) ([]koji.Build, error) {
	return list[koji.Build](ctx, c, "listBuilds", nil, opts)
}

// GetLatestBuilds implements koji.Hub.
func (c *Client) GetLatestBuilds(ctx context.Context, tag koji.Ref, opts koji.GetLatestBuildsOpts) ([]koji.TaggedBuild, error) {
	return list[koji.TaggedBuild](ctx, c, "getLatestBuilds", []any{tag.Value()}, opts)
}

// ListTagged implements koji.Hub.
func (c *Client) ListTagged(ctx context.Context, tag koji.Ref, opts koji.ListTaggedOpts) ([]koji.TaggedBuild, error) {
	return list[koji.TaggedBuild](ctx, c, "listTagged", []any{tag.Value()}, opts)
}

// TagBuild implements koji.Hub.
func (c *Client) TagBuild(ctx context.Context, tag, build koji.Ref, opts koji.TagBuildOpts) (int, error) {
	return get[int](ctx, c, "tagBuild", []any{tag.Value(), build.Value()}, opts)
}

// TagBuildBypass implements koji.Hub.
func (c *Client) TagBuildBypass(ctx context.Context, tag, build koji.Ref, opts koji.TagBuildBypassOpts) error {
	return c.exec(ctx, "tagBuildBypass", []any{tag.Value(), build.Value()}, opts)
}

// UntagBuild implements koji.Hub.
func (c *Client) UntagBuild(ctx context.Context, tag, build koji.Ref, opts koji.UntagBuildOpts) error {
	return c.exec(ctx, "untagBuild", []any{tag.Value(), build.Value()}, opts)
}

// CreateEmptyBuild implements koji.Hub.
func (c *Client) CreateEmptyBuild(ctx context.Context, name, version, release string, epoch *int, opts koji.CreateEmptyBuildOpts) (int, error) {
	var e any
	if epoch != nil {
		e = *epoch
	}
	return get[int](ctx, c, "createEmptyBuild", []any{name, version, release, e}, opts)
}

// ImportRPM implements koji.Hub.
func (c *Client) ImportRPM(ctx context.Context, path, basename string) (*koji.RPM, error) {
	return get[*koji.RPM](ctx, c, "importRPM", []any{path, basename}, nil)
}

// ListRPMs implements koji.Hub.
func (c *Client) ListRPMs(ctx context.Context, opts koji.ListRPMsOpts) ([]koji.RPM, error) {
	return list[koji.RPM](ctx, c, "listRPMs", nil, opts)
}

// GetRPM implements koji.Hub.
func (c *Client) GetRPM(ctx context.Context, rpm koji.Ref, opts koji.GetRPMOpts) (*koji.RPM, error) {
	return get[*koji.RPM](ctx, c, "getRPM", []any{rpm.Value()}, opts)
}

// QueryRPMSigs implements koji.Hub.
func (c *Client) QueryRPMSigs(ctx context.Context, opts koji.QueryRPMSigsOpts) ([]koji.RPMSig, error) {
	return list[koji.RPMSig](ctx, c, "queryRPMSigs", nil, opts)
}

// AddRPMSig implements koji.Hub: the header goes base64-encoded in a
// string, as the koji CLI sends it.
func (c *Client) AddRPMSig(ctx context.Context, rpm koji.Ref, sighdr []byte) error {
	return c.exec(ctx, "addRPMSig", []any{rpm.Value(), base64.StdEncoding.EncodeToString(sighdr)}, nil)
}

// WriteSignedRPM implements koji.Hub.
func (c *Client) WriteSignedRPM(ctx context.Context, rpm koji.Ref, sigkey string, opts koji.WriteSignedRPMOpts) error {
	return c.exec(ctx, "writeSignedRPM", []any{rpm.Value(), sigkey}, opts)
}

// Build implements koji.Hub. The opts struct always carries wait_builds
// and custom_user_metadata, as the koji CLI sends them.
func (c *Client) Build(ctx context.Context, src, target string, req koji.BuildRequestOpts, opts koji.BuildOpts) (int, error) {
	if req.WaitBuilds == nil {
		req.WaitBuilds = []string{}
	}
	if req.CustomUserMetadata == nil {
		req.CustomUserMetadata = map[string]any{}
	}
	var t any
	if target != "" {
		t = target
	}
	return get[int](ctx, c, "build", []any{src, t, req}, opts)
}

// GetTaskInfo implements koji.Hub.
func (c *Client) GetTaskInfo(ctx context.Context, taskID int, opts koji.GetTaskInfoOpts) (*koji.TaskInfo, error) {
	return get[*koji.TaskInfo](ctx, c, "getTaskInfo", []any{taskID}, opts)
}

// GetTaskChildren implements koji.Hub.
func (c *Client) GetTaskChildren(ctx context.Context, taskID int, opts koji.GetTaskChildrenOpts) ([]koji.TaskInfo, error) {
	return list[koji.TaskInfo](ctx, c, "getTaskChildren", []any{taskID}, opts)
}

// GetTaskResult implements koji.Hub. With RaiseFault false a failed task's
// fault comes back as a *koji.Fault value.
func (c *Client) GetTaskResult(ctx context.Context, taskID int, opts koji.GetTaskResultOpts) (any, error) {
	v, err := c.call(ctx, nil, "getTaskResult", []any{taskID}, kwargs(opts))
	if err != nil {
		return nil, err
	}
	if f := faultOf(v); f != nil {
		return f, nil
	}
	return v, nil
}

// faultOf returns the fault a {faultCode, faultString} struct describes.
func faultOf(v any) *koji.Fault {
	m, ok := v.(map[string]any)
	if !ok {
		return nil
	}
	code, ok1 := m["faultCode"].(int64)
	s, ok2 := m["faultString"].(string)
	if !ok1 || !ok2 {
		return nil
	}
	return &koji.Fault{Code: int(code), String: s}
}

// ListTaskOutput implements koji.Hub: Koji's list, {name: volumes},
// {name: stat} or {name: {volume: stat}} answers become one TaskOutputFile
// per file, sorted by name.
func (c *Client) ListTaskOutput(ctx context.Context, taskID int, opts koji.ListTaskOutputOpts) ([]koji.TaskOutputFile, error) {
	v, err := c.call(ctx, nil, "listTaskOutput", []any{taskID}, kwargs(opts))
	if err != nil {
		return nil, err
	}
	files := []koji.TaskOutputFile{}
	switch x := v.(type) {
	case nil:
	case []any:
		for _, n := range x {
			s, ok := n.(string)
			if !ok {
				return nil, fmt.Errorf("koji listTaskOutput: unexpected file name %v", n)
			}
			files = append(files, koji.TaskOutputFile{Name: s})
		}
	case map[string]any:
		for name, info := range x {
			f := koji.TaskOutputFile{Name: name}
			switch {
			case opts.AllVolumes && opts.Stat:
				vols, _ := info.(map[string]any)
				for vol, st := range vols {
					f.Volumes = append(f.Volumes, vol)
					if f.Stat == nil || vol == koji.DefaultVolume {
						f.Stat, _ = st.(map[string]any)
					}
				}
				sort.Strings(f.Volumes)
			case opts.AllVolumes:
				if err := xmlrpc.Unmarshal(info, &f.Volumes); err != nil {
					return nil, fmt.Errorf("koji listTaskOutput: %w", err)
				}
			default:
				f.Stat, _ = info.(map[string]any)
			}
			files = append(files, f)
		}
	default:
		return nil, fmt.Errorf("koji listTaskOutput: unexpected answer %T", v)
	}
	sort.Slice(files, func(i, j int) bool { return files[i].Name < files[j].Name })
	return files, nil
}

// DownloadTaskOutput implements koji.Hub.
func (c *Client) DownloadTaskOutput(ctx context.Context, taskID int, fileName string, opts koji.DownloadTaskOutputOpts) ([]byte, error) {
	v, err := c.call(ctx, nil, "downloadTaskOutput", []any{taskID, fileName}, kwargs(opts))
	if err != nil {
		return nil, err
	}
	switch x := v.(type) {
	case []byte:
		return x, nil
	case string:
		b, err := base64.StdEncoding.DecodeString(x)
		if err != nil {
			return nil, fmt.Errorf("koji downloadTaskOutput: invalid base64 from the hub: %w", err)
		}
		return b, nil
	case nil:
		return []byte{}, nil
	}
	return nil, fmt.Errorf("koji downloadTaskOutput: unexpected answer %T", v)
}

// CancelTask implements koji.Hub.
func (c *Client) CancelTask(ctx context.Context, taskID int, opts koji.CancelTaskOpts) error {
	return c.exec(ctx, "cancelTask", []any{taskID}, opts)
}

// CancelBuild implements koji.Hub.
func (c *Client) CancelBuild(ctx context.Context, build koji.Ref, opts koji.CancelBuildOpts) (bool, error) {
	return get[bool](ctx, c, "cancelBuild", []any{build.Value()}, opts)
}

// ListTasks implements koji.Hub.
func (c *Client) ListTasks(ctx context.Context, opts koji.ListTasksOpts) ([]koji.TaskInfo, error) {
	return list[koji.TaskInfo](ctx, c, "listTasks", nil, opts)
}

// GetRepo implements koji.Hub.
func (c *Client) GetRepo(ctx context.Context, tag koji.Ref, opts koji.GetRepoOpts) (*koji.Repo, error) {
	return get[*koji.Repo](ctx, c, "getRepo", []any{tag.Value()}, opts)
}

// NewRepo implements koji.Hub.
func (c *Client) NewRepo(ctx context.Context, tag koji.Ref, opts koji.NewRepoOpts) (int, error) {
	return get[int](ctx, c, "newRepo", []any{tag.Value()}, opts)
}

// RepoInfo implements koji.Hub.
func (c *Client) RepoInfo(ctx context.Context, repoID int, opts koji.RepoInfoOpts) (*koji.Repo, error) {
	return get[*koji.Repo](ctx, c, "repoInfo", []any{repoID}, opts)
}

// CreateExternalRepo implements koji.Hub.
func (c *Client) CreateExternalRepo(ctx context.Context, name, url string) (*koji.ExternalRepo, error) {
	return get[*koji.ExternalRepo](ctx, c, "createExternalRepo", []any{name, url}, nil)
}

// GetExternalRepo implements koji.Hub.
func (c *Client) GetExternalRepo(ctx context.Context, repo koji.Ref, opts koji.GetExternalRepoOpts) (*koji.ExternalRepo, error) {
	return get[*koji.ExternalRepo](ctx, c, "getExternalRepo", []any{repo.Value()}, opts)
}

// ListExternalRepos implements koji.Hub.
func (c *Client) ListExternalRepos(ctx context.Context, opts koji.ListExternalReposOpts) ([]koji.ExternalRepo, error) {
	return list[koji.ExternalRepo](ctx, c, "listExternalRepos", nil, opts)
}

// AddExternalRepoToTag implements koji.Hub.
func (c *Client) AddExternalRepoToTag(ctx context.Context, tag, repo koji.Ref, priority int, opts koji.AddExternalRepoToTagOpts) error {
	return c.exec(ctx, "addExternalRepoToTag", []any{tag.Value(), repo.Value(), priority}, opts)
}

// GetTagExternalRepos implements koji.Hub.
func (c *Client) GetTagExternalRepos(ctx context.Context, opts koji.GetTagExternalReposOpts) ([]koji.TagExternalRepo, error) {
	return list[koji.TagExternalRepo](ctx, c, "getTagExternalRepos", nil, opts)
}

// GetExternalRepoList implements koji.Hub.
func (c *Client) GetExternalRepoList(ctx context.Context, tag koji.Ref, opts koji.EventOpts) ([]koji.TagExternalRepo, error) {
	return list[koji.TagExternalRepo](ctx, c, "getExternalRepoList", []any{tag.Value()}, opts)
}

// QueryHistory implements koji.Hub.
func (c *Client) QueryHistory(ctx context.Context, opts koji.QueryHistoryOpts) (koji.History, error) {
	h, err := get[koji.History](ctx, c, "queryHistory", nil, opts)
	if err == nil && h == nil {
		h = koji.History{}
	}
	return h, err
}

// CheckUpload implements koji.Hub.
func (c *Client) CheckUpload(ctx context.Context, path, name string, opts koji.CheckUploadOpts) (*koji.UploadInfo, error) {
	return get[*koji.UploadInfo](ctx, c, "checkUpload", []any{path, name}, opts)
}

// Call implements koji.Hub.
func (c *Client) Call(ctx context.Context, method string, args []any, kw map[string]any) (any, error) {
	return c.call(ctx, nil, method, args, kw)
}

// MultiCall implements koji.Hub: one multiCall request per batch (all in one
// request when opts.Batch is 0).
func (c *Client) MultiCall(ctx context.Context, calls []koji.Call, opts koji.MultiCallOpts) ([]koji.CallResult, error) {
	results := make([]koji.CallResult, 0, len(calls))
	batch := opts.Batch
	if batch <= 0 {
		batch = len(calls)
	}
	for start := 0; start < len(calls); start += batch {
		end := min(start+batch, len(calls))
		part := make([]any, 0, end-start)
		for _, cl := range calls[start:end] {
			params := make([]any, 0, len(cl.Args)+1)
			params = append(params, cl.Args...)
			if len(cl.Kwargs) > 0 {
				params = append(params, xmlrpc.Kwargs(cl.Kwargs))
			}
			part = append(part, map[string]any{"methodName": cl.Method, "params": params})
		}
		v, err := c.call(ctx, nil, "multiCall", []any{part}, nil)
		if err != nil {
			return results, err
		}
		answers, ok := v.([]any)
		if !ok || len(answers) != end-start {
			return results, fmt.Errorf("koji multiCall: the hub answered %d results for %d calls", lenOf(v), end-start)
		}
		for i, a := range answers {
			switch x := a.(type) {
			case []any:
				if len(x) != 1 {
					return results, fmt.Errorf("koji multiCall: result %d of %s is a list of %d values, want 1", start+i, calls[start+i].Method, len(x))
				}
				results = append(results, koji.CallResult{Value: x[0]})
			default:
				f := faultOf(a)
				if f == nil {
					return results, fmt.Errorf("koji multiCall: unexpected result %d of %s: %T", start+i, calls[start+i].Method, a)
				}
				results = append(results, koji.CallResult{Fault: f})
			}
		}
	}
	if opts.Strict {
		for _, r := range results {
			if r.Fault != nil {
				return results, r.Fault
			}
		}
	}
	return results, nil
}

func lenOf(v any) int {
	if l, ok := v.([]any); ok {
		return len(l)
	}
	return 0
}

// Decode stores a value from Call or a MultiCall result in dst (a pointer to
// a koji type), e.g. client.Decode(r.Value, &tag).
func Decode(v any, dst any) error { return xmlrpc.Unmarshal(v, dst) }
