package web

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/osg-htc/osg-build-go/pkg/koji"
)

// pageSize is the rows of a listing page (kojiweb's default is 50).
const pageSize = 50

// pager is the paging of a listing: the offset of this page and the links
// to the others.
type pager struct {
	Start, End int
	Prev, Next string // "" when there is none
}

// paged cuts a page out of rows fetched with one more than pageSize.
func paged[T any](rows []T, start int, link func(start int) string) ([]T, pager) {
	p := pager{Start: start}
	if len(rows) > pageSize {
		rows = rows[:pageSize]
		p.Next = link(start + pageSize)
	}
	if start > 0 {
		p.Prev = link(max(0, start-pageSize))
	}
	p.End = start + len(rows)
	if len(rows) > 0 {
		p.Start = start + 1
	}
	return rows, p
}

func pageOpts(start int, order string) *koji.QueryOpts {
	return &koji.QueryOpts{Order: order, Offset: start, Limit: pageSize + 1}
}

func (s *Server) index(r *http.Request) (*page, error) {
	ctx := r.Context()
	builds, err := s.h.ListBuilds(ctx, koji.ListBuildsOpts{QueryOpts: &koji.QueryOpts{Order: "-build_id", Limit: 10}})
	if err != nil {
		return nil, err
	}
	tasks, err := s.h.ListTasks(ctx, koji.ListTasksOpts{QueryOpts: &koji.QueryOpts{Order: "-id", Limit: 10}})
	if err != nil {
		return nil, err
	}
	d := map[string]any{"builds": builds, "tasks": tasks}
	// the user's own, when the browser presented a certificate of the hub's CA
	if r.TLS != nil && len(r.TLS.VerifiedChains) > 0 {
		cn := r.TLS.PeerCertificates[0].Subject.CommonName
		if u, err := s.h.GetUser(ctx, koji.ByName(cn), koji.GetUserOpts{}); err == nil && u != nil {
			mine, err := s.h.ListBuilds(ctx, koji.ListBuildsOpts{UserID: koji.ByID(u.ID), QueryOpts: &koji.QueryOpts{Order: "-build_id", Limit: 10}})
			if err != nil {
				return nil, err
			}
			myTasks, err := s.h.ListTasks(ctx, koji.ListTasksOpts{Opts: &koji.TaskQuery{Owner: []int{u.ID}}, QueryOpts: &koji.QueryOpts{Order: "-id", Limit: 10}})
			if err != nil {
				return nil, err
			}
			d["user"], d["my_builds"], d["my_tasks"] = u.Name, mine, myTasks
		}
	}
	return &page{Title: "Home", Data: d}, nil
}

var buildStates = []koji.BuildState{koji.BuildBuilding, koji.BuildComplete, koji.BuildDeleted, koji.BuildFailed, koji.BuildCanceled}

