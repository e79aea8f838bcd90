package hub

// Build rows and imports for the task engine (Koji's host.initBuild,
// host.completeBuild, host.failBuild, host.moveBuildToScratch,
// host.tagBuild).

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/osg-htc/osg-build-go/pkg/hub/store"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

// BuildInit describes the build a build task starts.
type BuildInit struct {
	Name, Version, Release string
	Epoch                  *int
	TaskID                 int64
	OwnerID                int64
	Source                 string
}

// InitBuild creates (or recycles) the BUILDING build of a task, with Koji's
// N-V-R rules: an existing COMPLETE build is "Build already exists", a
// BUILDING one of another task "Build already in progress", a FAILED or
// CANCELED one without tag history or RPMs is reused.
func (ho *Host) InitBuild(ctx context.Context, b BuildInit) (int64, error) {
	var id int64
	err := ho.h.db.Write(ctx, func(tx *store.Tx) error {
		tid := b.TaskID
		var err error
		id, err = newBuild(tx, b.Name, b.Version, b.Release, b.Epoch, b.OwnerID, 0, &tid, false)
		if err != nil {
			return err
		}
		if b.Source != "" {
			_, err = tx.Exec(`UPDATE build SET source = ? WHERE id = ?`, b.Source, id)
		}
		return err
	})
	return id, err
}

// FailBuild sets a BUILDING build FAILED (Koji's host.failBuild).
func (ho *Host) FailBuild(ctx context.Context, buildID int64) error {
	return ho.h.db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(`UPDATE build SET state = 3, completion_time = ? WHERE id = ? AND state = 0`, tx.NowTS(), buildID)
		return err
	})
}

// BuildState returns the state of a build.
func (ho *Host) BuildState(ctx context.Context, buildID int64) (koji.BuildState, error) {
	var st int
	err := ho.h.db.Read(ctx, func(tx *store.Tx) error {
		return tx.QueryRow(`SELECT state FROM build WHERE id = ?`, buildID).Scan(&st)
	})
	return koji.BuildState(st), err
}

// linkInto hard-links (or copies) src to dst, creating dst's directory.
func linkInto(src, dst string) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	_ = os.Remove(dst)
	if err := os.Link(src, dst); err != nil {
		return copyFile(src, dst)
	}
	return nil
}

// CompleteBuild imports a build's results as Koji's host.completeBuild
// does: the SRPM into packages/N/V/R/src/, each RPM into
// packages/N/V/R/ARCH/ with its rpminfo row (header data, SIGMD5 payload
// hash), the logs (arch -> paths) into packages/N/V/R/data/logs/ARCH/, and
// the build COMPLETE. broots maps RPM paths to the buildroot they were
// built in (rpminfo.buildroot_id; may be nil). Files are linked into place
// before the transaction and removed again when it fails.
func (ho *Host) CompleteBuild(ctx context.Context, buildID int64, srpm string, rpms []string, logs map[string][]string, broots map[string]int64) error {
	var b *buildRow
	if err := ho.h.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		b, err = mustBuild(tx, koji.ByID(int(buildID)))
		return err
	}); err != nil {
		return err
	}
	if b.State != 0 {
		return fault(koji.BuildError, "build %s is not BUILDING (state %s)", b.NVR(), buildStateName(b.State))
	}
	base := filepath.Join(ho.h.TopDir(), "packages", b.Name, b.Version, b.Release)
	type imp struct {
		info *rpmHeaderInfo
		size int64
		dst  string
		src  string
	}
	var imps []imp
	var placed []string
	cleanup := func() {
		for _, p := range placed {
			_ = os.Remove(p)
		}
	}
	for _, p := range append([]string{srpm}, rpms...) {
		if p == "" {
			continue
		}
		info, err := readRPMHeader(p)
		if err != nil {
			cleanup()
			return fault(koji.BuildError, "%v", err)
		}
		st, err := os.Stat(p)
		if err != nil {
			cleanup()
			return err
		}
		if info.SourceRPM == "" {
			if info.Name != b.Name || info.Version != b.Version || info.Release != b.Release {
				cleanup()
				return fault(koji.BuildError, "SRPM %s does not match build %s", filepath.Base(p), b.NVR())
			}
		} else if want := b.NVR() + ".src.rpm"; info.SourceRPM != want && info.SourceRPM != b.NVR()+".nosrc.rpm" {
			cleanup()
			return fault(koji.BuildError, "RPM %s has sourcerpm %s, not %s", filepath.Base(p), info.SourceRPM, want)
		}
		dst := filepath.Join(base, info.Arch, filepath.Base(p))
		if err := linkInto(p, dst); err != nil {
			cleanup()
			return fmt.Errorf("importing %s: %w", p, err)
		}
		placed = append(placed, dst)
		imps = append(imps, imp{info: info, size: st.Size(), dst: dst, src: p})
	}
	for arch, ls := range logs {
		for _, l := range ls {
			dst := filepath.Join(base, "data", "logs", arch, filepath.Base(l))
			if err := linkInto(l, dst); err != nil {
				cleanup()
				return fmt.Errorf("importing the log %s: %w", l, err)
			}
			placed = append(placed, dst)
		}
	}
	err := ho.h.db.Write(ctx, func(tx *store.Tx) error {
		var st int
		if err := tx.QueryRow(`SELECT state FROM build WHERE id = ?`, buildID).Scan(&st); err != nil {
			return err
		}
		if st != 0 {
			return fault(koji.BuildError, "build %s is not BUILDING (state %s)", b.NVR(), buildStateName(int64(st)))
		}
		for _, im := range imps {
			var ep any
			if im.info.Epoch != nil {
				ep = *im.info.Epoch
			}
			id, err := tx.Insert(`INSERT INTO rpminfo (build_id, name, version, release, epoch, arch, external_repo_id, payloadhash, size, buildtime, buildroot_id)
				VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?)`, buildID, im.info.Name, im.info.Version, im.info.Release, ep, im.info.Arch,
				im.info.SigMD5, im.size, im.info.BuildTime, brootIDs(broots).of(im.src))
			if err != nil {
				if store.IsConstraint(err) {
					return fault(koji.BuildError, "RPM already imported: %s", filepath.Base(im.dst))
				}
				return err
			}
			// Koji's import: the RPM's own signature header, under its key.
			rel := filepath.Join(im.info.Arch, filepath.Base(im.dst))
			key, err := insertRPMSig(tx, id, im.info.nvra(), im.info.SigMD5, base, rel, im.info.SigHdr)
			if err != nil {
				return err
			}
			placed = append(placed, sigHdrPath(base, rel, key))
		}
		var ep any
		for _, im := range imps {
			if im.info.SourceRPM == "" && im.info.Epoch != nil {
				ep = *im.info.Epoch
			}
		}
		_, err := tx.Exec(`UPDATE build SET state = 1, completion_time = ?, epoch = coalesce(?, epoch) WHERE id = ?`, tx.NowTS(), ep, buildID)
		return err
	})
	if err != nil {
		cleanup()
		return err
	}
	return nil
}

