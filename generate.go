// Package osgbuild is the root of the osg-build module; it holds only the
// go:generate directive and the end-to-end script tests.
package osgbuild

//go:generate go run ./cmd/gendocs