func (s *Server) builds(r *http.Request) (*page, error) {
	ctx := r.Context()
	start, err := optInt(r, "start", 0)
	if err != nil {
		return nil, err
	}
	q := r.URL.Query()
	o := koji.ListBuildsOpts{QueryOpts: pageOpts(start, "-build_id"), Prefix: q.Get("prefix")}
	filter := map[string]string{"prefix": q.Get("prefix")}
	if st := q.Get("state"); st != "" && st != "all" {
		n, err := optInt(r, "state", 0)
		if err != nil || n > int(koji.BuildCanceled) {
			return nil, badRequest("state must be a build state number (0-4) or all, not %q", st)
		}
		bs := koji.BuildState(n)
		o.State = &bs
		filter["state"] = st
	}
	if ref, ok := refArg(r, "packageID"); ok {
		p, err := s.h.GetPackage(ctx, ref, koji.GetPackageOpts{})
		if err != nil {
			return nil, err
		}
		if p == nil {
			return nil, notFound("no such package: %s", q.Get("packageID"))
		}
		o.PackageID = koji.ByID(p.ID)
		filter["packageID"], filter["package"] = fmt.Sprint(p.ID), p.Name
	}
	if ref, ok := refArg(r, "userID"); ok {
		u, err := s.h.GetUser(ctx, ref, koji.GetUserOpts{})
		if err != nil {
			return nil, err
		}
		if u == nil {
			return nil, notFound("no such user: %s", q.Get("userID"))
		}
		o.UserID = koji.ByID(u.ID)
		filter["userID"], filter["user"] = fmt.Sprint(u.ID), u.Name
	}
	link := func(st int) string {
		return "builds" + query("state", filter["state"], "packageID", filter["packageID"], "userID", filter["userID"],
			"tagID", filter["tagID"], "latest", filter["latest"], "prefix", filter["prefix"], "start", st)
	}
	var rows []koji.Build
	if ref, ok := refArg(r, "tagID"); ok {
		t, err := s.h.GetTag(ctx, ref, koji.GetTagOpts{})
		if err != nil {
			return nil, err
		}
		if t == nil {
			return nil, notFound("no such tag: %s", q.Get("tagID"))
		}
		filter["tagID"], filter["tag"] = fmt.Sprint(t.ID), t.Name
		lo := koji.ListTaggedOpts{Inherit: true}
		if q.Get("latest") != "" {
			lo.Latest, filter["latest"] = koji.LatestOne, "1"
		}
		tagged, err := s.h.ListTagged(ctx, koji.ByID(t.ID), lo)
		if err != nil {
			return nil, err
		}
		for _, b := range tagged {
			if (o.State == nil || b.State == *o.State) && (o.Prefix == "" || strings.HasPrefix(b.Name, o.Prefix)) &&
				(o.PackageID.IsZero() || b.PackageID == o.PackageID.ID) && (o.UserID.IsZero() || b.OwnerID == o.UserID.ID) {
				rows = append(rows, koji.Build{ID: b.BuildID, BuildID: b.BuildID, NVR: b.NVR, Name: b.Name, Version: b.Version,
					Release: b.Release, PackageID: b.PackageID, PackageName: b.PackageName, State: b.State, TaskID: b.TaskID,
					OwnerID: b.OwnerID, OwnerName: b.OwnerName, CreationTime: b.CreationTime, CompletionTime: b.CompletionTime})
			}
		}
		sort.SliceStable(rows, func(i, j int) bool { return rows[i].ID > rows[j].ID })
		if start < len(rows) {
			rows = rows[start:]
		} else {
			rows = nil
		}
		if len(rows) > pageSize+1 {
			rows = rows[:pageSize+1]
		}
	} else if rows, err = s.h.ListBuilds(ctx, o); err != nil {
		return nil, err
	}
	rows, pg := paged(rows, start, link)
	var states []map[string]any
	for _, st := range buildStates {
		states = append(states, map[string]any{"value": fmt.Sprint(int(st)), "name": strings.ToLower(st.String())})
	}
	return &page{Title: "Builds", Data: map[string]any{"builds": rows, "pager": pg, "filter": filter, "states": states}}, nil
}

// buildLog is a log file of a build, by arch.
type buildLog struct {
	Arch, Name, URL string
}

// arched is the RPMs of one arch of a build.
type arched struct {
	Arch string
	RPMs []rpmRow
}

type rpmRow struct {
	koji.RPM
	URL string
}

