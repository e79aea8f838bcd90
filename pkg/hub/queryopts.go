package hub

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/osg-htc/osg-build-go/pkg/koji"
)

// applyQueryOpts applies Koji's queryOpts order, offset and limit to rows;
// field returns a row's value for an order field (false: unknown field).
func applyQueryOpts[T any](rows []T, q *koji.QueryOpts, field func(T, string) (any, bool)) ([]T, error) {
	if q == nil {
		return rows, nil
	}
	if q.Order != "" {
		keys := strings.Split(q.Order, ",")
		for _, k := range keys {
			name := strings.TrimPrefix(strings.TrimSpace(k), "-")
			if len(rows) > 0 {
				if _, ok := field(rows[0], name); !ok {
					return nil, fault(koji.GenericError, "Invalid order field: %s", name)
				}
			}
		}
		slices.SortStableFunc(rows, func(a, b T) int {
			for _, k := range keys {
				k = strings.TrimSpace(k)
				desc := strings.HasPrefix(k, "-")
				name := strings.TrimPrefix(k, "-")
				va, _ := field(a, name)
				vb, _ := field(b, name)
				c := compareAny(va, vb)
				if desc {
					c = -c
				}
				if c != 0 {
					return c
				}
			}
			return 0
		})
	}
	if q.Offset > 0 {
		if q.Offset >= len(rows) {
			rows = rows[:0]
		} else {
			rows = rows[q.Offset:]
		}
	}
	if q.Limit > 0 && q.Limit < len(rows) {
		rows = rows[:q.Limit]
	}
	return rows, nil
}

func compareAny(a, b any) int {
	switch x := a.(type) {
	case int:
		y, _ := b.(int)
		return cmp.Compare(x, y)
	case int64:
		y, _ := b.(int64)
		return cmp.Compare(x, y)
	case float64:
		y, _ := b.(float64)
		return cmp.Compare(x, y)
	case string:
		y, _ := b.(string)
		return cmp.Compare(x, y)
	case nil:
		if b == nil {
			return 0
		}
		return -1
	}
	return cmp.Compare(fmt.Sprint(a), fmt.Sprint(b))
}
