// Command xmlrpc is the helper of bench/xmlrpc.sh: it writes the benchmark
// bodies (a 20,000-build listTagged answer and a 1,000-call multiCall
// answer) and times the decoders of internal/xmlrpc and kolo/xmlrpc on them.
//
//	go run ./bench/xmlrpc gen DIR
//	go run ./bench/xmlrpc time [-runs N] ours|kolo FILE...
//
// "time" prints one line per file: "<impl> <file> <best ms>".
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"time"

	kolo "github.com/kolo/xmlrpc"

	"github.com/osg-htc/osg-build-go/internal/xmlrpc"
	"github.com/osg-htc/osg-build-go/internal/xmlrpc/benchdata"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) < 1 {
		return fmt.Errorf("usage: xmlrpc gen DIR | xmlrpc time [-runs N] ours|kolo FILE")
	}
	switch args[0] {
	case "gen":
		if len(args) != 2 {
			return fmt.Errorf("usage: xmlrpc gen DIR")
		}
		for name, body := range map[string][]byte{
			"listTagged.xml": benchdata.ListTagged(20000),
			"multiCall.xml":  benchdata.MultiCall(1000),
		} {
			path := filepath.Join(args[1], name)
			if err := os.WriteFile(path, body, 0o644); err != nil {
				return fmt.Errorf("write benchmark body: %w", err)
			}
			fmt.Printf("%s %.1f MB\n", path, float64(len(body))/1e6)
		}
		return nil
	case "time":
		fs := flag.NewFlagSet("time", flag.ContinueOnError)
		runs := fs.Int("runs", 5, "runs per file (the best is reported)")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		if fs.NArg() < 2 {
			return fmt.Errorf("usage: xmlrpc time [-runs N] ours|kolo FILE...")
		}
		impl := fs.Arg(0)
		for _, file := range fs.Args()[1:] {
			body, err := os.ReadFile(file)
			if err != nil {
				return err
			}
			best := time.Duration(1 << 62)
			for range *runs {
				runtime.GC()
				start := time.Now()
				switch impl {
				case "ours":
					_, err = xmlrpc.DecodeResponse(bytes.NewReader(body))
				case "kolo":
					var v any
					err = kolo.Response(body).Unmarshal(&v)
				default:
					return fmt.Errorf("unknown decoder %q (ours or kolo)", impl)
				}
				d := time.Since(start)
				if err != nil {
					return fmt.Errorf("%s decoding %s: %w", impl, file, err)
				}
				best = min(best, d)
			}
			fmt.Printf("%s %s %.1f\n", impl, filepath.Base(file), float64(best.Microseconds())/1000)
		}
		return nil
	}
	return fmt.Errorf("unknown subcommand %q", args[0])
}
