// Command osg-build builds OSG software packages locally, in Koji, or in an
// embedded Koji-compatible hub. The same binary answers to the names
// osg-koji, osg-promote and fetch-sources.
package main

import (
	"os"

	"github.com/osg-htc/osg-build-go/internal/cli"
)

func main() { os.Exit(cli.Main()) }