func (s *Server) buildinfo(r *http.Request) (*page, error) {
	ctx := r.Context()
	id, err := intArg(r, "buildID")
	if err != nil {
		return nil, err
	}
	b, err := s.h.GetBuild(ctx, koji.ByID(id), koji.GetBuildOpts{})
	if err != nil {
		return nil, err
	}
	if b == nil {
		return nil, notFound("no such build: %d", id)
	}
	tags, err := s.h.ListTags(ctx, koji.ListTagsOpts{Build: koji.ByID(id)})
	if err != nil {
		return nil, err
	}
	rpms, err := s.h.ListRPMs(ctx, koji.ListRPMsOpts{BuildID: &id})
	if err != nil {
		return nil, err
	}
	sort.Slice(rpms, func(i, j int) bool { return rpms[i].Filename() < rpms[j].Filename() })
	dir := path.Join("packages", b.Name, b.Version, b.Release)
	byArch := map[string]*arched{}
	var arches []string
	var srpm *koji.RPM
	for i := range rpms {
		rp := rpms[i]
		if rp.Arch == "src" {
			srpm = &rpms[i]
		}
		a := byArch[rp.Arch]
		if a == nil {
			a = &arched{Arch: rp.Arch}
			byArch[rp.Arch] = a
			arches = append(arches, rp.Arch)
		}
		a.RPMs = append(a.RPMs, rpmRow{rp, s.o.FilesURL + "/" + path.Join(dir, rp.Arch, rp.Filename())})
	}
	sort.Slice(arches, func(i, j int) bool { // src first, as kojiweb
		if (arches[i] == "src") != (arches[j] == "src") {
			return arches[i] == "src"
		}
		return arches[i] < arches[j]
	})
	var list []*arched
	for _, a := range arches {
		list = append(list, byArch[a])
	}
	var logs []buildLog
	var changelog []changeEntry
	if s.o.TopDir != "" {
		logDir := filepath.Join(s.o.TopDir, filepath.FromSlash(dir), "data", "logs")
		archDirs, _ := os.ReadDir(logDir)
		for _, ad := range archDirs {
			files, _ := os.ReadDir(filepath.Join(logDir, ad.Name()))
			for _, f := range files {
				if !f.IsDir() {
					logs = append(logs, buildLog{ad.Name(), f.Name(), s.o.FilesURL + "/" + path.Join(dir, "data", "logs", ad.Name(), f.Name())})
				}
			}
		}
		// the changelog of the SRPM, else of the first RPM
		var from *koji.RPM
		if srpm != nil {
			from = srpm
		} else if len(rpms) > 0 {
			from = &rpms[0]
		}
		if from != nil {
			if h, err := s.readHeader(b, from); err == nil {
				changelog = changelogOf(h, 20)
			}
		}
	}
	var task *koji.TaskInfo
	var failed []taskLogs
	if b.TaskID != nil {
		task, _ = s.h.GetTaskInfo(ctx, *b.TaskID, koji.GetTaskInfoOpts{})
		if task != nil && b.State != koji.BuildComplete {
			// a build that did not complete has no logs of its own: those
			// of its failed tasks (root.log, build.log), as packagers look
			if failed, err = s.failedLogs(ctx, task); err != nil {
				return nil, err
			}
		}
	}
	return &page{Title: b.NVR, Data: map[string]any{"build": b, "tags": tags, "arches": list, "logs": logs,
		"changelog": changelog, "task": task, "failed_tasks": failed, "dir": s.o.FilesURL + "/" + dir}}, nil
}

// taskLogs is a failed task with its log files.
type taskLogs struct {
	Task koji.TaskInfo
	Logs []outputFile
}

// failedLogs lists the failed tasks of a task's tree with their logs.
func (s *Server) failedLogs(ctx context.Context, root *koji.TaskInfo) ([]taskLogs, error) {
	var out []taskLogs
	var walk func(t koji.TaskInfo, depth int) error
	walk = func(t koji.TaskInfo, depth int) error {
		kids, err := s.h.GetTaskChildren(ctx, t.ID, koji.GetTaskChildrenOpts{})
		if err != nil {
			return err
		}
		if t.State == koji.TaskFailed {
			files, err := s.outputFiles(ctx, t.ID)
			if err != nil {
				return err
			}
			var logs []outputFile
			for _, f := range files {
				if f.LiveURL != "" {
					logs = append(logs, f)
				}
			}
			if len(logs) > 0 {
				out = append(out, taskLogs{t, logs})
			}
		}
		if depth < 10 {
			for _, k := range kids {
				if err := walk(k, depth+1); err != nil {
					return err
				}
			}
		}
		return nil
	}
	return out, walk(*root, 0)
}

// outputFiles lists a task's output files with their links.
func (s *Server) outputFiles(ctx context.Context, id int) ([]outputFile, error) {
	outs, err := s.h.ListTaskOutput(ctx, id, koji.ListTaskOutputOpts{Stat: true})
	if err != nil {
		return nil, err
	}
	var files []outputFile
	for _, o := range outs {
		f := outputFile{Name: o.Name, URL: "getfile" + query("taskID", id, "name", o.Name)}
		if o.Stat != nil {
			f.Size = o.Stat["st_size"]
		}
		if strings.HasSuffix(o.Name, ".log") {
			f.LiveURL = "tasklog" + query("taskID", id, "name", o.Name)
		}
		files = append(files, f)
	}
	sort.Slice(files, func(i, j int) bool { return files[i].Name < files[j].Name })
	return files, nil
}

