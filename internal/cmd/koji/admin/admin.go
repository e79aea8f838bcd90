// Package admin implements osg-koji's removal and edit verbs and the
// searches that go with them: remove-tag, edit-target, remove-target,
// remove-external-repo, revoke-permission, move-build, clone-tag,
// list-untagged, search, rpminfo and list-api. They call the hub by Koji's method names (Call), so they work
// on any hub, the embedded one included, and print what the koji CLI
// prints.
package admin

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/osg-htc/osg-build-go/internal/cmd/koji/shared"
	"github.com/osg-htc/osg-build-go/internal/cmdutil"
	"github.com/osg-htc/osg-build-go/pkg/koji"
	"github.com/osg-htc/osg-build-go/pkg/koji/client"
)

// Options are the options of the admin verbs.
type Options struct {
	shared.Common
	Args []string

	// edit-target
	Rename, BuildTag, DestTag string
	// remove-external-repo
	AllTags bool
	// move-build
	NoWait, Force bool
	// list-untagged
	Paths bool
	// search
	Regex, Exact bool
	// rpminfo
	Buildroots bool
	// clone-tag
	Config, Pkgs, Builds, Groups, All, LatestOnly, InheritBuilds bool
	NoDelete                                                     bool
	Event                                                        int
}

// NewCmds returns the admin verbs.
func NewCmds(f *cmdutil.Factory) []*cobra.Command {
	return []*cobra.Command{
		newCmd(f, &cobra.Command{Use: "remove-tag <tag>", Short: "Remove a tag",
			Long:    "Remove a tag: its config, inheritance, package list, tagged builds, external repos and groups are revoked (kept in the history), and the targets that use it are removed.",
			Example: "$ osg-koji remove-tag my-scratch-tag", Args: shared.RangeArgs(1, 1, "please specify a tag to remove")}, removeTag, func(*cobra.Command, *Options) {}),
		newCmd(f, &cobra.Command{Use: "edit-target <target> [--rename <name>] [--build-tag <tag>] [--dest-tag <tag>]", Short: "Change a build target's name, build tag or destination tag",
			Example: "$ osg-koji edit-target osg-25-main-el9 --dest-tag osg-25-main-el9-testing", Args: shared.RangeArgs(1, 1, "please specify a build target")}, editTarget,
			func(c *cobra.Command, o *Options) {
				c.Flags().StringVar(&o.Rename, "rename", "", "the new `name` of the target")
				c.Flags().StringVar(&o.BuildTag, "build-tag", "", "the new build `tag`")
				c.Flags().StringVar(&o.DestTag, "dest-tag", "", "the new destination `tag`")
			}),
		newCmd(f, &cobra.Command{Use: "remove-target <target>", Short: "Remove a build target",
			Example: "$ osg-koji remove-target my-target", Args: shared.RangeArgs(1, 1, "please specify a build target to remove")}, removeTarget, func(*cobra.Command, *Options) {}),
		newCmd(f, &cobra.Command{Use: "remove-external-repo <repo> [<tag>...] [--alltags]", Short: "Remove an external repo from tags, or delete it",
			Long: `Remove an external repo from the tags named, or with --alltags from every tag
that has it. With no tags the repo is deleted, as koji does; when tags still
use it that needs --force (which removes it from them first).`,
			Example: "$ osg-koji remove-external-repo epel9 osg-25-main-el9-build\n$ osg-koji remove-external-repo --force old-epel", Args: shared.MinArgs(1, "please specify an external repo")}, removeExternalRepo,
			func(c *cobra.Command, o *Options) {
				c.Flags().BoolVar(&o.AllTags, "alltags", false, "remove the repo from every tag that has it")
				c.Flags().BoolVar(&o.Force, "force", false, "with no tags: delete the repo even though tags use it")
			}),
		newCmd(f, &cobra.Command{Use: "revoke-permission <permission> <user>...", Short: "Revoke a permission from users",
			Example: "$ osg-koji revoke-permission build packager", Args: shared.MinArgs(2, "please specify a permission and at least one user")}, revokePermission, func(*cobra.Command, *Options) {}),
		newCmd(f, &cobra.Command{Use: "move-build <tag1> <tag2> <build>...", Short: "Move builds from one tag to another",
			Example: "$ osg-koji move-build osg-25-main-el9-development osg-25-main-el9-testing foo-1.0-1.osg25.el9", Args: shared.MinArgs(3, "this command takes at least three arguments: two tags and one or more package n-v-r's")}, moveBuild,
			func(c *cobra.Command, o *Options) {
				c.Flags().BoolVar(&o.NoWait, "nowait", false, "do not wait for the tasks")
				c.Flags().BoolVar(&o.Force, "force", false, "force the operation")
			}),
		newCmd(f, &cobra.Command{Use: "clone-tag <src-tag> <dst-tag>", Short: "Copy a tag's config, packages, builds and groups into another tag",
			Long: `Copy a tag into another, at once on the hub: its config (--copy-config:
koji's --config, which is osg-koji's config file option), its package list
with inherited entries (--pkgs), its builds (--builds; --latest-only for the
latest of each package, --inherit-builds to include inherited ones) and its
comps groups (--groups), or all of them (--all). A new dst-tag is created
(Koji's snapshotTag); an existing one is made to match (snapshotTagModify):
what the source lacks is untagged, blocked or removed unless --no-delete,
and builds are re-tagged where their order differs. Inheritance and external
repos are not copied.`,
			Example: "$ osg-koji clone-tag --all --latest-only osg-25-main-el9-release my-snapshot", Args: shared.RangeArgs(2, 2, "this command takes two arguments: <src-tag> <dst-tag>")}, cloneTag,
			func(c *cobra.Command, o *Options) {
				// koji's --config; here --config is the global option (the Koji config file)
				c.Flags().BoolVar(&o.Config, "copy-config", false, "copy the config (koji's clone-tag --config)")
				c.Flags().BoolVar(&o.Pkgs, "pkgs", false, "copy the package list")
				c.Flags().BoolVar(&o.Builds, "builds", false, "tag the builds into the new tag")
				c.Flags().BoolVar(&o.Groups, "groups", false, "copy the comps groups")
				c.Flags().BoolVar(&o.All, "all", false, "the same as --copy-config --pkgs --builds --groups")
				c.Flags().BoolVar(&o.LatestOnly, "latest-only", false, "only the latest build of each package")
				c.Flags().BoolVar(&o.InheritBuilds, "inherit-builds", false, "include the builds the source tag inherits")
				c.Flags().IntVar(&o.Event, "event", 0, "clone the tag as it was at this `event`")
				c.Flags().BoolVar(&o.NoDelete, "no-delete", false, "into an existing tag: keep what it has that the source lacks")
				c.Flags().BoolVarP(&o.Force, "force", "f", false, "override tag locks")
			}),
		newCmd(f, &cobra.Command{Use: "list-api [<method>...]", Short: "List the hub's XML-RPC calls with their arguments",
			Example: "$ osg-koji list-api\n$ osg-koji list-api getBuild", Args: cobra.ArbitraryArgs}, listAPI, func(*cobra.Command, *Options) {}),
		newCmd(f, &cobra.Command{Use: "rpminfo <n-v-r.a|id>...", Short: "Print basic information about RPMs",
			Example: "$ osg-koji rpminfo osg-ca-certs-1.130-1.osg25.el9.noarch", Args: shared.MinArgs(1, "please specify an RPM")}, rpmInfo,
			func(c *cobra.Command, o *Options) {
				c.Flags().BoolVar(&o.Buildroots, "buildroots", false, "show the buildroots the RPM was used in")
			}),
		newCmd(f, &cobra.Command{Use: "list-untagged [<package>]", Short: "List the complete builds that are in no tag",
			Example: "$ osg-koji list-untagged\n$ osg-koji list-untagged --paths foo", Args: shared.RangeArgs(0, 1, "only one package name may be specified")}, listUntagged,
			func(c *cobra.Command, o *Options) {
				c.Flags().BoolVar(&o.Paths, "paths", false, "show the builds' paths")
			}),
		newCmd(f, &cobra.Command{Use: "search <type> <pattern>", Short: "Search packages, builds, tags, targets, users, hosts or RPMs by name",
			Long:    "Search by name: a case-insensitive glob by default, a case-insensitive regular expression with --regex, the exact name with --exact. Types: package, build, tag, target, user, host, rpm, maven, win.",
			Example: "$ osg-koji search build 'osg-ca-certs-*'\n$ osg-koji search package -r '^xrootd'", Args: shared.RangeArgs(2, 2, "please specify a search type and a pattern")}, search,
			func(c *cobra.Command, o *Options) {
				c.Flags().BoolVarP(&o.Regex, "regex", "r", false, "the pattern is a regular expression")
				c.Flags().BoolVar(&o.Exact, "exact", false, "the pattern is the exact name")
			}),
	}
}

