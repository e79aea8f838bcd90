package hub

import (
	"context"

	"github.com/osg-htc/osg-build-go/pkg/koji"
)

// The calls of api_admin.go by their Koji names.
func defineAdminMethods() {
	def("deleteTag", "delete_tag(tagInfo)", true, func(ctx context.Context, h *Hub, a args) (any, error) {
		r, err := a.ref("tagInfo")
		if err != nil {
			return nil, err
		}
		return nil, h.DeleteTag(ctx, r)
	})
	def("editBuildTarget", "edit_build_target(buildTargetInfo, name, build_tag, dest_tag)", true, func(ctx context.Context, h *Hub, a args) (any, error) {
		rs, err := refs(a, "buildTargetInfo", "build_tag", "dest_tag")
		if err != nil {
			return nil, err
		}
		return nil, h.EditBuildTarget(ctx, rs[0], a.str("name"), rs[1], rs[2])
	})
	def("deleteBuildTarget", "delete_build_target(buildTargetInfo)", true, func(ctx context.Context, h *Hub, a args) (any, error) {
		r, err := a.ref("buildTargetInfo")
		if err != nil {
			return nil, err
		}
		return nil, h.DeleteBuildTarget(ctx, r)
	})
	def("removeExternalRepoFromTag", "removeExternalRepoFromTag(tag_info, repo_info)", true, func(ctx context.Context, h *Hub, a args) (any, error) {
		rs, err := refs(a, "tag_info", "repo_info")
		if err != nil {
			return nil, err
		}
		return nil, h.RemoveExternalRepoFromTag(ctx, rs[0], rs[1])
	})
	def("untaggedBuilds", "untagged_builds(name=None, queryOpts=None, draft=None)", false, func(ctx context.Context, h *Hub, a args) (any, error) {
		l, err := h.UntaggedBuilds(ctx, a.str("name"), a.boolp("draft"))
		if err != nil {
			return nil, err
		}
		return applyQueryOpts(l, a.queryOpts("queryOpts"), func(u UntaggedBuild, f string) (any, bool) {
			switch f {
			case "id":
				return u.ID, true
			case "name":
				return u.Name, true
			case "version":
				return u.Version, true
			case "release":
				return u.Release, true
			}
			return nil, false
		})
	})
	def("search", "search(terms, type, matchType, queryOpts=None)", false, func(ctx context.Context, h *Hub, a args) (any, error) {
		l, err := h.Search(ctx, a.str("terms"), a.str("type"), a.str("matchType"))
		if err != nil {
			return nil, err
		}
		return applyQueryOpts(l, a.queryOpts("queryOpts"), func(r SearchResult, f string) (any, bool) {
			switch f {
			case "id":
				return r.ID, true
			case "name":
				return r.Name, true
			}
			return nil, false
		})
	})
	def("moveBuild", "moveBuild(tag1, tag2, build, force=False)", true, func(ctx context.Context, h *Hub, a args) (any, error) {
		rs, err := refs(a, "tag1", "tag2", "build")
		if err != nil {
			return nil, err
		}
		return h.TagBuild(ctx, rs[1], rs[2], koji.TagBuildOpts{Force: a.bool("force"), FromTag: rs[0]})
	})
	def("getRPMHeaders", "getRPMHeaders(rpmID=None, taskID=None, filepath=None, headers=None, strict=False)", false, func(ctx context.Context, h *Hub, a args) (any, error) {
		r, err := a.ref("rpmID")
		if err != nil {
			return nil, err
		}
		tid, err := a.intp("taskID")
		if err != nil {
			return nil, err
		}
		task := 0
		if tid != nil {
			task = *tid
		}
		var headers []string
		if a["headers"] != nil {
			headers = a.strs("headers")
		}
		return h.GetRPMHeaders(ctx, r, task, a.str("filepath"), headers, a.bool("strict"))
	})
	def("snapshotTag", "snapshotTag(src, dst, config=True, pkgs=True, builds=True, groups=True, latest_only=True, inherit_builds=True, event=None, force=False)", true,
		func(ctx context.Context, h *Hub, a args) (any, error) {
			src, err := a.ref("src")
			if err != nil {
				return nil, err
			}
			o, err := snapshotArgs(a)
			if err != nil {
				return nil, err
			}
			return nil, h.SnapshotTag(ctx, src, a.str("dst"), o)
		})
	def("getBuildLogs", "getBuildLogs(build)", false, func(ctx context.Context, h *Hub, a args) (any, error) {
		r, err := a.ref("build")
		if err != nil {
			return nil, err
		}
		return h.GetBuildLogs(ctx, r)
	})
	def("snapshotTagModify", "snapshotTagModify(src, dst, config=True, pkgs=True, builds=True, groups=True, latest_only=True, inherit_builds=True, event=None, force=False, remove=False)", true,
		func(ctx context.Context, h *Hub, a args) (any, error) {
			rs, err := refs(a, "src", "dst")
			if err != nil {
				return nil, err
			}
			o, err := snapshotArgs(a)
			if err != nil {
				return nil, err
			}
			return nil, h.SnapshotTagModify(ctx, rs[0], rs[1], o, a.bool("remove"))
		})
	def("deleteExternalRepo", "delete_external_repo(info)", true, func(ctx context.Context, h *Hub, a args) (any, error) {
		r, err := a.ref("info")
		if err != nil {
			return nil, err
		}
		return nil, h.DeleteExternalRepo(ctx, r)
	})
	def("editExternalRepo", "edit_external_repo(info, name=None, url=None)", true, func(ctx context.Context, h *Hub, a args) (any, error) {
		r, err := a.ref("info")
		if err != nil {
			return nil, err
		}
		return nil, h.EditExternalRepo(ctx, r, a.str("name"), a.str("url"))
	})
}

// snapshotArgs are the options snapshotTag and snapshotTagModify share. A
// flag left out is Koji's default True; one sent as None (the koji CLI
// sends inherit_builds=None without --inherit-builds) is false, as Python
// reads it.
func snapshotArgs(a args) (SnapshotTagOpts, error) {
	ev, err := a.intp("event")
	if err != nil {
		return SnapshotTagOpts{}, err
	}
	dflt := func(k string) bool {
		if _, ok := a[k]; !ok {
			return true
		}
		return a.bool(k)
	}
	return SnapshotTagOpts{Config: dflt("config"), Pkgs: dflt("pkgs"), Builds: dflt("builds"), Groups: dflt("groups"),
		LatestOnly: dflt("latest_only"), InheritBuilds: dflt("inherit_builds"), Force: a.bool("force"), Event: evp(ev)}, nil
}