// MoveToScratch links a scratch build's results into
// scratch/USER/task_ID/ (RPMs, and logs under logs/ARCH/), as Koji's
// host.moveBuildToScratch does.
func (ho *Host) MoveToScratch(ctx context.Context, taskID int64, user string, srpm string, rpms []string, logs map[string][]string) error {
	dir := filepath.Join(ho.h.TopDir(), "scratch", user, fmt.Sprintf("task_%d", taskID))
	for _, p := range append([]string{srpm}, rpms...) {
		if p == "" {
			continue
		}
		if err := linkInto(p, filepath.Join(dir, filepath.Base(p))); err != nil {
			return fmt.Errorf("moving %s to scratch: %w", p, err)
		}
	}
	for arch, ls := range logs {
		for _, l := range ls {
			if err := linkInto(l, filepath.Join(dir, "logs", arch, filepath.Base(l))); err != nil {
				return fmt.Errorf("moving the log %s to scratch: %w", l, err)
			}
		}
	}
	return nil
}

// PackageAllowed is the build task's check of getPackageConfig(dest_tag,
// name): the package must be in the tag's (inherited) package list and not
// blocked.
func (ho *Host) PackageAllowed(ctx context.Context, tag, pkg string) error {
	return ho.h.db.Read(ctx, func(tx *store.Tx) error {
		tid, tname, err := mustTag(tx, koji.ByName(tag))
		if err != nil {
			return err
		}
		ents, err := readPackageList(tx, pkgQuery{TagID: &tid, PkgName: pkg, Inherit: true, WithBlock: true})
		if err != nil {
			return err
		}
		for _, e := range ents {
			if e.PackageName != pkg {
				continue
			}
			if e.Blocked {
				return fault(koji.BuildError, "package %s is blocked for tag %s", pkg, tname)
			}
			return nil
		}
		return fault(koji.BuildError, "package %s not in list for tag %s", pkg, tname)
	})
}

// TagBuildTask does a tagBuild task's work (Koji's host.tagBuild): tags the
// COMPLETE build into tag as user (the task owner), revoking it from
// fromTag first when given.
func (ho *Host) TagBuildTask(ctx context.Context, userID, tagID, buildID int64, force bool, fromTag *int64) error {
	return ho.h.db.Write(ctx, func(tx *store.Tx) error {
		_, tname, err := mustTag(tx, koji.ByID(int(tagID)))
		if err != nil {
			return err
		}
		b, err := mustBuild(tx, koji.ByID(int(buildID)))
		if err != nil {
			return err
		}
		if fromTag != nil {
			if _, err := tx.Revoke("tag_listing", userID, "tag_id = ? AND build_id = ?", *fromTag, b.ID); err != nil {
				return err
			}
		}
		return directTagBuild(tx, userID, tagID, tname, b, force)
	})
}

// UserName returns a user's name.
func (ho *Host) UserName(ctx context.Context, id int64) (string, error) {
	var n string
	err := ho.h.db.Read(ctx, func(tx *store.Tx) error {
		return tx.QueryRow(`SELECT name FROM users WHERE id = ?`, id).Scan(&n)
	})
	if err != nil {
		return "", fmt.Errorf("looking up user %d: %w", id, err)
	}
	return n, nil
}

// IsFault reports whether err is a Koji fault.
func IsFault(err error) bool {
	var f *koji.Fault
	return errors.As(err, &f)
}

func (h *Hub) repoDir(tag string, id int64) string {
	return filepath.Join(h.TopDir(), "repos", tag, fmt.Sprint(id))
}

// RepoDir is the directory of a repo: repos/<tag>/<id>.
func (h *Hub) RepoDir(tag string, id int64) string { return h.repoDir(tag, id) }