func newCmd(f *cmdutil.Factory, cmd *cobra.Command, run func(context.Context, *Options) error, flags func(*cobra.Command, *Options)) *cobra.Command {
	opts := &Options{Common: shared.NewCommon(f)}
	cmd.RunE = func(c *cobra.Command, args []string) error {
		opts.Args = args
		return run(c.Context(), opts)
	}
	flags(cmd, opts)
	shared.AddJSONFlag(cmd, &opts.Common)
	return cmd
}

func removeTag(ctx context.Context, o *Options) error {
	h, err := o.OpenForWrite(ctx)
	if err != nil {
		return err
	}
	t, err := h.GetTag(ctx, shared.Ref(o.Args[0]), koji.GetTagOpts{})
	if err != nil {
		return err
	}
	if t == nil {
		return fmt.Errorf("no such tag: %s", o.Args[0])
	}
	if _, err := h.Call(ctx, "deleteTag", []any{t.ID}, nil); err != nil {
		return err
	}
	if o.JSON {
		return o.WriteJSON(map[string]any{"removed": t.Name})
	}
	return nil
}

func editTarget(ctx context.Context, o *Options) error {
	h, t, err := openTarget(ctx, o)
	if err != nil {
		return err
	}
	name, build, dest := t.Name, t.BuildTagName, t.DestTagName
	if o.Rename != "" {
		name = o.Rename
	}
	if o.BuildTag != "" {
		bt, err := h.GetTag(ctx, koji.ByName(o.BuildTag), koji.GetTagOpts{})
		if err != nil {
			return err
		}
		if bt == nil {
			return fmt.Errorf("no such tag: %s", o.BuildTag)
		}
		if bt.Arches == nil || *bt.Arches == "" {
			return fmt.Errorf("build tag has no arches: %s (set them with osg-koji edit-tag --arches)", o.BuildTag)
		}
		build = o.BuildTag
	}
	if o.DestTag != "" {
		dt, err := h.GetTag(ctx, koji.ByName(o.DestTag), koji.GetTagOpts{})
		if err != nil {
			return err
		}
		if dt == nil {
			return fmt.Errorf("no such destination tag: %s", o.DestTag)
		}
		dest = o.DestTag
	}
	if _, err := h.Call(ctx, "editBuildTarget", []any{t.Name, name, build, dest}, nil); err != nil {
		return err
	}
	if o.JSON {
		return o.WriteJSON(map[string]any{"name": name, "build_tag_name": build, "dest_tag_name": dest})
	}
	return nil
}

