package hub

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/osg-htc/osg-build-go/internal/xmlrpc"
	"github.com/osg-htc/osg-build-go/pkg/hub/store"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

// The method table: Koji method names with Koji's positional parameters and
// keyword arguments (Python signatures), bound to the typed methods. It
// serves Call, MultiCall and the XML-RPC handler.

type methodDef struct {
	name   string   // Koji method name
	py     string   // Python function name, for ParameterError texts
	params []string // parameter names in order
	req    int      // number of required parameters
	write  bool     // the call may write (runs in a write transaction)
	fn     func(ctx context.Context, h *Hub, a args) (any, error)
	// argdesc is the parameter list as Koji's _listapi shows it:
	// "(tag, event=None)"
	argdesc string
}

// args are the bound arguments of a call, by parameter name.
type args map[string]any

func (a args) ref(k string) (koji.Ref, error) {
	r, err := koji.RefOf(a[k])
	if err != nil {
		return r, fault(koji.ParameterError, "%s: %v", k, err)
	}
	return r, nil
}

func (a args) bool(k string) bool {
	switch x := a[k].(type) {
	case bool:
		return x
	case int64:
		return x != 0
	case int:
		return x != 0
	case string:
		return x != ""
	}
	return false
}

func (a args) boolp(k string) *bool {
	if a[k] == nil {
		return nil
	}
	b := a.bool(k)
	return &b
}

func (a args) intp(k string) (*int, error) {
	if a[k] == nil {
		return nil, nil
	}
	i, ok := xmlrpc.Int(a[k])
	if !ok {
		return nil, fault(koji.ParameterError, "invalid %s value: %v", k, a[k])
	}
	v := int(i)
	return &v, nil
}

func (a args) int(k string) (int, error) {
	p, err := a.intp(k)
	if err != nil || p == nil {
		if err == nil {
			err = fault(koji.ParameterError, "%s is required", k)
		}
		return 0, err
	}
	return *p, nil
}

func (a args) floatp(k string) *float64 {
	switch x := a[k].(type) {
	case float64:
		return &x
	case int64:
		f := float64(x)
		return &f
	case int:
		f := float64(x)
		return &f
	}
	return nil
}

func (a args) str(k string) string {
	switch v := a[k].(type) {
	case string:
		return v
	case int64: // the koji CLI's `call` sends 1 for "1"; Koji formats it
		return strconv.FormatInt(v, 10)
	case int:
		return strconv.Itoa(v)
	}
	return ""
}

func (a args) strp(k string) *string {
	if s, ok := a[k].(string); ok {
		return &s
	}
	return nil
}

func (a args) strs(k string) []string {
	switch x := a[k].(type) {
	case []any:
		out := make([]string, 0, len(x))
		for _, v := range x {
			out = append(out, fmt.Sprint(v))
		}
		return out
	case string:
		return strings.Fields(x)
	}
	return nil
}

func (a args) mapv(k string) map[string]any {
	m, _ := a[k].(map[string]any)
	return m
}

func (a args) queryOpts(k string) *koji.QueryOpts {
	m := a.mapv(k)
	if m == nil {
		return nil
	}
	q := &koji.QueryOpts{}
	q.Order, _ = m["order"].(string)
	if v, ok := xmlrpc.Int(m["offset"]); ok {
		q.Offset = int(v)
	}
	if v, ok := xmlrpc.Int(m["limit"]); ok {
		q.Limit = int(v)
	}
	q.CountOnly, _ = m["countOnly"].(bool)
	q.AsList, _ = m["asList"].(bool)
	return q
}

// sig parses "name(a, b=None, c=False)" into names and the required count.
func sig(s string) (py string, params []string, req int) {
	py, rest, _ := strings.Cut(s, "(")
	rest = strings.TrimSuffix(rest, ")")
	if strings.TrimSpace(rest) == "" {
		return py, nil, 0
	}
	for _, p := range strings.Split(rest, ",") {
		p = strings.TrimSpace(p)
		if strings.HasPrefix(p, "*") {
			params = append(params, p)
			continue
		}
		name, _, hasDef := strings.Cut(p, "=")
		params = append(params, strings.TrimSpace(name))
		if !hasDef {
			req++
		}
	}
	return py, params, req
}

