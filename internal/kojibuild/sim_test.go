package kojibuild

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/osg-htc/osg-build-go/internal/runner"
	"github.com/osg-htc/osg-build-go/internal/testutil"
	"github.com/osg-htc/osg-build-go/internal/vcs"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

// simHub is a small Koji that runs builds by itself, one step per poll
// (multiCall) or repo query: build → OPEN with a buildArch child → the
// child closes (or fails for packages in fail) → the build closes, a
// non-scratch build is imported and tagged into the destination tag, and
// the build tag's repo is regenerated one step later.
type simHub struct {
	koji.Hub

	mu       sync.Mutex
	event    int
	nextID   int
	tasks    map[int]*simTask
	order    []int
	pkgList  map[string]bool // tag/pkg
	tagged   []koji.TaggedBuild
	repos    map[string][]koji.Repo
	pending  map[string]bool // build tags whose repo is to be regenerated
	fail     map[string]string
	uploads  map[string][]byte
	builds   map[string]*koji.Build
	multi    int
	prios    []int
	added    []string
	newRepos []string
}

type simTask struct {
	info  koji.TaskInfo
	step  int
	pkg   string
	nvr   string
	child int
	logs  map[string]string
	fault string
	repo  string
}

func newSimHub() *simHub {
	return &simHub{nextID: 1, tasks: map[int]*simTask{}, pkgList: map[string]bool{}, repos: map[string][]koji.Repo{},
		pending: map[string]bool{}, fail: map[string]string{}, uploads: map[string][]byte{}, builds: map[string]*koji.Build{}}
}

func (s *simHub) newTask(method string, parent int, req []any) *simTask {
	id := s.nextID
	s.nextID++
	t := &simTask{info: koji.TaskInfo{ID: id, Method: method, State: koji.TaskFree, Arch: "noarch", Request: req}}
	if parent != 0 {
		p := parent
		t.info.Parent = &p
	}
	s.tasks[id] = t
	s.order = append(s.order, id)
	return t
}

func buildTagOf(target string) string { return target + "-build" }
func destTagOf(target string) string  { return target + "-development" }

// step advances every task by one step.
func (s *simHub) step() {
	for tag := range s.pending {
		s.event++
		s.repos[tag] = append(s.repos[tag], koji.Repo{ID: 100 + s.event, TagName: tag, State: koji.RepoReady, CreateEvent: s.event})
		delete(s.pending, tag)
	}
	for _, id := range s.order {
		t := s.tasks[id]
		if t.info.State.Finished() || t.info.Parent != nil {
			continue
		}
		t.step++
		switch t.info.Method {
		case "newRepo":
			if t.step == 2 {
				s.event++
				s.repos[t.repo] = append(s.repos[t.repo], koji.Repo{ID: 100 + s.event, TagName: t.repo, State: koji.RepoReady, CreateEvent: s.event})
				t.info.State = koji.TaskClosed
			} else {
				t.info.State = koji.TaskOpen
			}
		case "build":
			req := t.info.Request.([]any)
			target := req[1].(string)
			scratch := req[2].(map[string]any)["scratch"] == true
			switch t.step {
			case 1:
				t.info.State = koji.TaskOpen
				c := s.newTask("buildArch", id, []any{"tasks/" + t.nvr + ".src.rpm", int64(7), "x86_64"})
				c.info.State = koji.TaskOpen
				c.info.Arch = "x86_64"
				t.child = c.info.ID
			case 2:
				c := s.tasks[t.child]
				if log, bad := s.fail[t.pkg]; bad {
					c.info.State = koji.TaskFailed
					c.logs = map[string]string{"root.log": log, "build.log": "", "hw_info.log": "cpu"}
					c.fault = "error building package (arch x86_64), mock exited with status 30; see root.log for more information"
				} else {
					c.info.State = koji.TaskClosed
					c.logs = map[string]string{"build.log": "ok", t.nvr + ".noarch.rpm": "RPM " + t.nvr, t.nvr + ".src.rpm": "SRPM"}
				}
			case 3:
				if s.tasks[t.child].info.State == koji.TaskFailed {
					t.info.State = koji.TaskFailed
					t.fault = "BuildError: error building package (arch x86_64), mock exited with status 30; see root.log for more information"
					continue
				}
				t.info.State = koji.TaskClosed
				if !scratch {
					s.event++
					tid := id
					s.builds[t.nvr] = &koji.Build{Name: t.pkg, NVR: t.nvr, TaskID: &tid, State: koji.BuildComplete}
					s.tagged = append(s.tagged, koji.TaggedBuild{TagName: destTagOf(target), Name: t.pkg, PackageName: t.pkg, NVR: t.nvr, CreateEvent: s.event})
					s.pending[buildTagOf(target)] = true
				}
			}
		}
	}
}