// openTarget logs in and finds the target named by the first argument.
func openTarget(ctx context.Context, o *Options) (koji.Hub, *koji.BuildTarget, error) {
	h, err := o.OpenForWrite(ctx)
	if err != nil {
		return nil, nil, err
	}
	t, err := h.GetBuildTarget(ctx, shared.Ref(o.Args[0]), koji.GetBuildTargetOpts{})
	if err != nil {
		return nil, nil, err
	}
	if t == nil {
		return nil, nil, fmt.Errorf("no such build target: %s", o.Args[0])
	}
	return h, t, nil
}

func removeTarget(ctx context.Context, o *Options) error {
	h, t, err := openTarget(ctx, o)
	if err != nil {
		return err
	}
	if _, err := h.Call(ctx, "deleteBuildTarget", []any{t.ID}, nil); err != nil {
		return err
	}
	if o.JSON {
		return o.WriteJSON(map[string]any{"removed": t.Name})
	}
	return nil
}

func removeExternalRepo(ctx context.Context, o *Options) error {
	repo, tags := o.Args[0], o.Args[1:]
	if len(tags) > 0 && o.AllTags {
		return cmdutil.FlagErrorf("do not name tags with --alltags")
	}
	h, err := o.OpenForWrite(ctx)
	if err != nil {
		return err
	}
	r, err := h.GetExternalRepo(ctx, shared.Ref(repo), koji.GetExternalRepoOpts{})
	if err != nil {
		return err
	}
	if r == nil {
		return fmt.Errorf("no such external repo: %s", repo)
	}
	current, err := h.GetTagExternalRepos(ctx, koji.GetTagExternalReposOpts{RepoInfo: koji.ByID(r.ID)})
	if err != nil {
		return err
	}
	has := map[string]bool{}
	var used []string
	for _, c := range current {
		has[c.TagName] = true
		used = append(used, c.TagName)
	}
	if len(tags) == 0 && !o.AllTags {
		// no tags: delete the repo, as koji does (--force when tags use it)
		if len(used) > 0 && !o.Force {
			return fmt.Errorf("external repo %s is used by tag(s): %s: use --force to remove it from them and delete it, or name the tags to remove it from", r.Name, strings.Join(used, ", "))
		}
		if _, err := h.Call(ctx, "deleteExternalRepo", []any{r.ID}, nil); err != nil {
			return err
		}
		if o.JSON {
			return o.WriteJSON(map[string]any{"repo": r.Name, "removed_from": used, "deleted": true})
		}
		o.Statusf("Deleted external repo %s\n", r.Name)
		return nil
	}
	if o.AllTags {
		tags = tags[:0]
		for _, c := range current {
			tags = append(tags, c.TagName)
		}
	}
	var calls []koji.Call
	var removed []string
	for _, t := range tags {
		if !has[t] {
			o.Statusf("External repo %s not associated with tag %s\n", r.Name, t)
			continue
		}
		calls = append(calls, koji.Call{Method: "removeExternalRepoFromTag", Args: []any{t, r.ID}})
		removed = append(removed, t)
	}
	if len(calls) > 0 {
		if _, err := shared.MultiCallStrict(ctx, h, calls); err != nil {
			return err
		}
	}
	if o.JSON {
		return o.WriteJSON(map[string]any{"repo": r.Name, "removed_from": removed})
	}
	for _, t := range removed {
		o.Statusf("Removed external repo %s from tag %s\n", r.Name, t)
	}
	return nil
}