var taskStates = []koji.TaskState{koji.TaskFree, koji.TaskOpen, koji.TaskClosed, koji.TaskCanceled, koji.TaskAssigned, koji.TaskFailed}

// taskNode is a task with its children (the tree view).
type taskNode struct {
	koji.TaskInfo
	Children []*taskNode
	Depth    int
}

func (s *Server) tasks(r *http.Request) (*page, error) {
	ctx := r.Context()
	start, err := optInt(r, "start", 0)
	if err != nil {
		return nil, err
	}
	q := r.URL.Query()
	view := q.Get("view")
	switch view {
	case "":
		view = "tree"
	case "tree", "toplevel", "flat":
	default:
		return nil, badRequest("view must be tree, toplevel or flat, not %q", view)
	}
	tq := &koji.TaskQuery{Method: q.Get("method")}
	filter := map[string]string{"view": view, "method": q.Get("method"), "state": q.Get("state")}
	switch st := q.Get("state"); st {
	case "", "all":
	case "active":
		tq.State = []koji.TaskState{koji.TaskFree, koji.TaskOpen, koji.TaskAssigned}
	default:
		found := false
		for _, ts := range taskStates {
			if strings.EqualFold(ts.String(), st) {
				tq.State, found = []koji.TaskState{ts}, true
			}
		}
		if !found {
			return nil, badRequest("state must be all, active or a task state (free, open, closed, canceled, assigned, failed), not %q", st)
		}
	}
	if ref, ok := refArg(r, "owner"); ok {
		u, err := s.h.GetUser(ctx, ref, koji.GetUserOpts{})
		if err != nil {
			return nil, err
		}
		if u == nil {
			return nil, notFound("no such user: %s", q.Get("owner"))
		}
		tq.Owner = []int{u.ID}
		filter["owner"] = u.Name
	}
	link := func(st int) string {
		return "tasks" + query("view", filter["view"], "state", filter["state"], "method", filter["method"], "owner", filter["owner"], "start", st)
	}
	var rows []koji.TaskInfo
	if view == "flat" {
		if rows, err = s.h.ListTasks(ctx, koji.ListTasksOpts{Opts: tq, QueryOpts: pageOpts(start, "-id")}); err != nil {
			return nil, err
		}
	} else {
		// top-level tasks (parent=None), each with its tree
		tq.TopLevel = true
		if rows, err = s.h.ListTasks(ctx, koji.ListTasksOpts{Opts: tq, QueryOpts: pageOpts(start, "-id")}); err != nil {
			return nil, err
		}
	}
	rows, pg := paged(rows, start, link)
	var nodes []*taskNode
	for _, t := range rows {
		n := &taskNode{TaskInfo: t}
		if view == "tree" {
			if err := s.children(ctx, n, 1); err != nil {
				return nil, err
			}
		}
		nodes = append(nodes, n)
	}
	var flat []*taskNode
	var walk func(n *taskNode)
	walk = func(n *taskNode) {
		flat = append(flat, n)
		for _, c := range n.Children {
			walk(c)
		}
	}
	for _, n := range nodes {
		walk(n)
	}
	var states []string
	for _, ts := range taskStates {
		states = append(states, strings.ToLower(ts.String()))
	}
	return &page{Title: "Tasks", Data: map[string]any{"tasks": flat, "pager": pg, "filter": filter, "states": states,
		"views": []string{"tree", "toplevel", "flat"}}}, nil
}

func (s *Server) children(ctx context.Context, n *taskNode, depth int) error {
	if depth > 10 {
		return nil
	}
	kids, err := s.h.GetTaskChildren(ctx, n.ID, koji.GetTaskChildrenOpts{})
	if err != nil {
		return err
	}
	for _, k := range kids {
		c := &taskNode{TaskInfo: k, Depth: depth}
		if err := s.children(ctx, c, depth+1); err != nil {
			return err
		}
		n.Children = append(n.Children, c)
	}
	return nil
}

// outputFile is a task output file with its links.
type outputFile struct {
	Name, URL, LiveURL string
	Size               any
}

