// Command gendocs writes man/ and completions/ from the osg-build command
// tree. Run it with `go generate ./...` from the repository root.
package main

import (
	"fmt"
	"os"

	"github.com/osg-htc/osg-build-go/internal/docgen"
)

func main() {
	dir := "."
	if len(os.Args) > 1 {
		dir = os.Args[1]
	}
	if err := docgen.Generate(dir); err != nil {
		fmt.Fprintln(os.Stderr, "gendocs:", err)
		os.Exit(1)
	}
}