func revokePermission(ctx context.Context, o *Options) error {
	h, err := o.OpenForWrite(ctx)
	if err != nil {
		return err
	}
	perm, names := o.Args[0], o.Args[1:]
	for _, n := range names {
		u, err := h.GetUser(ctx, koji.ByName(n), koji.GetUserOpts{})
		if err != nil {
			return err
		}
		if u == nil {
			return cmdutil.FlagErrorf("no such user: %s", n)
		}
	}
	for _, n := range names {
		if _, err := h.Call(ctx, "revokePermission", []any{n, perm}, nil); err != nil {
			return err
		}
	}
	if o.JSON {
		return o.WriteJSON(map[string]any{"permission": perm, "revoked_from": names})
	}
	return nil
}

func moveBuild(ctx context.Context, o *Options) error {
	h, err := o.OpenForWrite(ctx)
	if err != nil {
		return err
	}
	from, to := o.Args[0], o.Args[1]
	var tasks []int
	seen := map[int]bool{}
	for _, nvr := range o.Args[2:] {
		b, err := h.GetBuild(ctx, shared.Ref(nvr), koji.GetBuildOpts{})
		if err != nil {
			return err
		}
		if b == nil {
			o.Printf("No such build: %s, skipping.\n", nvr)
			continue
		}
		if seen[b.ID] {
			continue
		}
		seen[b.ID] = true
		v, err := h.Call(ctx, "moveBuild", []any{from, to, b.ID, o.Force}, nil)
		if err != nil {
			return err
		}
		var id int
		if err := client.Decode(v, &id); err != nil {
			return err
		}
		tasks = append(tasks, id)
		if !o.JSON {
			o.Printf("Created task %d, moving %s\n", id, b.NVR)
		}
	}
	if o.JSON {
		if err := o.WriteJSON(map[string]any{"tasks": tasks}); err != nil {
			return err
		}
	}
	if o.NoWait || len(tasks) == 0 {
		return nil
	}
	return o.WaitTasks(ctx, h, tasks)
}