func (s *Server) taskinfo(r *http.Request) (*page, error) {
	ctx := r.Context()
	id, err := intArg(r, "taskID")
	if err != nil {
		return nil, err
	}
	t, err := s.h.GetTaskInfo(ctx, id, koji.GetTaskInfoOpts{Request: true})
	if err != nil {
		return nil, err
	}
	if t == nil {
		return nil, notFound("no such task: %d", id)
	}
	d := map[string]any{"task": t, "params": t.RequestParams()}
	if t.Parent != nil {
		if p, err := s.h.GetTaskInfo(ctx, *t.Parent, koji.GetTaskInfoOpts{}); err == nil {
			d["parent"] = p
		}
	}
	kids, err := s.h.GetTaskChildren(ctx, id, koji.GetTaskChildrenOpts{})
	if err != nil {
		return nil, err
	}
	d["children"] = kids
	if u, err := s.h.GetUser(ctx, koji.ByID(t.Owner), koji.GetUserOpts{}); err == nil && u != nil {
		d["owner"] = u.Name
	}
	switch t.State {
	case koji.TaskClosed, koji.TaskFailed, koji.TaskCanceled:
		res, err := s.h.GetTaskResult(ctx, id, koji.GetTaskResultOpts{})
		if err != nil {
			d["fault"] = err.Error()
		} else {
			d["result"] = res
		}
	}
	files, err := s.outputFiles(ctx, id)
	if err != nil {
		return nil, err
	}
	d["files"] = files
	builds, err := s.h.ListBuilds(ctx, koji.ListBuildsOpts{TaskID: &id})
	if err == nil {
		d["builds"] = builds
	}
	return &page{Title: fmt.Sprintf("Task %d: %s", id, t.Method), Data: d}, nil
}

// tasklog is the live view of a task's log: the page follows the file
// (getfile with offset) while the task runs.
func (s *Server) tasklog(r *http.Request) (*page, error) {
	id, err := intArg(r, "taskID")
	if err != nil {
		return nil, err
	}
	name := r.URL.Query().Get("name")
	if name == "" {
		return nil, badRequest("missing argument name")
	}
	t, err := s.h.GetTaskInfo(r.Context(), id, koji.GetTaskInfoOpts{})
	if err != nil {
		return nil, err
	}
	if t == nil {
		return nil, notFound("no such task: %d", id)
	}
	return &page{Title: fmt.Sprintf("%s of task %d", name, id), Data: map[string]any{"task": t, "name": name,
		"file": "getfile" + query("taskID", id, "name", name)}}, nil
}

// getfile answers a task output file, or the part of it offset and size
// ask for (as Koji's getfile, which the CLI's --getfiles uses).
func (s *Server) getfile(w http.ResponseWriter, r *http.Request) {
	id, err := intArg(r, "taskID")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	name := r.URL.Query().Get("name")
	if name == "" || strings.Contains(name, "/") || name == "." || name == ".." {
		s.fail(w, r, badRequest("name must be the name of a file of the task, not %q", name))
		return
	}
	o := koji.DownloadTaskOutputOpts{Volume: r.URL.Query().Get("volume")}
	if v := r.URL.Query().Get("offset"); v != "" {
		var n int64
		if _, err := fmt.Sscan(v, &n); err != nil {
			s.fail(w, r, badRequest("offset must be a number, not %q", v))
			return
		}
		o.Offset = n
	}
	if v := r.URL.Query().Get("size"); v != "" {
		var n int64
		if _, err := fmt.Sscan(v, &n); err != nil {
			s.fail(w, r, badRequest("size must be a number, not %q", v))
			return
		}
		if n >= 0 {
			o.Size = &n
		}
	}
	outs, err := s.h.ListTaskOutput(r.Context(), id, koji.ListTaskOutputOpts{})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	found := false
	for _, f := range outs {
		found = found || f.Name == name
	}
	if !found {
		s.fail(w, r, notFound("task %d has no file %s", id, name))
		return
	}
	data, err := s.h.DownloadTaskOutput(r.Context(), id, name, o)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ct := "application/octet-stream"
	switch path.Ext(name) {
	case ".log", ".txt", ".spec", ".cfg", ".repo", ".xml", ".json", ".ini":
		ct = "text/plain; charset=utf-8" // never rendered: logs are user input
	default:
		w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", name))
	}
	w.Header().Set("Content-Type", ct)
	_, _ = w.Write(data)
}