// bind binds positional params and kwargs to the method's parameters, with
// Python's TypeError texts (sent as ParameterError).
func (m *methodDef) bind(pos []any, kw map[string]any) (args, error) {
	a := args{}
	anyKw := false // **kwargs: unknown keyword arguments are taken (and ignored)
	if n := len(m.params); n > 0 && strings.HasPrefix(m.params[n-1], "**") {
		anyKw = true
		m = &methodDef{name: m.name, py: m.py, params: m.params[:n-1], req: m.req}
	}
	if n := len(m.params); n > 0 && strings.HasPrefix(m.params[n-1], "*") {
		fixed := m.params[:n-1]
		var extra []any
		if len(pos) > len(fixed) {
			extra = append(extra, pos[len(fixed):]...)
			pos = pos[:len(fixed)]
		}
		a["*args"] = extra
		m = &methodDef{name: m.name, py: m.py, params: fixed, req: m.req}
	}
	if len(pos) > len(m.params) {
		return nil, fault(koji.ParameterError, "%s() takes %s positional argument%s but %d %s given",
			m.py, takes(m.req, len(m.params)), plural(len(m.params)), len(pos), wereWas(len(pos)))
	}
	for i, v := range pos {
		a[m.params[i]] = v
	}
	for _, k := range sortedKeys(kw) {
		found := false
		for _, p := range m.params {
			if p == k {
				found = true
				break
			}
		}
		if !found && anyKw {
			continue
		}
		if !found {
			return nil, fault(koji.ParameterError, "%s() got an unexpected keyword argument '%s'", m.py, k)
		}
		if _, dup := a[k]; dup {
			return nil, fault(koji.ParameterError, "%s() got multiple values for argument '%s'", m.py, k)
		}
		a[k] = kw[k]
	}
	var missing []string
	for _, p := range m.params[:m.req] {
		if _, ok := a[p]; !ok {
			missing = append(missing, "'"+p+"'")
		}
	}
	if len(missing) > 0 {
		return nil, fault(koji.ParameterError, "%s() missing %d required positional argument%s: %s",
			m.py, len(missing), plural(len(missing)), pyAnd(missing))
	}
	return a, nil
}

