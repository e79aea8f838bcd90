package hub

import (
	"context"
	"database/sql"
	"sort"
	"strconv"
	"strings"

	"github.com/osg-htc/osg-build-go/pkg/hub/store"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

// defineCompatMethods are calls the koji CLI makes that this hub answers
// with what it holds: no Maven, Windows or image builds, no archives, one
// volume, the hosts and channels of its engine.
func defineCompatMethods() {
	none := func(ctx context.Context, h *Hub, a args) (any, error) {
		if a.bool("strict") {
			r, _ := a.ref("buildInfo")
			return nil, fault(koji.GenericError, "no such build: %v", r.Value())
		}
		return nil, nil
	}
	// buildinfo asks for the build's other types
	def("getMavenBuild", "getMavenBuild(buildInfo, strict=False)", false, none)
	def("getWinBuild", "getWinBuild(buildInfo, strict=False)", false, none)
	def("getImageBuild", "getImageBuild(buildInfo, strict=False)", false, none)
	def("listBTypes", "listBTypes(query=None, queryOpts=None)", false, func(ctx context.Context, h *Hub, a args) (any, error) {
		return []any{map[string]any{"id": int64(1), "name": "rpm"}}, nil
	})
	// list-api: every method with its parameters, as Koji's _listapi
	// (argdesc, and args with [name, default] for those with one)
	def("_listapi", "_listapi()", false, func(ctx context.Context, h *Hub, a args) (any, error) {
		var out []any
		for _, name := range Methods() {
			m := methodTable()[name]
			var params []any
			inner := strings.TrimSuffix(strings.TrimPrefix(m.argdesc, "("), ")")
			for _, p := range strings.Split(inner, ",") {
				p = strings.TrimSpace(p)
				if p == "" || strings.HasPrefix(p, "*") {
					continue
				}
				if n, d, ok := strings.Cut(p, "="); ok {
					params = append(params, []any{strings.TrimSpace(n), pyDefault(strings.TrimSpace(d))})
				} else {
					params = append(params, p)
				}
			}
			if params == nil {
				params = []any{}
			}
			out = append(out, map[string]any{"name": name, "argdesc": m.argdesc, "args": params, "doc": nil})
		}
		return out, nil
	})
	// Koji's system.* introspection: every call's name (the login calls
	// the XML-RPC handler answers itself included), a call's signature as
	// `koji list-api METHOD` prints it, and no signatures (as Koji).
	def("system.listMethods", "system_listMethods()", false, func(ctx context.Context, h *Hub, a args) (any, error) {
		names := append(Methods(), "login", "logout", "sslLogin")
		sort.Strings(names)
		out := make([]any, 0, len(names))
		for i, n := range names {
			if i == 0 || n != names[i-1] {
				out = append(out, n)
			}
		}
		return out, nil
	})
	def("system.methodHelp", "system_methodHelp(method)", false, func(ctx context.Context, h *Hub, a args) (any, error) {
		name := a.str("method")
		if m, ok := methodTable()[name]; ok {
			return name + m.argdesc, nil
		}
		if sig, ok := loginSignatures[name]; ok {
			return name + sig, nil
		}
		return "", nil
	})
	def("system.methodSignature", "system_methodSignature(method)", false, func(ctx context.Context, h *Hub, a args) (any, error) {
		return "signatures not supported", nil
	})
	def("listVolumes", "listVolumes()", false, func(ctx context.Context, h *Hub, a args) (any, error) {
		return []any{map[string]any{"id": int64(0), "name": "DEFAULT"}}, nil
	})
	def("listChannels", "listChannels(hostID=None, event=None, enabled=None)", false, func(ctx context.Context, h *Hub, a args) (any, error) {
		out := []any{}
		err := h.read(ctx, func(tx *store.Tx) error {
			q := `SELECT c.id, c.name, c.enabled, c.description, c.comment FROM channels c`
			var qa []any
			hid, err := a.intp("hostID")
			if err != nil {
				return err
			}
			if hid != nil {
				q += ` JOIN host_channels hc ON hc.channel_id = c.id AND hc.active = 1 AND hc.host_id = ?`
				qa = append(qa, *hid)
			}
			if v, ok := a["enabled"].(bool); ok {
				q += ` WHERE c.enabled = ?`
				qa = append(qa, v)
			}
			rows, err := tx.Query(q+` ORDER BY c.id`, qa...)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var id int64
				var name string
				var enabled bool
				var desc, comment sql.NullString
				if err := rows.Scan(&id, &name, &enabled, &desc, &comment); err != nil {
					return err
				}
				out = append(out, map[string]any{"id": id, "name": name, "enabled": enabled, "description": nullStr(desc), "comment": nullStr(comment)})
			}
			return rows.Err()
		})
		return out, err
	})
	def("listHosts", "listHosts(arches=None, channelID=None, ready=None, enabled=None, userID=None, queryOpts=None)", false,
		func(ctx context.Context, h *Hub, a args) (any, error) {
			out := []any{}
			err := h.read(ctx, func(tx *store.Tx) error {
				q := `SELECT h.id, h.user_id, h.name, h.update_time, h.ready, h.task_load, c.arches, c.capacity, c.description, c.comment, c.enabled
					FROM host h LEFT JOIN host_config c ON c.host_id = h.id AND c.active = 1`
				var qa []any
				ch, err := a.intp("channelID")
				if err != nil {
					return err
				}
				if ch != nil {
					q += ` JOIN host_channels hc ON hc.host_id = h.id AND hc.active = 1 AND hc.channel_id = ?`
					qa = append(qa, *ch)
				}
				rows, err := tx.Query(q+` ORDER BY h.id`, qa...)
				if err != nil {
					return err
				}
				defer rows.Close()
				for rows.Next() {
					var id, uid int64
					var name string
					var upd, capa sql.NullFloat64
					var ready, enabled sql.NullBool
					var load float64
					var arches, desc, comment sql.NullString
					if err := rows.Scan(&id, &uid, &name, &upd, &ready, &load, &arches, &capa, &desc, &comment, &enabled); err != nil {
						return err
					}
					isEnabled := !enabled.Valid || enabled.Bool
					if v, ok := a["ready"].(bool); ok && v != ready.Bool {
						continue
					}
					if v, ok := a["enabled"].(bool); ok && v != isEnabled {
						continue
					}
					m := map[string]any{"id": id, "user_id": uid, "name": name, "ready": ready.Bool, "task_load": load,
						"arches": nullStr(arches), "capacity": capa.Float64, "description": nullStr(desc), "comment": nullStr(comment),
						"enabled": isEnabled, "update_ts": nil}
					if upd.Valid {
						m["update_ts"] = roundTS(upd.Float64)
					}
					out = append(out, m)
				}
				return rows.Err()
			})
			return out, err
		})
}

// pyDefault is a Python default value of a signature as XML-RPC sends it.
func pyDefault(d string) any {
	switch d {
	case "None":
		return nil
	case "True":
		return true
	case "False":
		return false
	}
	if n, err := strconv.ParseInt(d, 10, 64); err == nil {
		return n
	}
	return strings.Trim(d, `'"`)
}

// loginSignatures are the argdescs of the calls the XML-RPC handler
// answers itself.
var loginSignatures = map[string]string{
	"login":    "(username, password, opts=None, renew=False, exclusive=None)",
	"logout":   "(session_id=None)",
	"sslLogin": "(proxyuser=None, proxyauthtype=None, renew=False, exclusive=None)",
}