func (s *Server) tags(r *http.Request) (*page, error) {
	q := r.URL.Query()
	all, err := s.h.ListTags(r.Context(), koji.ListTagsOpts{})
	if err != nil {
		return nil, err
	}
	prefix := q.Get("prefix")
	var rows []koji.TagEntry
	for _, t := range all {
		if strings.HasPrefix(t.Name, prefix) {
			rows = append(rows, t)
		}
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].Name < rows[j].Name })
	return &page{Title: "Tags", Data: map[string]any{"tags": rows, "prefix": prefix}}, nil
}

// inheritRow is a line of the inheritance tree.
type inheritRow struct {
	koji.FullInheritanceLink
	Indent int
}

func (s *Server) taginfo(r *http.Request) (*page, error) {
	ctx := r.Context()
	ref, ok := refArg(r, "tagID")
	if !ok {
		return nil, badRequest("missing argument tagID")
	}
	t, err := s.h.GetTag(ctx, ref, koji.GetTagOpts{})
	if err != nil {
		return nil, err
	}
	if t == nil {
		return nil, notFound("no such tag: %s", r.URL.Query().Get("tagID"))
	}
	tid := koji.ByID(t.ID)
	parents, err := s.h.GetFullInheritance(ctx, tid, koji.GetFullInheritanceOpts{})
	if err != nil {
		return nil, err
	}
	children, err := s.h.GetFullInheritance(ctx, tid, koji.GetFullInheritanceOpts{Reverse: true})
	if err != nil {
		return nil, err
	}
	var tree, childTree []inheritRow
	for _, l := range parents {
		tree = append(tree, inheritRow{l, l.CurrDepth})
	}
	for _, l := range children {
		childTree = append(childTree, inheritRow{l, l.CurrDepth})
	}
	asBuild, err := s.h.GetBuildTargets(ctx, koji.GetBuildTargetsOpts{BuildTagID: tid})
	if err != nil {
		return nil, err
	}
	asDest, err := s.h.GetBuildTargets(ctx, koji.GetBuildTargetsOpts{DestTagID: tid})
	if err != nil {
		return nil, err
	}
	ext, err := s.h.GetExternalRepoList(ctx, tid, koji.EventOpts{})
	if err != nil {
		return nil, err
	}
	// the packages, the latest builds and all builds are a click away
	// (kojiweb counts them first: with inheritance over thousands of
	// builds that is most of the page's cost)
	repo, _ := s.h.GetRepo(ctx, tid, koji.GetRepoOpts{})
	var extra []map[string]any
	keys := make([]string, 0, len(t.Extra))
	for k := range t.Extra {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		extra = append(extra, map[string]any{"key": k, "value": t.Extra[k]})
	}
	return &page{Title: t.Name, Data: map[string]any{"tag": t, "inheritance": tree, "children": childTree,
		"build_targets": asBuild, "dest_targets": asDest, "external_repos": ext,
		"repo": repo, "extra": extra}}, nil
}

func (s *Server) packages(r *http.Request) (*page, error) {
	start, err := optInt(r, "start", 0)
	if err != nil {
		return nil, err
	}
	prefix := r.URL.Query().Get("prefix")
	o := koji.ListPackagesOpts{Prefix: prefix, QueryOpts: pageOpts(start, "package_name")}
	d := map[string]any{"prefix": prefix}
	tagID := 0
	if ref, ok := refArg(r, "tagID"); ok {
		t, err := s.h.GetTag(r.Context(), ref, koji.GetTagOpts{})
		if err != nil {
			return nil, err
		}
		if t == nil {
			return nil, notFound("no such tag: %s", r.URL.Query().Get("tagID"))
		}
		o.TagID, o.Inherited, tagID = koji.ByID(t.ID), true, t.ID
		d["tag"] = t
	}
	rows, err := s.h.ListPackages(r.Context(), o)
	if err != nil {
		return nil, err
	}
	rows, pg := paged(rows, start, func(st int) string { return "packages" + query("tagID", tagID, "prefix", prefix, "start", st) })
	d["packages"], d["pager"] = rows, pg
	return &page{Title: "Packages", Data: d}, nil
}

