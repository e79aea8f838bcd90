package hub

import (
	"context"
	"encoding/base64"
	"strconv"
	"strings"

	"github.com/osg-htc/osg-build-go/internal/xmlrpc"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

// refs binds several Ref arguments.
func refs(a args, ks ...string) ([]koji.Ref, error) {
	out := make([]koji.Ref, len(ks))
	for i, k := range ks {
		r, err := a.ref(k)
		if err != nil {
			return nil, err
		}
		out[i] = r
	}
	return out, nil
}

func nilIfErr[T any](v T, err error) (any, error) {
	if err != nil {
		return nil, err
	}
	return v, nil
}

// nilPtr turns a typed nil pointer into an untyped nil (Koji's None).
func nilPtr[T any](v *T, err error) (any, error) {
	if err != nil || v == nil {
		return nil, err
	}
	return v, nil
}

func defineCoreMethods() {
	def("getAPIVersion", "getAPIVersion()", false, func(ctx context.Context, h *Hub, a args) (any, error) {
		return nilIfErr(h.GetAPIVersion(ctx))
	})
	def("getKojiVersion", "getKojiVersion()", false, func(ctx context.Context, h *Hub, a args) (any, error) {
		return nilIfErr(h.GetKojiVersion(ctx))
	})
	def("hello", "hello()", false, func(ctx context.Context, h *Hub, a args) (any, error) {
		return nilIfErr(h.Hello(ctx))
	})
	def("getLoggedInUser", "getLoggedInUser()", false, func(ctx context.Context, h *Hub, a args) (any, error) {
		return nilPtr(h.GetLoggedInUser(ctx))
	})
	def("getLastEvent", "getLastEvent(before=None, strict=True)", false, func(ctx context.Context, h *Hub, a args) (any, error) {
		return nilPtr(h.GetLastEvent(ctx, koji.GetLastEventOpts{Before: a.floatp("before")}))
	})
	def("getUser", "getUser(userInfo=None, strict=False, krb_princs=True, groups=False)", false, func(ctx context.Context, h *Hub, a args) (any, error) {
		r, err := a.ref("userInfo")
		if err != nil {
			return nil, err
		}
		return nilPtr(h.GetUser(ctx, r, koji.GetUserOpts{Strict: a.bool("strict"), KrbPrincs: a.boolp("krb_princs"), Groups: a.bool("groups")}))
	})
	def("getPerms", "getPerms()", false, func(ctx context.Context, h *Hub, a args) (any, error) {
		return nilIfErr(h.GetPerms(ctx))
	})
	def("getAllPerms", "getAllPerms()", false, func(ctx context.Context, h *Hub, a args) (any, error) {
		return nilIfErr(h.GetAllPerms(ctx))
	})
	def("hasPerm", "hasPerm(perm, strict=False)", false, func(ctx context.Context, h *Hub, a args) (any, error) {
		return nilIfErr(h.HasPerm(ctx, a.str("perm"), koji.HasPermOpts{Strict: a.bool("strict")}))
	})
	def("getUserPermsInheritance", "getUserPermsInheritance(userID)", false, func(ctx context.Context, h *Hub, a args) (any, error) {
		r, err := a.ref("userID")
		if err != nil {
			return nil, err
		}
		m, err := h.GetUserPermsInheritance(ctx, r)
		if err != nil {
			return nil, err
		}
		out := map[string]any{}
		for k, v := range m {
			l := make([]any, len(v))
			for i, g := range v {
				if g != nil {
					l[i] = *g
				}
			}
			out[k] = l
		}
		return out, nil
	})
	def("createUser", "createUser(username, status=None, krb_principal=None)", true, func(ctx context.Context, h *Hub, a args) (any, error) {
		o := koji.CreateUserOpts{KrbPrincipal: a.str("krb_principal")}
		if s, err := a.intp("status"); err != nil {
			return nil, err
		} else if s != nil {
			st := koji.UserStatus(*s)
			o.Status = &st
		}
		return nilIfErr(h.CreateUser(ctx, a.str("username"), o))
	})
	def("grantPermission", "grantPermission(userinfo, permission, create=False, description=None)", true, func(ctx context.Context, h *Hub, a args) (any, error) {
		r, err := a.ref("userinfo")
		if err != nil {
			return nil, err
		}
		return nil, h.GrantPermission(ctx, r, a.str("permission"), koji.GrantPermissionOpts{Create: a.bool("create"), Description: a.str("description")})
	})

	// tags
	def("getTag", "get_tag(tagInfo, strict=False, event=None, blocked=False)", false, func(ctx context.Context, h *Hub, a args) (any, error) {
		r, err := a.ref("tagInfo")
		if err != nil {
			return nil, err
		}
		ev, err := a.intp("event")
		if err != nil {
			return nil, err
		}
		return nilPtr(h.GetTag(ctx, r, koji.GetTagOpts{Strict: a.bool("strict"), Event: ev, Blocked: a.bool("blocked")}))
	})
	def("listTags", "list_tags(build=None, package=None, perms=True, queryOpts=None, pattern=None)", false, func(ctx context.Context, h *Hub, a args) (any, error) {
		rs, err := refs(a, "build", "package")
		if err != nil {
			return nil, err
		}
		return nilIfErr(h.ListTags(ctx, koji.ListTagsOpts{Build: rs[0], Package: rs[1], Perms: a.boolp("perms"),
			QueryOpts: a.queryOpts("queryOpts"), Pattern: a.str("pattern")}))
	})
	def("createTag", "createTag(name, parent=None, arches=None, perm=None, locked=False, maven_support=False, maven_include_all=False, extra=None)", true,
		func(ctx context.Context, h *Hub, a args) (any, error) {
			rs, err := refs(a, "parent", "perm")
			if err != nil {
				return nil, err
			}
			return nilIfErr(h.CreateTag(ctx, a.str("name"), koji.CreateTagOpts{Parent: rs[0], Arches: a.str("arches"), Perm: rs[1],
				Locked: a.bool("locked"), MavenSupport: a.bool("maven_support"), MavenIncludeAll: a.bool("maven_include_all"), Extra: a.mapv("extra")}))
		})
	def("editTag2", "editTag2(tagInfo, name=None, arches=None, locked=None, perm=None, perm_id=None, maven_support=None, maven_include_all=None, extra=None, remove_extra=None, block_extra=None)", true,
		func(ctx context.Context, h *Hub, a args) (any, error) {
			rs, err := refs(a, "tagInfo", "perm", "perm_id")
			if err != nil {
				return nil, err
			}
			perm := rs[1]
			if perm.IsZero() {
				perm = rs[2]
			}
			// perm=None (koji edit-tag --no-perm) clears the permission
			clear := false
			for _, k := range []string{"perm", "perm_id"} {
				if v, ok := a[k]; ok && v == nil {
					clear = true
				}
			}
			return nil, h.EditTag2(ctx, rs[0], koji.EditTagOpts{Name: a.strp("name"), Arches: a.strp("arches"), Locked: a.boolp("locked"),
				Perm: perm, ClearPerm: clear && perm.IsZero(), MavenSupport: a.boolp("maven_support"), MavenIncludeAll: a.boolp("maven_include_all"),
				Extra: a.mapv("extra"), RemoveExtra: a.strs("remove_extra"), BlockExtra: a.strs("block_extra")})
		})
	def("getBuildConfig", "getBuildConfig(tag, event=None)", false, func(ctx context.Context, h *Hub, a args) (any, error) {
		r, err := a.ref("tag")
		if err != nil {
			return nil, err
		}
		ev, err := a.intp("event")
		if err != nil {
			return nil, err
		}
		return nilPtr(h.GetBuildConfig(ctx, r, koji.EventOpts{Event: ev}))
	})
	def("getInheritanceData", "getInheritanceData(tag, event=None)", false, func(ctx context.Context, h *Hub, a args) (any, error) {
		r, err := a.ref("tag")
		if err != nil {
			return nil, err
		}
		ev, err := a.intp("event")
		if err != nil {
			return nil, err
		}
		return nilIfErr(h.GetInheritanceData(ctx, r, koji.EventOpts{Event: ev}))
	})
	def("getFullInheritance", "getFullInheritance(tag, event=None, reverse=False)", false, func(ctx context.Context, h *Hub, a args) (any, error) {
		r, err := a.ref("tag")
		if err != nil {
			return nil, err
		}
		ev, err := a.intp("event")
		if err != nil {
			return nil, err
		}
		return nilIfErr(h.GetFullInheritance(ctx, r, koji.GetFullInheritanceOpts{Event: ev, Reverse: a.bool("reverse")}))
	})
	def("setInheritanceData", "setInheritanceData(tag, data, clear=False)", true, func(ctx context.Context, h *Hub, a args) (any, error) {
		r, err := a.ref("tag")
		if err != nil {
			return nil, err
		}
		var data []koji.InheritanceLink
		items, _ := a["data"].([]any)
		if m, ok := a["data"].(map[string]any); ok {
			items = []any{m}
		}
		for _, it := range items {
			m, ok := it.(map[string]any)
			if !ok {
				return nil, fault(koji.GenericError, "Invalid inheritance data: %v", it)
			}
			la := args(m)
			l := koji.InheritanceLink{Name: la.str("name"), PkgFilter: la.str("pkg_filter"),
				Intransitive: la.bool("intransitive"), NoConfig: la.bool("noconfig"), Delete: la.bool("delete link")}
			if _, ok := m["parent_id"]; !ok {
				return nil, fault(koji.GenericError, "No value for parent_id")
			}
			if l.ParentID, err = linkInt(la, "parent_id"); err != nil {
				return nil, err
			}
			if !l.Delete {
				if _, ok := m["priority"]; !ok {
					return nil, fault(koji.GenericError, "No value for priority")
				}
				if l.Priority, err = linkInt(la, "priority"); err != nil {
					return nil, err
				}
			}
			if la["maxdepth"] != nil && la["maxdepth"] != "" {
				d, err := linkInt(la, "maxdepth")
				if err != nil {
					return nil, err
				}
				l.MaxDepth = &d
			}
			data = append(data, l)
		}
		return nil, h.SetInheritanceData(ctx, r, data, koji.SetInheritanceOpts{Clear: a.bool("clear")})
	})

	// targets
	def("getBuildTarget", "getBuildTarget(info, event=None, strict=False)", false, func(ctx context.Context, h *Hub, a args) (any, error) {
		r, err := a.ref("info")
		if err != nil {
			return nil, err
		}
		ev, err := a.intp("event")
		if err != nil {
			return nil, err
		}
		return nilPtr(h.GetBuildTarget(ctx, r, koji.GetBuildTargetOpts{Event: ev, Strict: a.bool("strict")}))
	})
	def("getBuildTargets", "getBuildTargets(info=None, event=None, buildTagID=None, destTagID=None, queryOpts=None)", false,
		func(ctx context.Context, h *Hub, a args) (any, error) {
			rs, err := refs(a, "info", "buildTagID", "destTagID")
			if err != nil {
				return nil, err
			}
			ev, err := a.intp("event")
			if err != nil {
				return nil, err
			}
			return nilIfErr(h.GetBuildTargets(ctx, koji.GetBuildTargetsOpts{Info: rs[0], Event: ev, BuildTagID: rs[1], DestTagID: rs[2],
				QueryOpts: a.queryOpts("queryOpts")}))
		})
	def("createBuildTarget", "createBuildTarget(name, build_tag, dest_tag)", true, func(ctx context.Context, h *Hub, a args) (any, error) {
		rs, err := refs(a, "build_tag", "dest_tag")
		if err != nil {
			return nil, err
		}
		return nil, h.CreateBuildTarget(ctx, a.str("name"), rs[0], rs[1])
	})

	// packages
	def("getPackage", "getPackage(info, strict=False, create=False)", true, func(ctx context.Context, h *Hub, a args) (any, error) {
		r, err := a.ref("info")
		if err != nil {
			return nil, err
		}
		return nilPtr(h.GetPackage(ctx, r, koji.GetPackageOpts{Strict: a.bool("strict"), Create: a.bool("create")}))
	})
	def("getPackageID", "getPackageID(name, strict=False)", false, func(ctx context.Context, h *Hub, a args) (any, error) {
		p, err := h.GetPackage(ctx, koji.ByName(a.str("name")), koji.GetPackageOpts{Strict: a.bool("strict")})
		if err != nil || p == nil {
			return nil, err
		}
		return p.ID, nil
	})
	def("listPackages", "listPackages(tagID=None, userID=None, pkgID=None, prefix=None, inherited=False, with_dups=False, event=None, queryOpts=None, with_owners=True, with_blocked=True)", false,
		func(ctx context.Context, h *Hub, a args) (any, error) {
			rs, err := refs(a, "tagID", "userID", "pkgID")
			if err != nil {
				return nil, err
			}
			ev, err := a.intp("event")
			if err != nil {
				return nil, err
			}
			ents, err := h.ListPackages(ctx, koji.ListPackagesOpts{TagID: rs[0], UserID: rs[1], PkgID: rs[2], Prefix: a.str("prefix"),
				Inherited: a.bool("inherited"), WithDups: a.bool("with_dups"), Event: ev, QueryOpts: a.queryOpts("queryOpts"),
				WithOwners: a.boolp("with_owners"), WithBlocked: a.boolp("with_blocked")})
			if err != nil {
				return nil, err
			}
			if rs[0].IsZero() && rs[1].IsZero() && rs[2].IsZero() {
				out := make([]any, len(ents))
				for i, e := range ents {
					out[i] = map[string]any{"package_id": e.PackageID, "package_name": e.PackageName}
				}
				return out, nil
			}
			withOwners := a["with_owners"] == nil || a.bool("with_owners")
			if !withOwners {
				out := make([]any, len(ents))
				for i, e := range ents {
					out[i] = map[string]any{"package_id": e.PackageID, "package_name": e.PackageName, "tag_id": e.TagID,
						"tag_name": e.TagName, "extra_arches": e.ExtraArches, "blocked": e.Blocked}
				}
				return out, nil
			}
			return ents, nil
		})
	def("packageListAdd", "pkglist_add(taginfo, pkginfo, owner=None, block=None, extra_arches=None, force=False, update=False)", true,
		func(ctx context.Context, h *Hub, a args) (any, error) {
			rs, err := refs(a, "taginfo", "pkginfo", "owner")
			if err != nil {
				return nil, err
			}
			return nil, h.PackageListAdd(ctx, rs[0], rs[1], koji.PackageListAddOpts{Owner: rs[2], Block: a.boolp("block"),
				ExtraArches: a.strp("extra_arches"), Force: a.bool("force"), Update: a.bool("update")})
		})
	def("packageListBlock", "pkglist_block(taginfo, pkginfo, force=False)", true, func(ctx context.Context, h *Hub, a args) (any, error) {
		rs, err := refs(a, "taginfo", "pkginfo")
		if err != nil {
			return nil, err
		}
		return nil, h.PackageListBlock(ctx, rs[0], rs[1], koji.PackageListBlockOpts{Force: a.bool("force")})
	})

	def("packageListUnblock", "pkglist_unblock(taginfo, pkginfo, force=False)", true, func(ctx context.Context, h *Hub, a args) (any, error) {
		rs, err := refs(a, "taginfo", "pkginfo")
		if err != nil {
			return nil, err
		}
		return nil, h.PackageListUnblock(ctx, rs[0], rs[1], koji.PackageListBlockOpts{Force: a.bool("force")})
	})
	def("packageListRemove", "pkglist_remove(taginfo, pkginfo, force=False)", true, func(ctx context.Context, h *Hub, a args) (any, error) {
		rs, err := refs(a, "taginfo", "pkginfo")
		if err != nil {
			return nil, err
		}
		return nil, h.PackageListRemove(ctx, rs[0], rs[1], koji.PackageListBlockOpts{Force: a.bool("force")})
	})

	// builds
	def("getBuild", "getBuild(buildInfo, strict=False)", false, func(ctx context.Context, h *Hub, a args) (any, error) {
		r, err := a.ref("buildInfo")
		if err != nil {
			return nil, err
		}
		return nilPtr(h.GetBuild(ctx, r, koji.GetBuildOpts{Strict: a.bool("strict")}))
	})
	def("listBuilds", "listBuilds(packageID=None, userID=None, taskID=None, prefix=None, state=None, volumeID=None, source=None, createdBefore=None, createdAfter=None, completeBefore=None, completeAfter=None, type=None, typeInfo=None, queryOpts=None, pattern=None, cgID=None, draft=None)", false,
		func(ctx context.Context, h *Hub, a args) (any, error) {
			rs, err := refs(a, "packageID", "userID")
			if err != nil {
				return nil, err
			}
			o := koji.ListBuildsOpts{PackageID: rs[0], UserID: rs[1], Prefix: a.str("prefix"), Source: a.str("source"),
				CreatedBefore: a.floatp("createdBefore"), CreatedAfter: a.floatp("createdAfter"), CompleteBefore: a.floatp("completeBefore"),
				CompleteAfter: a.floatp("completeAfter"), Type: a.str("type"), QueryOpts: a.queryOpts("queryOpts"), Pattern: a.str("pattern"),
				Draft: a.boolp("draft")}
			if o.TaskID, err = a.intp("taskID"); err != nil {
				return nil, err
			}
			if o.VolumeID, err = a.intp("volumeID"); err != nil {
				return nil, err
			}
			if s, err := a.intp("state"); err != nil {
				return nil, err
			} else if s != nil {
				st := koji.BuildState(*s)
				o.State = &st
			}
			return nilIfErr(h.ListBuilds(ctx, o))
		})
	def("getLatestBuilds", "getLatestBuilds(tag, event=None, package=None, type=None, draft=None)", false, func(ctx context.Context, h *Hub, a args) (any, error) {
		r, err := a.ref("tag")
		if err != nil {
			return nil, err
		}
		ev, err := a.intp("event")
		if err != nil {
			return nil, err
		}
		return nilIfErr(h.GetLatestBuilds(ctx, r, koji.GetLatestBuildsOpts{Event: ev, Package: a.str("package"), Type: a.str("type"), Draft: a.boolp("draft")}))
	})
	def("listTagged", "listTagged(tag, event=None, inherit=False, prefix=None, latest=False, package=None, owner=None, type=None, strict=True, extra=False, draft=None)", false,
		func(ctx context.Context, h *Hub, a args) (any, error) {
			r, err := a.ref("tag")
			if err != nil {
				return nil, err
			}
			ev, err := a.intp("event")
			if err != nil {
				return nil, err
			}
			latest, err := koji.LatestOf(a["latest"])
			if err != nil {
				return nil, fault(koji.ParameterError, "%v", err)
			}
			return nilIfErr(h.ListTagged(ctx, r, koji.ListTaggedOpts{Event: ev, Inherit: a.bool("inherit"), Prefix: a.str("prefix"),
				Latest: latest, Package: a.str("package"), Owner: a.str("owner"), Type: a.str("type"), Strict: a.boolp("strict"),
				Extra: a.bool("extra"), Draft: a.boolp("draft")}))
		})
	def("tagBuild", "tagBuild(tag, build, force=False, fromtag=None)", true, func(ctx context.Context, h *Hub, a args) (any, error) {
		rs, err := refs(a, "tag", "build", "fromtag")
		if err != nil {
			return nil, err
		}
		return nilIfErr(h.TagBuild(ctx, rs[0], rs[1], koji.TagBuildOpts{Force: a.bool("force"), FromTag: rs[2]}))
	})
	def("tagBuildBypass", "tagBuildBypass(tag, build, force=False, notify=False)", true, func(ctx context.Context, h *Hub, a args) (any, error) {
		rs, err := refs(a, "tag", "build")
		if err != nil {
			return nil, err
		}
		return nil, h.TagBuildBypass(ctx, rs[0], rs[1], koji.TagBuildBypassOpts{Force: a.bool("force"), Notify: a.bool("notify")})
	})
	def("untagBuild", "untagBuild(tag, build, strict=True, force=False)", true, func(ctx context.Context, h *Hub, a args) (any, error) {
		rs, err := refs(a, "tag", "build")
		if err != nil {
			return nil, err
		}
		return nil, h.UntagBuild(ctx, rs[0], rs[1], koji.UntagBuildOpts{Strict: a.boolp("strict"), Force: a.bool("force")})
	})
	def("createEmptyBuild", "createEmptyBuild(name, version, release, epoch, owner=None, draft=False)", true, func(ctx context.Context, h *Hub, a args) (any, error) {
		ep, err := a.intp("epoch")
		if err != nil {
			return nil, err
		}
		owner, err := a.ref("owner")
		if err != nil {
			return nil, err
		}
		return nilIfErr(h.CreateEmptyBuild(ctx, a.str("name"), a.str("version"), a.str("release"), ep, koji.CreateEmptyBuildOpts{Owner: owner, Draft: a.bool("draft")}))
	})
	def("importRPM", "importRPM(path, basename)", true, func(ctx context.Context, h *Hub, a args) (any, error) {
		return nilPtr(h.ImportRPM(ctx, a.str("path"), a.str("basename")))
	})
	def("listRPMs", "listRPMs(buildID=None, buildrootID=None, imageID=None, componentBuildrootID=None, hostID=None, arches=None, queryOpts=None, draft=None)", false,
		func(ctx context.Context, h *Hub, a args) (any, error) {
			o := koji.ListRPMsOpts{QueryOpts: a.queryOpts("queryOpts"), Draft: a.boolp("draft"), Arches: a.strs("arches")}
			var err error
			if o.BuildID, err = a.intp("buildID"); err != nil {
				return nil, err
			}
			if o.BuildrootID, err = a.intp("buildrootID"); err != nil {
				return nil, err
			}
			if o.ComponentBuildrootID, err = a.intp("componentBuildrootID"); err != nil {
				return nil, err
			}
			return nilIfErr(h.ListRPMs(ctx, o))
		})
	def("listBuildRPMs", "listBuildRPMs(build)", false, func(ctx context.Context, h *Hub, a args) (any, error) {
		r, err := a.ref("build")
		if err != nil {
			return nil, err
		}
		b, err := h.GetBuild(ctx, r, koji.GetBuildOpts{Strict: true})
		if err != nil {
			return nil, err
		}
		return nilIfErr(h.ListRPMs(ctx, koji.ListRPMsOpts{BuildID: &b.ID}))
	})
	def("getRPM", "getRPM(rpminfo, strict=False, multi=False)", false, func(ctx context.Context, h *Hub, a args) (any, error) {
		r, err := a.ref("rpminfo")
		if err != nil {
			return nil, err
		}
		return nilPtr(h.GetRPM(ctx, r, koji.GetRPMOpts{Strict: a.bool("strict")}))
	})
	def("queryRPMSigs", "query_rpm_sigs(rpm_id=None, sigkey=None, queryOpts=None)", false, func(ctx context.Context, h *Hub, a args) (any, error) {
		r, err := a.ref("rpm_id")
		if err != nil {
			return nil, err
		}
		return nilIfErr(h.QueryRPMSigs(ctx, koji.QueryRPMSigsOpts{RPMID: r, SigKey: a.strp("sigkey"), QueryOpts: a.queryOpts("queryOpts")}))
	})
	def("addRPMSig", "addRPMSig(an_rpm, data)", true, func(ctx context.Context, h *Hub, a args) (any, error) {
		r, err := a.ref("an_rpm")
		if err != nil {
			return nil, err
		}
		data, ok := a["data"].(string)
		if !ok {
			return nil, fault(koji.ParameterError, "data: the signature header must be a base64 string, not %T", a["data"])
		}
		sighdr, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(data), ""))
		if err != nil {
			return nil, fault(koji.GenericError, "invalid base64 signature header: %v", err)
		}
		return nil, h.AddRPMSig(ctx, r, sighdr)
	})
	def("writeSignedRPM", "writeSignedRPM(an_rpm, sigkey, force=False)", false, func(ctx context.Context, h *Hub, a args) (any, error) {
		r, err := a.ref("an_rpm")
		if err != nil {
			return nil, err
		}
		sigkey, ok := a["sigkey"].(string)
		if !ok {
			return nil, fault(koji.ParameterError, "sigkey: a string, not %T", a["sigkey"])
		}
		return nil, h.WriteSignedRPM(ctx, r, sigkey, koji.WriteSignedRPMOpts{Force: a.bool("force")})
	})

	// tasks
	def("build", "build(src, target, opts=None, priority=None, channel=None)", true, func(ctx context.Context, h *Hub, a args) (any, error) {
		src, ok := a["src"].(string)
		if !ok {
			return nil, fault(koji.GenericError, "Invalid src value: %v", a["src"])
		}
		o := args(a.mapv("opts"))
		req := koji.BuildRequestOpts{Scratch: o.bool("scratch"), SkipTag: o.bool("skip_tag"), ArchOverride: o.str("arch_override"),
			WaitRepo: o.bool("wait_repo"), WaitBuilds: o.strs("wait_builds"), FailFast: o.bool("fail_fast"),
			RebuildSRPM: o.bool("rebuild_srpm"), Draft: o.bool("draft"), CustomUserMetadata: o.mapv("custom_user_metadata")}
		var err error
		if req.RepoID, err = o.intp("repo_id"); err != nil {
			return nil, err
		}
		prio, err := a.intp("priority")
		if err != nil {
			return nil, err
		}
		return nilIfErr(h.Build(ctx, src, a.str("target"), req, koji.BuildOpts{Priority: prio, Channel: a.str("channel")}))
	})
	def("getTaskInfo", "getTaskInfo(task_id, request=False, strict=False)", false, func(ctx context.Context, h *Hub, a args) (any, error) {
		o := koji.GetTaskInfoOpts{Request: a.bool("request"), Strict: a.bool("strict")}
		if l, ok := a["task_id"].([]any); ok {
			out := make([]any, len(l))
			for i, v := range l {
				id, _ := xmlrpc.Int(v)
				t, err := h.GetTaskInfo(ctx, int(id), o)
				if err != nil {
					return nil, err
				}
				if t != nil {
					out[i] = t
				}
			}
			return out, nil
		}
		id, err := a.int("task_id")
		if err != nil {
			return nil, err
		}
		return nilPtr(h.GetTaskInfo(ctx, id, o))
	})
	def("getTaskChildren", "getTaskChildren(task_id, request=False, strict=False)", false, func(ctx context.Context, h *Hub, a args) (any, error) {
		id, err := a.int("task_id")
		if err != nil {
			return nil, err
		}
		return nilIfErr(h.GetTaskChildren(ctx, id, koji.GetTaskChildrenOpts{Request: a.bool("request"), Strict: a.bool("strict")}))
	})
	def("getTaskRequest", "getTaskRequest(taskId)", false, func(ctx context.Context, h *Hub, a args) (any, error) {
		id, err := a.int("taskId")
		if err != nil {
			return nil, err
		}
		t, err := h.GetTaskInfo(ctx, id, koji.GetTaskInfoOpts{Request: true, Strict: true})
		if err != nil {
			return nil, err
		}
		return t.Request, nil
	})
	def("getTaskResult", "getTaskResult(taskId, raise_fault=True)", false, func(ctx context.Context, h *Hub, a args) (any, error) {
		id, err := a.int("taskId")
		if err != nil {
			return nil, err
		}
		return h.GetTaskResult(ctx, id, koji.GetTaskResultOpts{RaiseFault: a.boolp("raise_fault")})
	})
	def("taskFinished", "taskFinished(taskId)", false, func(ctx context.Context, h *Hub, a args) (any, error) {
		id, err := a.int("taskId")
		if err != nil {
			return nil, err
		}
		t, err := h.GetTaskInfo(ctx, id, koji.GetTaskInfoOpts{Strict: true})
		if err != nil {
			return nil, err
		}
		return t.State.Finished(), nil
	})
	def("listTaskOutput", "listTaskOutput(taskID, stat=False, all_volumes=False, strict=False)", false, func(ctx context.Context, h *Hub, a args) (any, error) {
		id, err := a.int("taskID")
		if err != nil {
			return nil, err
		}
		o := koji.ListTaskOutputOpts{Stat: a.bool("stat"), AllVolumes: a.bool("all_volumes"), Strict: a.bool("strict")}
		files, err := h.ListTaskOutput(ctx, id, o)
		if err != nil {
			return nil, err
		}
		if !o.Stat && !o.AllVolumes {
			out := make([]any, len(files))
			for i, f := range files {
				out[i] = f.Name
			}
			return out, nil
		}
		out := map[string]any{}
		for _, f := range files {
			switch {
			case o.Stat && o.AllVolumes:
				out[f.Name] = map[string]any{"DEFAULT": f.Stat}
			case o.Stat:
				out[f.Name] = f.Stat
			default:
				vs := make([]any, len(f.Volumes))
				for i, v := range f.Volumes {
					vs[i] = v
				}
				out[f.Name] = vs
			}
		}
		return out, nil
	})
	def("downloadTaskOutput", "downloadTaskOutput(taskID, fileName, offset=0, size=-1, volume=None)", false, func(ctx context.Context, h *Hub, a args) (any, error) {
		id, err := a.int("taskID")
		if err != nil {
			return nil, err
		}
		o := koji.DownloadTaskOutputOpts{Volume: a.str("volume")}
		if off, _ := xmlrpc.Int(a["offset"]); off != 0 {
			o.Offset = off
		}
		if sz, ok := xmlrpc.Int(a["size"]); ok && sz >= 0 {
			o.Size = &sz
		}
		data, err := h.DownloadTaskOutput(ctx, id, a.str("fileName"), o)
		if err != nil {
			return nil, err
		}
		// Koji answers a base64 string (base64encode), not an XML-RPC
		// <base64>: the koji CLI decodes it with b64decode
		return base64.StdEncoding.EncodeToString(data), nil
	})
	def("cancelTask", "cancelTask(task_id, recurse=True)", true, func(ctx context.Context, h *Hub, a args) (any, error) {
		id, err := a.int("task_id")
		if err != nil {
			return nil, err
		}
		return nil, h.CancelTask(ctx, id, koji.CancelTaskOpts{Recurse: a.boolp("recurse")})
	})
	def("cancelBuild", "cancelBuild(buildID, strict=False)", true, func(ctx context.Context, h *Hub, a args) (any, error) {
		ref, err := a.ref("buildID")
		if err != nil {
			return nil, err
		}
		return h.CancelBuild(ctx, ref, koji.CancelBuildOpts{Strict: a.bool("strict")})
	})
	def("listTasks", "listTasks(opts=None, queryOpts=None)", false, func(ctx context.Context, h *Hub, a args) (any, error) {
		o := args(a.mapv("opts"))
		q := &koji.TaskQuery{Arch: o.strs("arch"), NotArch: o.strs("not_arch"), Method: o.str("method"), Decode: o.bool("decode"),
			CreatedBefore: o.floatp("createdBefore"), CreatedAfter: o.floatp("createdAfter"), StartedBefore: o.floatp("startedBefore"),
			StartedAfter: o.floatp("startedAfter"), CompleteBefore: o.floatp("completeBefore"), CompleteAfter: o.floatp("completeAfter")}
		ints := func(k string) []int {
			var out []int
			switch x := o[k].(type) {
			case []any:
				for _, v := range x {
					if i, ok := xmlrpc.Int(v); ok {
						out = append(out, int(i))
					}
				}
			default:
				if i, ok := xmlrpc.Int(x); ok {
					out = append(out, int(i))
				}
			}
			return out
		}
		for _, s := range ints("state") {
			q.State = append(q.State, koji.TaskState(s))
		}
		for _, s := range ints("not_state") {
			q.NotState = append(q.NotState, koji.TaskState(s))
		}
		q.Owner, q.NotOwner, q.HostID, q.ChannelID, q.Parent = ints("owner"), ints("not_owner"), ints("host_id"), ints("channel_id"), ints("parent")
		if v, ok := o["parent"]; ok && v == nil {
			q.TopLevel = true // parent=None: top-level tasks
		}
		return nilIfErr(h.ListTasks(ctx, koji.ListTasksOpts{Opts: q, QueryOpts: a.queryOpts("queryOpts")}))
	})

	// repos
	def("getRepo", "getRepo(tag, state=None, event=None, dist=False, min_event=None)", false, func(ctx context.Context, h *Hub, a args) (any, error) {
		r, err := a.ref("tag")
		if err != nil {
			return nil, err
		}
		o := koji.GetRepoOpts{Dist: a.bool("dist")}
		if o.Event, err = a.intp("event"); err != nil {
			return nil, err
		}
		if o.MinEvent, err = a.intp("min_event"); err != nil {
			return nil, err
		}
		if s, err := a.intp("state"); err != nil {
			return nil, err
		} else if s != nil {
			st := koji.RepoState(*s)
			o.State = &st
		}
		return nilPtr(h.GetRepo(ctx, r, o))
	})
	def("repoInfo", "repoInfo(repo_id, strict=False)", false, func(ctx context.Context, h *Hub, a args) (any, error) {
		id, err := a.int("repo_id")
		if err != nil {
			return nil, err
		}
		return nilPtr(h.RepoInfo(ctx, id, koji.RepoInfoOpts{Strict: a.bool("strict")}))
	})
	def("newRepo", "newRepo(tag, event=None, src=False, debuginfo=False, separate_src=False)", true, func(ctx context.Context, h *Hub, a args) (any, error) {
		r, err := a.ref("tag")
		if err != nil {
			return nil, err
		}
		ev, err := a.intp("event")
		if err != nil {
			return nil, err
		}
		return nilIfErr(h.NewRepo(ctx, r, koji.NewRepoOpts{Event: ev, Src: a.bool("src"), Debuginfo: a.bool("debuginfo"), SeparateSrc: a.bool("separate_src")}))
	})

	// external repos
	def("createExternalRepo", "createExternalRepo(name, url)", true, func(ctx context.Context, h *Hub, a args) (any, error) {
		return nilPtr(h.CreateExternalRepo(ctx, a.str("name"), a.str("url")))
	})
	def("getExternalRepo", "getExternalRepo(info, strict=False, event=None)", false, func(ctx context.Context, h *Hub, a args) (any, error) {
		r, err := a.ref("info")
		if err != nil {
			return nil, err
		}
		ev, err := a.intp("event")
		if err != nil {
			return nil, err
		}
		return nilPtr(h.GetExternalRepo(ctx, r, koji.GetExternalRepoOpts{Strict: a.bool("strict"), Event: ev}))
	})
	def("listExternalRepos", "listExternalRepos(info=None, url=None, event=None, queryOpts=None)", false, func(ctx context.Context, h *Hub, a args) (any, error) {
		r, err := a.ref("info")
		if err != nil {
			return nil, err
		}
		ev, err := a.intp("event")
		if err != nil {
			return nil, err
		}
		return nilIfErr(h.ListExternalRepos(ctx, koji.ListExternalReposOpts{Info: r, URL: a.str("url"), Event: ev, QueryOpts: a.queryOpts("queryOpts")}))
	})
	def("addExternalRepoToTag", "addExternalRepoToTag(tag_info, repo_info, priority, merge_mode='koji', arches=None)", true,
		func(ctx context.Context, h *Hub, a args) (any, error) {
			rs, err := refs(a, "tag_info", "repo_info")
			if err != nil {
				return nil, err
			}
			p, err := a.int("priority")
			if err != nil {
				return nil, err
			}
			return nil, h.AddExternalRepoToTag(ctx, rs[0], rs[1], p, koji.AddExternalRepoToTagOpts{MergeMode: a.str("merge_mode"), Arches: a.str("arches")})
		})
	def("getTagExternalRepos", "getTagExternalRepos(tag_info=None, repo_info=None, event=None)", false, func(ctx context.Context, h *Hub, a args) (any, error) {
		rs, err := refs(a, "tag_info", "repo_info")
		if err != nil {
			return nil, err
		}
		ev, err := a.intp("event")
		if err != nil {
			return nil, err
		}
		return nilIfErr(h.GetTagExternalRepos(ctx, koji.GetTagExternalReposOpts{TagInfo: rs[0], RepoInfo: rs[1], Event: ev}))
	})
	def("getExternalRepoList", "getExternalRepoList(tag_info, event=None)", false, func(ctx context.Context, h *Hub, a args) (any, error) {
		r, err := a.ref("tag_info")
		if err != nil {
			return nil, err
		}
		ev, err := a.intp("event")
		if err != nil {
			return nil, err
		}
		return nilIfErr(h.GetExternalRepoList(ctx, r, koji.EventOpts{Event: ev}))
	})

	// history
	def("queryHistory", "queryHistory(tables=None, tag=None, build=None, package=None, user=None, permission=None, external_repo=None, build_target=None, group=None, cg=None, active=None, editor=None, before=None, after=None, beforeEvent=None, afterEvent=None, queryOpts=None, **kwargs)", false,
		func(ctx context.Context, h *Hub, a args) (any, error) {
			rs, err := refs(a, "tag", "build", "package", "user", "permission", "external_repo", "build_target", "editor")
			if err != nil {
				return nil, err
			}
			o := koji.QueryHistoryOpts{Tables: a.strs("tables"), Tag: rs[0], Build: rs[1], Package: rs[2], User: rs[3], Permission: rs[4],
				ExternalRepo: rs[5], BuildTarget: rs[6], Editor: rs[7], Active: a.boolp("active"), Before: a.floatp("before"), After: a.floatp("after")}
			if o.BeforeEvent, err = a.intp("beforeEvent"); err != nil {
				return nil, err
			}
			if o.AfterEvent, err = a.intp("afterEvent"); err != nil {
				return nil, err
			}
			return nilIfErr(h.QueryHistory(ctx, o))
		})

	// files
	def("checkUpload", "checkUpload(path, name, verify=None, tail=None, volume=None)", false, func(ctx context.Context, h *Hub, a args) (any, error) {
		tail, err := a.intp("tail")
		if err != nil {
			return nil, err
		}
		return nilPtr(h.CheckUpload(ctx, a.str("path"), a.str("name"), koji.CheckUploadOpts{Verify: a.str("verify"), Tail: tail, Volume: a.str("volume")}))
	})
}

// linkInt reads an integer member of an inheritance link. The koji CLI
// sends --priority as the string it was given and Koji's database casts it,
// so a decimal string is taken as its number.
func linkInt(la args, k string) (int, error) {
	if s, ok := la[k].(string); ok {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil {
			return 0, fault(koji.ParameterError, "invalid %s value: %q", k, s)
		}
		return n, nil
	}
	return la.int(k)
}
