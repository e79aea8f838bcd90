// Command mirrorfill is the helper of bench/mirror.sh: it runs hub calls,
// one JSON array ["method", arg...] per line of its standard input, on the
// embedded hub in DIR (opened in-process, not served), in multiCall batches
// of 2,000 calls; any fault stops it.
//
//	go run ./bench/mirrorfill DIR < calls.jsonl
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"

	"github.com/osg-htc/osg-build-go/pkg/hub"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "mirrorfill:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) != 1 {
		return fmt.Errorf("usage: mirrorfill DIR < calls.jsonl")
	}
	ctx := context.Background()
	h, err := hub.Open(ctx, args[0])
	if err != nil {
		return err
	}
	defer h.Close()
	var calls []koji.Call
	flush := func() error {
		if len(calls) == 0 {
			return nil
		}
		_, err := h.MultiCall(ctx, calls, koji.MultiCallOpts{Strict: true})
		calls = calls[:0]
		return err
	}
	sc := bufio.NewScanner(os.Stdin)
	sc.Buffer(make([]byte, 1<<16), 1<<20)
	for line := 1; sc.Scan(); line++ {
		var v []any
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
			return fmt.Errorf("line %d: %w", line, err)
		}
		m, ok := "", len(v) > 0
		if ok {
			m, ok = v[0].(string)
		}
		if !ok {
			return fmt.Errorf("line %d: not [\"method\", arg...]", line)
		}
		calls = append(calls, koji.Call{Method: m, Args: v[1:]})
		if len(calls) == 2000 {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := sc.Err(); err != nil {
		return err
	}
	return flush()
}