func (s *Server) packageinfo(r *http.Request) (*page, error) {
	ctx := r.Context()
	ref, ok := refArg(r, "packageID")
	if !ok {
		return nil, badRequest("missing argument packageID")
	}
	p, err := s.h.GetPackage(ctx, ref, koji.GetPackageOpts{})
	if err != nil {
		return nil, err
	}
	if p == nil {
		return nil, notFound("no such package: %s", r.URL.Query().Get("packageID"))
	}
	start, err := optInt(r, "start", 0)
	if err != nil {
		return nil, err
	}
	builds, err := s.h.ListBuilds(ctx, koji.ListBuildsOpts{PackageID: koji.ByID(p.ID), QueryOpts: pageOpts(start, "-build_id")})
	if err != nil {
		return nil, err
	}
	builds, pg := paged(builds, start, func(st int) string { return "packageinfo" + query("packageID", p.ID, "start", st) })
	tags, err := s.h.ListPackages(ctx, koji.ListPackagesOpts{PkgID: koji.ByID(p.ID)})
	if err != nil {
		return nil, err
	}
	sort.Slice(tags, func(i, j int) bool { return tags[i].TagName < tags[j].TagName })
	return &page{Title: p.Name, Data: map[string]any{"package": p, "builds": builds, "pager": pg, "tags": tags}}, nil
}

func (s *Server) buildtargets(r *http.Request) (*page, error) {
	ts, err := s.h.GetBuildTargets(r.Context(), koji.GetBuildTargetsOpts{})
	if err != nil {
		return nil, err
	}
	sort.Slice(ts, func(i, j int) bool { return ts[i].Name < ts[j].Name })
	return &page{Title: "Build targets", Data: map[string]any{"targets": ts}}, nil
}

func (s *Server) repoinfo(r *http.Request) (*page, error) {
	id, err := intArg(r, "repoID")
	if err != nil {
		return nil, err
	}
	repo, err := s.h.RepoInfo(r.Context(), id, koji.RepoInfoOpts{})
	if err != nil {
		return nil, err
	}
	if repo == nil {
		return nil, notFound("no such repo: %d", id)
	}
	d := map[string]any{"repo": repo, "url": s.o.FilesURL + "/" + path.Join("repos", repo.TagName, fmt.Sprint(repo.ID))}
	return &page{Title: fmt.Sprintf("Repo %d of %s", repo.ID, repo.TagName), Data: d}, nil
}

func (s *Server) rpminfo(r *http.Request) (*page, error) {
	ctx := r.Context()
	id, err := intArg(r, "rpmID")
	if err != nil {
		return nil, err
	}
	rp, err := s.h.GetRPM(ctx, koji.ByID(id), koji.GetRPMOpts{})
	if err != nil {
		return nil, err
	}
	if rp == nil {
		return nil, notFound("no such RPM: %d", id)
	}
	d := map[string]any{"rpm": rp, "filename": rp.Filename()}
	if rp.ExternalRepoID == 0 {
		b, err := s.h.GetBuild(ctx, koji.ByID(rp.BuildID), koji.GetBuildOpts{})
		if err != nil {
			return nil, err
		}
		if b != nil {
			d["build"] = b
			d["url"] = s.o.FilesURL + "/" + path.Join("packages", b.Name, b.Version, b.Release, rp.Arch, rp.Filename())
			if s.o.TopDir != "" {
				if h, err := s.readHeader(b, rp); err == nil {
					d["header"] = headerInfo(h)
				} else {
					d["header_error"] = err.Error()
				}
			}
		}
	}
	return &page{Title: rp.Filename(), Data: d}, nil
}

// searchTypes are the types of search, as kojiweb's search box.
var searchTypes = []string{"package", "build", "tag", "target", "rpm", "user"}

// searchResult is a match, with its page.
type searchResult struct {
	Name, URL string
}

