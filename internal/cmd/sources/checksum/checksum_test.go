package checksum

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/osg-htc/osg-build-go/internal/cmdutil"
	"github.com/osg-htc/osg-build-go/internal/iostreams"
)

func TestChecksumRun(t *testing.T) {
	dir := t.TempDir()
	cached := filepath.Join(dir, "upstream", "hello", "1.0", "hello-1.0.txt")
	os.MkdirAll(filepath.Dir(cached), 0o755)
	os.WriteFile(cached, []byte("hello\n"), 0o644)
	const sums = " sha1sum=f572d396fae9206628714fb2ce00f72e94f2258f sha256sum=5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03\n"

	ios, _, out, errOut := iostreams.Test()
	if err := checksumRun(context.Background(), &ChecksumOptions{IO: ios, Files: []string{cached}}); err != nil {
		t.Fatal(err)
	}
	if out.String() != "hello/1.0/hello-1.0.txt"+sums {
		t.Errorf("stdout %q", out)
	}

	ios, _, out, errOut = iostreams.Test()
	err := checksumRun(context.Background(), &ChecksumOptions{IO: ios, Files: []string{filepath.Join(dir, "nope"), cached},
		CacheRoot: filepath.Join(dir, "upstream", "hello")})
	if !errors.Is(err, cmdutil.ErrSilent) {
		t.Errorf("err %v", err)
	}
	if out.String() != "1.0/hello-1.0.txt"+sums || !strings.Contains(errOut.String(), "no such file") {
		t.Errorf("stdout %q stderr %q", out, errOut)
	}

	// A name with a space: no .source line can hold it, so no line is
	// printed, but the checksums are, in the error.
	spaced := filepath.Join(dir, "upstream", "hello", "1.0", "hello 1.0.txt")
	os.WriteFile(spaced, []byte("hello\n"), 0o644)
	ios, _, out, errOut = iostreams.Test()
	err = checksumRun(context.Background(), &ChecksumOptions{IO: ios, Files: []string{spaced}})
	if !errors.Is(err, cmdutil.ErrSilent) || out.Len() != 0 || !strings.Contains(errOut.String(), "whitespace") ||
		!strings.Contains(errOut.String(), strings.TrimSpace(sums)) {
		t.Errorf("err %v stdout %q stderr %q", err, out, errOut)
	}
}

func TestNewCmdChecksum(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	var got *ChecksumOptions
	cmd := NewCmdChecksum(&cmdutil.Factory{IOStreams: ios}, func(_ context.Context, o *ChecksumOptions) error {
		got = o
		return nil
	})
	cmd.SetArgs([]string{"--cache-root", "/srv/up", "a", "b"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if got.CacheRoot != "/srv/up" || strings.Join(got.Files, ",") != "a,b" {
		t.Errorf("%+v", got)
	}
	cmd.SetArgs([]string{})
	cmd.SetOut(ios.ErrOut)
	cmd.SetErr(ios.ErrOut)
	var fe *cmdutil.FlagError
	if err := cmd.Execute(); !errors.As(err, &fe) {
		t.Errorf("no args: %v", err)
	}
}
