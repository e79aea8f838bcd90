package hub

import (
	"bytes"
	"encoding/json"
	"math"
)

// unmarshalValue decodes a JSON value stored by the hub (tag and build
// extras) the way Koji's Python would hand it back: integers stay integers
// (encoding/json alone makes every number a float64, so an extra set to 1
// would come back as 1.0), other numbers are floats.
func unmarshalValue(data []byte, v *any) error {
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	var raw any
	if err := d.Decode(&raw); err != nil {
		return err
	}
	*v = fixNumbers(raw)
	return nil
}

func fixNumbers(v any) any {
	switch x := v.(type) {
	case json.Number:
		if i, err := x.Int64(); err == nil {
			if i >= math.MinInt32 && i <= math.MaxInt32 {
				return int(i)
			}
			return i
		}
		f, _ := x.Float64()
		return f
	case map[string]any:
		for k, e := range x {
			x[k] = fixNumbers(e)
		}
	case []any:
		for i, e := range x {
			x[i] = fixNumbers(e)
		}
	}
	return v
}
