package hub

import (
	"context"
	"fmt"

	"github.com/osg-htc/osg-build-go/pkg/hub/store"
)

// FillPromoteBench loads, in one transaction, the builds of the promotion
// benchmark into a hub made with the osg-25 preset: for each dver, pkgs
// packages (pkg0000 ...) in osg-<dver>'s package list, each with per builds
// pkgNNNN-1.V-1.osg25.<dver> tagged into osg-25-main-<dver>-development,
// each build with an x86_64 and a src RPM signed with sigkey. (For external
// tests: benchmarks of code that cannot be imported by package hub.)
func (h *Hub) FillPromoteBench(ctx context.Context, dvers []string, pkgs, per int, sigkey string) error {
	return h.db.Write(ctx, func(tx *store.Tx) error {
		ev, err := tx.Event()
		if err != nil {
			return err
		}
		pids := make([]int64, pkgs)
		for p := range pkgs {
			if pids[p], err = tx.Insert(`INSERT INTO package (name) VALUES (?)`, fmt.Sprintf("pkg%04d", p)); err != nil {
				return err
			}
		}
		for _, dv := range dvers {
			var list, dev int64
			if err := tx.QueryRow(`SELECT id FROM tag WHERE name = ?`, "osg-"+dv).Scan(&list); err != nil {
				return err
			}
			if err := tx.QueryRow(`SELECT id FROM tag WHERE name = ?`, "osg-25-main-"+dv+"-development").Scan(&dev); err != nil {
				return err
			}
			for p, pid := range pids {
				if _, err := tx.Exec(`INSERT INTO tag_packages (package_id, tag_id, blocked, create_event, creator_id, active) VALUES (?, ?, 0, ?, 1, 1)`, pid, list, ev); err != nil {
					return err
				}
				if _, err := tx.Exec(`INSERT INTO tag_package_owners (package_id, tag_id, owner, create_event, creator_id, active) VALUES (?, ?, 1, ?, 1, 1)`, pid, list, ev); err != nil {
					return err
				}
				for v := range per {
					ver, rel := fmt.Sprintf("1.%d", v), "1.osg25."+dv
					bid, err := tx.Insert(`INSERT INTO build (pkg_id, version, release, create_event, start_time, completion_time, state, owner)
						VALUES (?, ?, ?, ?, ?, ?, 1, 1)`, pid, ver, rel, ev, tx.NowTS(), tx.NowTS())
					if err != nil {
						return err
					}
					tev, err := tx.Insert(`INSERT INTO events (time) VALUES (?)`, tx.NowTS())
					if err != nil {
						return err
					}
					if _, err := tx.Exec(`INSERT INTO tag_listing (build_id, tag_id, create_event, creator_id, active) VALUES (?, ?, ?, 1, 1)`, bid, dev, tev); err != nil {
						return err
					}
					for _, arch := range []string{"x86_64", "src"} {
						rid, err := tx.Insert(`INSERT INTO rpminfo (build_id, name, version, release, arch, payloadhash, size, buildtime)
							VALUES (?, ?, ?, ?, ?, ?, 1000, 0)`, bid, fmt.Sprintf("pkg%04d", p), ver, rel, arch, fmt.Sprintf("%032x", bid))
						if err != nil {
							return err
						}
						if _, err := tx.Exec(`INSERT INTO rpmsigs (rpm_id, sigkey, sighash) VALUES (?, ?, ?)`, rid, sigkey, fmt.Sprintf("%032x", rid)); err != nil {
							return err
						}
					}
				}
			}
		}
		return nil
	})
}
