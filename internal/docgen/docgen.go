// Package docgen writes the man pages and shell completions from the real
// command tree, reproducibly (fixed date, no auto-generated tag).
package docgen

import (
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"

	"github.com/osg-htc/osg-build-go/internal/cmd/root"
	"github.com/osg-htc/osg-build-go/internal/cmdutil"
	"github.com/osg-htc/osg-build-go/internal/iostreams"
)

// Date is the fixed date written into the man pages.
var Date = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// Generate writes man/man1/*.1 and completions/osg-build.{bash,zsh,fish}
// under dir.
func Generate(dir string) error {
	ios, _, _, _ := iostreams.Test()
	f := &cmdutil.Factory{IOStreams: ios, AppVersion: "", Executable: "osg-build", Now: time.Now, Getenv: func(string) string { return "" }}
	rootCmd := root.NewCmdRoot(f)
	rootCmd.DisableAutoGenTag = true
	disableAutoGen(rootCmd)

	manDir := filepath.Join(dir, "man", "man1")
	if err := os.MkdirAll(manDir, 0o755); err != nil {
		return err
	}
	header := &doc.GenManHeader{Title: "OSG-BUILD", Section: "1", Date: &Date, Source: "osg-build", Manual: "osg-build manual"}
	if err := doc.GenManTree(rootCmd, header, manDir); err != nil {
		return err
	}
	compDir := filepath.Join(dir, "completions")
	if err := os.MkdirAll(compDir, 0o755); err != nil {
		return err
	}
	if err := rootCmd.GenBashCompletionFileV2(filepath.Join(compDir, "osg-build.bash"), true); err != nil {
		return err
	}
	if err := rootCmd.GenZshCompletionFile(filepath.Join(compDir, "osg-build.zsh")); err != nil {
		return err
	}
	return rootCmd.GenFishCompletionFile(filepath.Join(compDir, "osg-build.fish"), true)
}

func disableAutoGen(c *cobra.Command) {
	c.DisableAutoGenTag = true
	for _, s := range c.Commands() {
		disableAutoGen(s)
	}
}