// untagged is one answer of untaggedBuilds.
type untagged struct {
	ID      int    `xmlrpc:"id" json:"id"`
	Name    string `xmlrpc:"name" json:"name"`
	Version string `xmlrpc:"version" json:"version"`
	Release string `xmlrpc:"release" json:"release"`
}

func listUntagged(ctx context.Context, o *Options) error {
	h, err := o.Open(ctx)
	if err != nil {
		return err
	}
	kw := map[string]any{}
	if len(o.Args) == 1 {
		p, err := h.GetPackage(ctx, koji.ByName(o.Args[0]), koji.GetPackageOpts{})
		if err != nil {
			return err
		}
		if p == nil {
			return fmt.Errorf("no such package: %s", o.Args[0])
		}
		kw["name"] = o.Args[0]
	}
	v, err := h.Call(ctx, "untaggedBuilds", nil, kw)
	if err != nil {
		return err
	}
	var l []untagged
	if err := client.Decode(v, &l); err != nil {
		return err
	}
	if o.JSON {
		if l == nil {
			l = []untagged{}
		}
		return o.WriteJSON(l)
	}
	lines := make([]string, len(l))
	for i, b := range l {
		if o.Paths {
			lines[i] = shared.BuildPath(cmdutil.HubTopDir(h), b.Name, b.Version, b.Release)
		} else {
			lines[i] = b.Name + "-" + b.Version + "-" + b.Release
		}
	}
	sort.Strings(lines)
	for _, s := range lines {
		o.Printf("%s\n", s)
	}
	return nil
}

var searchTypes = map[string]bool{"package": true, "build": true, "tag": true, "target": true, "user": true, "host": true, "rpm": true, "maven": true, "win": true}

func search(ctx context.Context, o *Options) error {
	typ, pattern := o.Args[0], o.Args[1]
	if !searchTypes[typ] {
		return cmdutil.FlagErrorf("no such search type: %s (package, build, tag, target, user, host, rpm, maven, win)", typ)
	}
	match := "glob"
	if o.Regex {
		match = "regexp"
	} else if o.Exact {
		match = "exact"
	}
	h, err := o.Open(ctx)
	if err != nil {
		return err
	}
	v, err := h.Call(ctx, "search", []any{pattern, typ, match}, nil)
	if err != nil {
		return err
	}
	var l []struct {
		ID   int    `xmlrpc:"id" json:"id"`
		Name string `xmlrpc:"name" json:"name"`
	}
	if err := client.Decode(v, &l); err != nil {
		return err
	}
	if o.JSON {
		g, err := shared.Generic(l)
		if err != nil {
			return err
		}
		if g == nil {
			g = []any{}
		}
		return o.WriteJSON(g)
	}
	for _, r := range l {
		o.Printf("%s\n", r.Name)
	}
	return nil
}

