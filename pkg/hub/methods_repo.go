package hub

import (
	"context"
	"strconv"
	"strings"

	"github.com/osg-htc/osg-build-go/pkg/hub/store"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

// Koji 1.35's repo.* calls (api_repos.go), with the signatures of
// kojihub/repos.py's RepoExports (the Python function names in
// ParameterError texts).
func defineRepoMethods() {
	// Koji's convert_value(v, cast=int): "12" is 12 (wait-repo-request
	// sends the request id as typed)
	cint := func(a args, k string) (*int, error) {
		if s, ok := a[k].(string); ok {
			n, err := strconv.Atoi(strings.TrimSpace(s))
			if err != nil {
				return nil, fault(koji.ParameterError, "Invalid value for %s: %s", k, pyRepr(s))
			}
			return &n, nil
		}
		return a.intp(k)
	}
	reqInt := func(a args, k string) (int, error) {
		p, err := cint(a, k)
		if err == nil && p == nil {
			err = fault(koji.ParameterError, "Invalid value for %s: None", k)
		}
		if err != nil {
			return 0, err
		}
		return *p, nil
	}
	def("repo.get", "get_repo(tag, min_event=None, at_event=None, opts=None)", false, func(ctx context.Context, h *Hub, a args) (any, error) {
		r, err := a.ref("tag")
		if err != nil {
			return nil, err
		}
		minEv, err := cint(a, "min_event")
		if err != nil {
			return nil, err
		}
		atEv, err := cint(a, "at_event")
		if err != nil {
			return nil, err
		}
		return nilPtr(h.RepoGet(ctx, r, minEv, atEv, a["opts"]))
	})
	def("repo.request", "request_repo(tag, min_event=None, at_event=None, opts=None, priority=None, force=False)", true, func(ctx context.Context, h *Hub, a args) (any, error) {
		r, err := a.ref("tag")
		if err != nil {
			return nil, err
		}
		o := RepoRequestOpts{MinEvent: a["min_event"], Opts: a["opts"], Force: a.bool("force")}
		if s, ok := o.MinEvent.(string); ok && s != "last" {
			p, err := cint(a, "min_event")
			if err != nil {
				return nil, err
			}
			o.MinEvent = int64(*p)
		}
		if o.AtEvent, err = cint(a, "at_event"); err != nil {
			return nil, err
		}
		if o.Priority, err = cint(a, "priority"); err != nil {
			return nil, err
		}
		return nilPtr(h.RepoRequestCreate(ctx, r, o))
	})
	def("repo.checkRequest", "check_repo_request(req_id)", false, func(ctx context.Context, h *Hub, a args) (any, error) {
		id, err := reqInt(a, "req_id")
		if err != nil {
			return nil, err
		}
		return h.RepoCheckRequest(ctx, id)
	})
	def("repo.setRequestPriority", "setRequestPriority(req_id, priority)", true, func(ctx context.Context, h *Hub, a args) (any, error) {
		id, err := reqInt(a, "req_id")
		if err != nil {
			return nil, err
		}
		p, err := reqInt(a, "priority")
		if err != nil {
			return nil, err
		}
		return nil, h.RepoSetRequestPriority(ctx, id, p)
	})
	def("repo.getExternalRepoData", "get_external_repo_data(erepo)", false, func(ctx context.Context, h *Hub, a args) (any, error) {
		r, err := a.ref("erepo")
		if err != nil {
			return nil, err
		}
		if _, err := h.GetExternalRepo(ctx, r, koji.GetExternalRepoOpts{Strict: true}); err != nil {
			return nil, err
		}
		return nil, nil // no external repo tracking data is kept
	})
	def("repo.references", "references(repo_id)", false, func(ctx context.Context, h *Hub, a args) (any, error) {
		id, err := reqInt(a, "repo_id")
		if err != nil {
			return nil, err
		}
		return h.RepoReferences(ctx, id)
	})
	def("repo.setState", "setState(repo_id, state)", true, func(ctx context.Context, h *Hub, a args) (any, error) {
		id, err := reqInt(a, "repo_id")
		if err != nil {
			return nil, err
		}
		st, err := reqInt(a, "state")
		if err != nil {
			return nil, err
		}
		return nil, h.RepoSetState(ctx, id, st)
	})
	def("repo.query", "query(clauses, fields=None, opts=None)", false, func(ctx context.Context, h *Hub, a args) (any, error) {
		return h.RepoQuery(ctx, a["clauses"], a["fields"], a["opts"])
	})
	def("repo.queryQueue", "queryQueue(clauses=None, fields=None, opts=None)", false, func(ctx context.Context, h *Hub, a args) (any, error) {
		return h.RepoQueryQueue(ctx, a["clauses"], a["fields"], a["opts"])
	})
	def("repo.checkQueue", "checkQueue()", true, func(ctx context.Context, h *Hub, a args) (any, error) {
		return nil, h.write(ctx, func(tx *store.Tx) error {
			c, err := h.caller(ctx, tx)
			if err != nil {
				return err
			}
			if err := h.assertPerm(tx, c, "repo"); err != nil {
				return err
			}
			_, err = checkRepoQueue(tx)
			return err
		})
	})
}