func takes(req, n int) string {
	if req == n {
		return fmt.Sprint(n)
	}
	return fmt.Sprintf("from %d to %d", req, n)
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func wereWas(n int) string {
	if n == 1 {
		return "was"
	}
	return "were"
}

func pyAnd(s []string) string {
	if len(s) <= 1 {
		return strings.Join(s, "")
	}
	return strings.Join(s[:len(s)-1], ", ") + " and " + s[len(s)-1]
}

// methods is the method table, filled on first use (methodTable) rather
// than at program start: most commands of the binary never serve a hub.
var (
	methods     = map[string]*methodDef{}
	methodsOnce sync.Once
)

func methodTable() map[string]*methodDef {
	methodsOnce.Do(func() {
		defineCoreMethods()
		defineExtraMethods()
		defineCompatMethods()
		defineAdminMethods()
		defineRepoMethods()
	})
	return methods
}

func def(name, signature string, write bool, fn func(ctx context.Context, h *Hub, a args) (any, error)) {
	if methods[name] != nil {
		panic("hub: method " + name + " defined twice")
	}
	py, params, req := sig(signature)
	argdesc := "()"
	if i := strings.Index(signature, "("); i >= 0 {
		argdesc = signature[i:]
	}
	methods[name] = &methodDef{name: name, py: py, params: params, req: req, write: write, fn: fn, argdesc: argdesc}
}

// Methods lists the Koji method names the hub answers, sorted.
func Methods() []string {
	table := methodTable()
	out := make([]string, 0, len(table))
	for k := range table {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// IsWrite reports whether a method may write (it runs in a write transaction).
func IsWrite(method string) bool {
	m, ok := methodTable()[method]
	return ok && m.write
}

// splitKwargs strips Koji's trailing {"__starstar": true} kwargs struct.
func splitKwargs(params []any) ([]any, map[string]any) {
	if n := len(params); n > 0 {
		if m, ok := params[n-1].(map[string]any); ok {
			if b, _ := m["__starstar"].(bool); b {
				kw := make(map[string]any, len(m))
				for k, v := range m {
					if k != "__starstar" {
						kw[k] = v
					}
				}
				return params[:n-1], kw
			}
		}
	}
	return params, nil
}

// dispatch runs one call of the method table (params may carry __starstar
// kwargs). The answer is the wire value (typed structs with xmlrpc tags).
func (h *Hub) dispatch(ctx context.Context, method string, params []any, kw map[string]any) (any, error) {
	m, ok := methodTable()[method]
	if !ok {
		return nil, fault(koji.GenericError, "Invalid method: %s", method)
	}
	pos, kw2 := splitKwargs(params)
	if kw2 != nil {
		if kw == nil {
			kw = kw2
		} else {
			for k, v := range kw2 {
				kw[k] = v
			}
		}
	}
	a, err := m.bind(pos, kw)
	if err != nil {
		return nil, err
	}
	v, err := m.fn(ctx, h, a)
	if err != nil {
		return nil, err
	}
	// queryOpts={'countOnly': True}: Koji's QueryProcessor answers the
	// number of rows (after offset and limit), not the rows
	if q := a.queryOpts("queryOpts"); q != nil && q.CountOnly {
		if rv := reflect.ValueOf(v); rv.Kind() == reflect.Slice {
			return rv.Len(), nil
		}
	}
	return v, nil
}

// toGeneric converts a wire value into the decoded form (nil, bool, int64,
// float64, string, []byte, time.Time, []any, map[string]any): what a client
// of the served hub decodes (xmlrpc.Generic, the XML-RPC round trip without
// the XML).
func toGeneric(v any) (any, error) {
	g, err := xmlrpc.Generic(v)
	if err != nil {
		return nil, fmt.Errorf("encode response: %w", err)
	}
	return g, nil
}

// Call calls any hub method with positional args and keyword args.
func (h *Hub) Call(ctx context.Context, method string, params []any, kwargs map[string]any) (any, error) {
	if method == "multiCall" || method == "system.multicall" {
		return nil, fault(koji.GenericError, "use MultiCall for multiCall")
	}
	v, err := h.dispatch(ctx, method, params, kwargs)
	if err != nil {
		return nil, err
	}
	return toGeneric(v)
}

// MultiCall runs the calls in one transaction, each in a savepoint: a
// faulting call is rolled back, the others kept.
func (h *Hub) MultiCall(ctx context.Context, calls []koji.Call, opts koji.MultiCallOpts) ([]koji.CallResult, error) {
	out, _, err := h.multiCall(ctx, calls, false)
	if err != nil {
		return nil, err
	}
	if opts.Strict {
		for _, r := range out {
			if r.Fault != nil {
				return out, r.Fault
			}
		}
	}
	return out, nil
}

// multiCall runs calls in one write transaction; wire keeps the values in
// wire form (for the handler) instead of converting them.
func (h *Hub) multiCall(ctx context.Context, calls []koji.Call, wire bool) ([]koji.CallResult, bool, error) {
	out := make([]koji.CallResult, len(calls))
	call := func(cctx context.Context, c koji.Call) (any, error) {
		if c.Method == "multiCall" || c.Method == "system.multicall" {
			return nil, fault(koji.GenericError, "multicall is not allowed in a multicall")
		}
		v, err := h.dispatch(cctx, c.Method, c.Args, c.Kwargs)
		if err != nil || wire {
			return v, err
		}
		return toGeneric(v)
	}
	if readOnlyCalls(calls) {
		// reads only: one read transaction (one snapshot), no savepoints
		// (h.read: the served request's transaction when there is one)
		err := h.read(ctx, func(tx *store.Tx) error {
			tctx := context.WithValue(ctx, txKey{}, tx)
			for i, c := range calls {
				v, err := call(tctx, c)
				if err != nil {
					out[i] = koji.CallResult{Fault: asFault(err)}
					continue
				}
				out[i].Value = v
			}
			return nil
		})
		return out, false, err
	}
	wrote, err := h.InTransaction(ctx, func(tctx context.Context, sub func(func(context.Context) error) error) error {
		for i, c := range calls {
			err := sub(func(cctx context.Context) error {
				v, err := call(cctx, c)
				if err != nil {
					return err
				}
				out[i].Value = v
				return nil
			})
			if err != nil {
				out[i] = koji.CallResult{Fault: asFault(err)}
			}
		}
		return nil
	})
	return out, wrote, err
}

// readOnlyCalls reports whether every call is of a known method that does
// not write.
func readOnlyCalls(calls []koji.Call) bool {
	table := methodTable()
	for _, c := range calls {
		m, ok := table[c.Method]
		if !ok || m.write {
			return false
		}
	}
	return true
}

// asFault converts an error to a Koji fault (non-Koji errors are code 1).
func asFault(err error) *koji.Fault {
	var f *koji.Fault
	if errors.As(err, &f) {
		return f
	}
	var xf *xmlrpc.Fault
	if errors.As(err, &xf) {
		return &koji.Fault{Code: xf.Code, String: xf.String}
	}
	return &koji.Fault{Code: koji.UnknownFault, String: fmt.Sprintf("<class 'Exception'>: %v", err)}
}