func (s *Server) search(r *http.Request) (*page, error) {
	ctx := r.Context()
	q := r.URL.Query()
	terms, typ, match := strings.TrimSpace(q.Get("terms")), q.Get("type"), q.Get("match")
	if typ == "" {
		typ = "package"
	}
	if match == "" {
		match = "glob"
	}
	d := map[string]any{"terms": terms, "type": typ, "match": match, "types": searchTypes, "matches": []string{"glob", "regexp", "exact"}}
	if terms == "" {
		return &page{Title: "Search", Data: d}, nil
	}
	var m func(string) bool
	switch match {
	case "glob":
		re, err := regexp.Compile("^" + globRegexp(terms) + "$")
		if err != nil {
			return nil, badRequest("bad glob %q: %v", terms, err)
		}
		m = re.MatchString
	case "regexp":
		re, err := regexp.Compile(terms)
		if err != nil {
			return nil, badRequest("bad regular expression %q: %v", terms, err)
		}
		m = re.MatchString
	case "exact":
		m = func(s string) bool { return s == terms }
	default:
		return nil, badRequest("match must be glob, regexp or exact, not %q", match)
	}
	var res []searchResult
	switch typ {
	case "package":
		l, err := s.h.ListPackages(ctx, koji.ListPackagesOpts{})
		if err != nil {
			return nil, err
		}
		for _, p := range l {
			if m(p.PackageName) {
				res = append(res, searchResult{p.PackageName, "packageinfo" + query("packageID", p.PackageID)})
			}
		}
	case "build":
		o := koji.ListBuildsOpts{QueryOpts: &koji.QueryOpts{Order: "-build_id"}}
		if match == "glob" {
			o.Pattern = terms
		}
		l, err := s.h.ListBuilds(ctx, o)
		if err != nil {
			return nil, err
		}
		for _, b := range l {
			if m(b.NVR) {
				res = append(res, searchResult{b.NVR, "buildinfo" + query("buildID", b.ID)})
			}
		}
	case "tag":
		l, err := s.h.ListTags(ctx, koji.ListTagsOpts{})
		if err != nil {
			return nil, err
		}
		for _, t := range l {
			if m(t.Name) {
				res = append(res, searchResult{t.Name, "taginfo" + query("tagID", t.ID)})
			}
		}
	case "target":
		l, err := s.h.GetBuildTargets(ctx, koji.GetBuildTargetsOpts{})
		if err != nil {
			return nil, err
		}
		for _, t := range l {
			if m(t.Name) {
				res = append(res, searchResult{t.Name, "buildtargets"})
			}
		}
	case "rpm":
		// the RPMs of the builds whose package could match (an RPM's
		// name starts with... anything: all builds' RPMs, in one call each)
		l, err := s.h.ListBuilds(ctx, koji.ListBuildsOpts{QueryOpts: &koji.QueryOpts{Order: "-build_id", Limit: 2000}})
		if err != nil {
			return nil, err
		}
		for _, b := range l {
			id := b.ID
			rpms, err := s.h.ListRPMs(ctx, koji.ListRPMsOpts{BuildID: &id})
			if err != nil {
				return nil, err
			}
			for _, rp := range rpms {
				n := rp.Filename()
				if m(strings.TrimSuffix(n, ".rpm")) || m(n) || m(rp.Name) {
					res = append(res, searchResult{n, "rpminfo" + query("rpmID", rp.ID)})
				}
			}
		}
	case "user":
		// no listUsers in the API: the owners of builds and tasks
		seen := map[string]bool{}
		l, err := s.h.ListBuilds(ctx, koji.ListBuildsOpts{})
		if err != nil {
			return nil, err
		}
		for _, b := range l {
			if !seen[b.OwnerName] && m(b.OwnerName) {
				seen[b.OwnerName] = true
				res = append(res, searchResult{b.OwnerName, "builds" + query("userID", b.OwnerID)})
			}
		}
	default:
		return nil, badRequest("type must be one of %s, not %q", strings.Join(searchTypes, ", "), typ)
	}
	sort.SliceStable(res, func(i, j int) bool { return res[i].Name < res[j].Name })
	d["results"] = res
	if len(res) == 1 {
		d["redirect"] = res[0].URL
	}
	return &page{Title: "Search: " + terms, Data: d}, nil
}

// globRegexp turns a shell glob (*, ?, [...]) into a regexp.
func globRegexp(g string) string {
	var b strings.Builder
	for i := 0; i < len(g); i++ {
		switch c := g[i]; c {
		case '*':
			b.WriteString(".*")
		case '?':
			b.WriteString(".")
		case '[':
			if j := strings.IndexByte(g[i+1:], ']'); j >= 0 {
				cls := g[i+1 : i+1+j]
				if strings.HasPrefix(cls, "!") {
					cls = "^" + cls[1:]
				}
				b.WriteString("[" + cls + "]")
				i += j + 1
				continue
			}
			b.WriteString(`\[`)
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	return b.String()
}