func (s *simHub) GetLoggedInUser(ctx context.Context) (*koji.LoggedInUser, error) {
	return &koji.LoggedInUser{ID: 1, Name: "packager"}, nil
}

func (s *simHub) GetBuildTarget(ctx context.Context, t koji.Ref, o koji.GetBuildTargetOpts) (*koji.BuildTarget, error) {
	if strings.Contains(t.Name, "nope") {
		return nil, nil
	}
	return &koji.BuildTarget{Name: t.Name, BuildTagName: buildTagOf(t.Name), DestTagName: destTagOf(t.Name)}, nil
}

func (s *simHub) GetTag(ctx context.Context, t koji.Ref, o koji.GetTagOpts) (*koji.Tag, error) {
	if t.IsID() {
		return &koji.Tag{ID: t.ID, Name: "osg-25-main-el9-build"}, nil
	}
	return &koji.Tag{ID: 7, Name: t.Name}, nil
}

func (s *simHub) ListPackages(ctx context.Context, o koji.ListPackagesOpts) ([]koji.PackageListEntry, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.pkgList[o.TagID.Name+"/"+o.PkgID.Name] {
		return []koji.PackageListEntry{{PackageName: o.PkgID.Name}}, nil
	}
	return nil, nil
}

func (s *simHub) PackageListAdd(ctx context.Context, tag, pkg koji.Ref, o koji.PackageListAddOpts) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pkgList[tag.Name+"/"+pkg.Name] = true
	s.added = append(s.added, tag.Name+"/"+pkg.Name+"/"+o.Owner.Name)
	return nil
}

func (s *simHub) Upload(ctx context.Context, path, name string, r io.Reader, size int64, o koji.UploadOpts) error {
	b, err := io.ReadAll(r)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.uploads[path+"/"+name] = b
	return err
}

func (s *simHub) Build(ctx context.Context, src, target string, req koji.BuildRequestOpts, o koji.BuildOpts) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if o.Priority != nil {
		s.prios = append(s.prios, *o.Priority)
	} else {
		s.prios = append(s.prios, 0)
	}
	opts := map[string]any{}
	if req.Scratch {
		opts["scratch"] = true
	}
	t := s.newTask("build", 0, []any{src, target, opts})
	// The package: the SRPM name, or the SCM path's last element.
	base := filepath.Base(strings.SplitN(src, "#", 2)[0])
	t.pkg = strings.SplitN(strings.TrimSuffix(base, ".src.rpm"), "-", 2)[0]
	dver := target[strings.LastIndex(target, "-")+1:]
	t.nvr = t.pkg + "-1-1.osg25." + dver
	return t.info.ID, nil
}

func (s *simHub) NewRepo(ctx context.Context, tag koji.Ref, o koji.NewRepoOpts) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.newTask("newRepo", 0, []any{tag.Name})
	t.repo = tag.Name
	s.newRepos = append(s.newRepos, tag.Name)
	return t.info.ID, nil
}

func (s *simHub) MultiCall(ctx context.Context, calls []koji.Call, o koji.MultiCallOpts) ([]koji.CallResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.multi++
	s.step()
	gen := func(t koji.TaskInfo) map[string]any {
		m := map[string]any{"id": int64(t.ID), "state": int64(t.State), "method": t.Method, "arch": t.Arch, "request": t.Request}
		if t.Parent != nil {
			m["parent"] = int64(*t.Parent)
		}
		return m
	}
	out := make([]koji.CallResult, len(calls))
	for i, c := range calls {
		id, _ := c.Args[0].(int)
		switch c.Method {
		case "getTaskInfo":
			out[i].Value = gen(s.tasks[id].info)
		case "getTaskChildren":
			l := []any{}
			for _, k := range s.order {
				if p := s.tasks[k].info.Parent; p != nil && *p == id {
					l = append(l, gen(s.tasks[k].info))
				}
			}
			out[i].Value = l
		default:
			out[i].Fault = koji.NewFault(koji.GenericError, "Invalid method: %s", c.Method)
		}
	}
	return out, nil
}