func cloneTag(ctx context.Context, o *Options) error {
	src, dst := o.Args[0], o.Args[1]
	if src == dst {
		return cmdutil.FlagErrorf("source and destination tags must be different")
	}
	if o.All {
		o.Config, o.Pkgs, o.Builds, o.Groups = true, true, true, true
	}
	if o.Builds && !o.Pkgs {
		return cmdutil.FlagErrorf("--builds can't be used without also specifying --pkgs")
	}
	h, err := o.OpenForWrite(ctx)
	if err != nil {
		return err
	}
	var ev *int
	if o.Event != 0 {
		ev = &o.Event
	}
	st, err := h.GetTag(ctx, koji.ByName(src), koji.GetTagOpts{Event: ev})
	if err != nil {
		return err
	}
	if st == nil {
		return fmt.Errorf("no such src-tag: %s", src)
	}
	dt, err := h.GetTag(ctx, koji.ByName(dst), koji.GetTagOpts{})
	if err != nil {
		return err
	}
	if st.Locked && !o.Force {
		return fmt.Errorf("tag %s is locked: use --force if this is what you really want to do", src)
	}
	if dt != nil && dt.Locked && !o.Force {
		return fmt.Errorf("tag %s is locked: use --force if this is what you really want to do", dst)
	}
	kw := map[string]any{"config": o.Config, "pkgs": o.Pkgs, "builds": o.Builds, "groups": o.Groups,
		"latest_only": o.LatestOnly, "inherit_builds": o.InheritBuilds, "force": o.Force}
	if ev != nil {
		kw["event"] = *ev
	}
	method, verb := "snapshotTag", "Cloned"
	if dt != nil {
		// into an existing tag: make it match, removing what src lacks
		// unless --no-delete
		method, verb = "snapshotTagModify", "Updated"
		kw["remove"] = !o.NoDelete
	}
	if _, err := h.Call(ctx, method, []any{st.ID, dst}, kw); err != nil {
		return err
	}
	if o.JSON {
		return o.WriteJSON(map[string]any{"src": st.Name, "dst": dst, "existed": dt != nil})
	}
	o.Statusf("%s %s from %s\n", verb, dst, st.Name)
	return nil
}

// apiEntry is one answer of _listapi.
type apiEntry struct {
	Name    string `xmlrpc:"name" json:"name"`
	ArgDesc string `xmlrpc:"argdesc" json:"argdesc"`
	Doc     string `xmlrpc:"doc" json:"doc"`
}

func listAPI(ctx context.Context, o *Options) error {
	h, err := o.Open(ctx)
	if err != nil {
		return err
	}
	v, err := h.Call(ctx, "_listapi", nil, nil)
	if err != nil {
		return err
	}
	var l []apiEntry
	if err := client.Decode(v, &l); err != nil {
		return err
	}
	sort.Slice(l, func(i, j int) bool { return l[i].Name < l[j].Name })
	if len(o.Args) > 0 {
		byName := map[string]apiEntry{}
		for _, e := range l {
			byName[e.Name] = e
		}
		l = l[:0:0]
		for _, m := range o.Args {
			e, ok := byName[m]
			if !ok {
				return cmdutil.FlagErrorf("unknown method: %s", m)
			}
			l = append(l, e)
		}
	}
	if o.JSON {
		return o.WriteJSON(l)
	}
	for _, e := range l {
		args := e.ArgDesc
		if args == "" {
			args = "()"
		}
		o.Printf("%s%s\n", e.Name, args)
		if e.Doc != "" {
			o.Printf("  description: %s\n", e.Doc)
		}
	}
	return nil
}