func (s *simHub) ListBuilds(ctx context.Context, o koji.ListBuildsOpts) ([]koji.Build, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, b := range s.builds {
		if o.TaskID != nil && b.TaskID != nil && *b.TaskID == *o.TaskID {
			return []koji.Build{*b}, nil
		}
	}
	return nil, nil
}

func (s *simHub) GetBuild(ctx context.Context, b koji.Ref, o koji.GetBuildOpts) (*koji.Build, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.builds[b.Name], nil
}

func (s *simHub) GetTaskResult(ctx context.Context, id int, o koji.GetTaskResultOpts) (any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f := s.tasks[id].fault; f != "" {
		return nil, koji.NewFault(koji.BuildError, "%s", f)
	}
	return nil, nil
}

func (s *simHub) ListTaskOutput(ctx context.Context, id int, o koji.ListTaskOutputOpts) ([]koji.TaskOutputFile, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []koji.TaskOutputFile
	for n := range s.tasks[id].logs {
		out = append(out, koji.TaskOutputFile{Name: n})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

func (s *simHub) DownloadTaskOutput(ctx context.Context, id int, name string, o koji.DownloadTaskOutputOpts) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return []byte(s.tasks[id].logs[name]), nil
}

func (s *simHub) GetRepo(ctx context.Context, tag koji.Ref, o koji.GetRepoOpts) (*koji.Repo, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.step()
	name := tag.Name
	if tag.IsID() {
		name = "osg-25-main-el9-build"
	}
	rs := s.repos[name]
	if len(rs) == 0 {
		return nil, nil
	}
	r := rs[len(rs)-1]
	return &r, nil
}

func (s *simHub) ListTagged(ctx context.Context, tag koji.Ref, o koji.ListTaggedOpts) ([]koji.TaggedBuild, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []koji.TaggedBuild
	for _, b := range s.tagged {
		if o.Package == "" || b.Name == o.Package {
			out = append(out, b) // the build tags inherit the destination tags
		}
	}
	return out, nil
}

func (s *simHub) Call(ctx context.Context, method string, args []any, kw map[string]any) (any, error) {
	return nil, koji.NewFault(koji.GenericError, "Invalid method: %s", method)
}

// svnPackages makes an SVN repository (file://) with packages under
// native/redhat/branches/25-main and a checkout of that branch, and a VCS
// config whose public root is the repository.
func svnPackages(t *testing.T, specs map[string]string) (string, *vcs.Config) {
	t.Helper()
	testutil.RequireTool(t, "svn", "svnadmin")
	home := t.TempDir()
	t.Setenv("HOME", home)
	root := t.TempDir()
	repo := filepath.Join(root, "repo")
	run := func(args ...string) {
		t.Helper()
		if _, err := runner.Output(context.Background(), runner.Cmd{Name: args[0], Args: args[1:]}); err != nil {
			t.Fatal(err)
		}
	}
	run("svnadmin", "create", repo)
	imp := filepath.Join(root, "import", "native", "redhat", "branches", "25-main")
	for name, spec := range specs {
		d := filepath.Join(imp, name, "osg")
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(d, name+".spec"), []byte(spec), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	run("svn", "import", "-q", "--non-interactive", "-m", "import", filepath.Join(root, "import"), "file://"+repo)
	co := filepath.Join(root, "co")
	run("svn", "checkout", "-q", "--non-interactive", "file://"+repo+"/native/redhat/branches/25-main", co)
	cfg := vcs.Default()
	if err := cfg.Merge([]byte(fmt.Sprintf("[svn]\npublic_root = file://%s\n", repo)), "test"); err != nil {
		t.Fatal(err)
	}
	return co, cfg
}