func rpmInfo(ctx context.Context, o *Options) error {
	h, err := o.Open(ctx)
	if err != nil {
		return err
	}
	topdir := cmdutil.HubTopDir(h)
	var out []map[string]any
	missing := 0
	for _, arg := range o.Args {
		r, err := h.GetRPM(ctx, shared.Ref(arg), koji.GetRPMOpts{})
		if err != nil {
			return err
		}
		if r == nil {
			fmt.Fprintf(o.IO.ErrOut, "No such rpm: %s\n", arg)
			missing++
			continue
		}
		epoch := func(e *int) string {
			if e == nil {
				return ""
			}
			return fmt.Sprintf("%d:", *e)
		}
		rec := map[string]any{"rpm": r}
		var lines []string
		add := func(f string, a ...any) { lines = append(lines, fmt.Sprintf(f, a...)) }
		add("RPM: %s%s-%s-%s.%s [%d]", epoch(r.Epoch), r.Name, r.Version, r.Release, r.Arch, r.ID)
		if r.Draft {
			add("Draft: YES")
		}
		if r.ExternalRepoID != 0 {
			repo, err := h.GetExternalRepo(ctx, koji.ByID(r.ExternalRepoID), koji.GetExternalRepoOpts{})
			if err != nil {
				return err
			}
			if repo != nil {
				add("External Repository: %s [%d]", repo.Name, repo.ID)
				add("External Repository url: %s", repo.URL)
			}
		} else {
			b, err := h.GetBuild(ctx, koji.ByID(r.BuildID), koji.GetBuildOpts{})
			if err != nil {
				return err
			}
			if b == nil {
				return fmt.Errorf("the build of %s (%d) is missing", arg, r.BuildID)
			}
			bdir := shared.BuildPath(topdir, b.PackageName, b.Version, b.Release)
			add("Build: %s [%d]", b.NVR, b.ID)
			add("RPM Path: %s/%s/%s", bdir, r.Arch, r.Filename())
			var srpm *koji.RPM
			if r.Arch == "src" {
				srpm = r
			} else {
				bid := r.BuildID
				srpms, err := h.ListRPMs(ctx, koji.ListRPMsOpts{BuildID: &bid, Arches: []string{"src"}})
				if err != nil {
					return err
				}
				if len(srpms) > 0 {
					srpm = &srpms[0]
				}
			}
			if srpm != nil {
				add("SRPM: %s%s-%s-%s [%d]", epoch(srpm.Epoch), srpm.Name, srpm.Version, srpm.Release, srpm.ID)
				add("SRPM Path: %s/%s/%s", bdir, srpm.Arch, srpm.Filename())
			} else {
				add("SRPM: (none)")
				add("SRPM Path: (none)")
			}
			add("Built: %s", time.Unix(r.BuildTime, 0).UTC().Format("Mon, 02 Jan 2006 15:04:05 MST"))
		}
		add("SIGMD5: %s", r.PayloadHash)
		add("Size: %d", r.Size)
		if r.ExternalRepoID == 0 {
			v, err := h.Call(ctx, "getRPMHeaders", nil, map[string]any{"rpmID": r.ID, "headers": []any{"license"}})
			if err != nil {
				return err
			}
			if m, ok := v.(map[string]any); ok {
				if lic, ok := m["license"].(string); ok {
					add("License: %s", lic)
					rec["license"] = lic
				}
			}
			add("Build ID: %d", r.BuildID)
		}
		if r.BuildrootID == nil {
			add("No buildroot data available")
		} else {
			v, err := h.Call(ctx, "getBuildroot", []any{*r.BuildrootID}, nil)
			if err != nil {
				return err
			}
			br, _ := v.(map[string]any)
			rec["buildroot"] = br
			if br != nil && fmt.Sprint(br["br_type"]) == "0" {
				add("Buildroot: %s (tag %s, arch %s, repo %s)", str(br["id"]), str(br["tag_name"]), str(br["arch"]), str(br["repo_id"]))
				add("Build Host: %s", str(br["host_name"]))
				add("Build Task: %s", str(br["task_id"]))
			} else {
				add("Content generator: %s", str(br["cg_name"]))
				add("Buildroot: %d", *r.BuildrootID)
				add("Build Host OS: %s (%s)", str(br["host_os"]), str(br["host_arch"]))
			}
		}
		if len(r.Extra) > 0 {
			add("Extra: %s", shared.PyRepr(r.Extra))
		}
		if o.Buildroots {
			v, err := h.Call(ctx, "listBuildroots", nil, map[string]any{"rpmID": r.ID, "queryOpts": map[string]any{"order": "id"}})
			if err != nil {
				return err
			}
			l, _ := v.([]any)
			rec["buildroots"] = l
			add("Used in %d buildroots:", len(l))
			if len(l) > 0 {
				add("  %8s %-28s %-8s %-29s", "id", "build tag", "arch", "build host")
				add("  %s %s %s %s", strings.Repeat("-", 8), strings.Repeat("-", 28), strings.Repeat("-", 8), strings.Repeat("-", 29))
			}
			for _, x := range l {
				br, _ := x.(map[string]any)
				add("  %8s %-28s %-8s %-29s", str(br["id"]), str(br["tag_name"]), str(br["arch"]), str(br["host_name"]))
			}
		}
		if o.JSON {
			out = append(out, rec)
			continue
		}
		for _, l := range lines {
			o.Printf("%s\n", l)
		}
	}
	if o.JSON {
		if err := o.WriteJSON(out); err != nil {
			return err
		}
	}
	if missing > 0 {
		return cmdutil.ErrSilent
	}
	return nil
}

// str is Python's %s of a value from the hub: None for nil.
func str(v any) string {
	if v == nil {
		return "None"
	}
	return fmt.Sprint(v)
}
