package kojibuild

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/osg-htc/osg-build-go/internal/atomicfile"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

// DefaultResultsDir is where --getfiles writes, under the current directory.
const DefaultResultsDir = "_build_results"

// GetFiles downloads the outputs of the buildArch tasks of a job (every
// file but the SRPM) into <dir>/<build tag without -build>-<arch>/, as
// osg-build --getfiles does. Files are written to a temporary name and
// renamed into place.
func GetFiles(ctx context.Context, h koji.Hub, res *Result, j *Job, dir string, status io.Writer) error {
	if j.TaskID == 0 || res == nil {
		return nil
	}
	if dir == "" {
		dir = DefaultResultsDir
	}
	tagNames := map[int]string{}
	for _, id := range res.Descendants(j.TaskID) {
		t := res.Tasks[id]
		if t.Method != "buildArch" {
			continue
		}
		p := t.RequestParams()
		if len(p) < 3 {
			continue
		}
		arch, _ := p[2].(string)
		tagName := j.BuildTag
		if tid, ok := toInt(p[1]); ok {
			if n, ok := tagNames[tid]; ok {
				tagName = n
			} else if tg, err := h.GetTag(ctx, koji.ByID(tid), koji.GetTagOpts{}); err == nil && tg != nil {
				tagNames[tid], tagName = tg.Name, tg.Name
			}
		}
		if arch == "" {
			arch = t.Arch
		}
		dest := filepath.Join(dir, filepath.Base(strings.TrimSuffix(tagName, "-build")+"-"+arch))
		files, err := h.ListTaskOutput(ctx, id, koji.ListTaskOutputOpts{})
		if err != nil {
			return fmt.Errorf("listTaskOutput(%d): %w", id, err)
		}
		if err := os.MkdirAll(dest, 0o755); err != nil {
			return err
		}
		n := 0
		for _, f := range files {
			if strings.HasSuffix(f.Name, ".src.rpm") {
				continue
			}
			b, err := h.DownloadTaskOutput(ctx, id, f.Name, koji.DownloadTaskOutputOpts{})
			if err != nil {
				return fmt.Errorf("downloadTaskOutput(%d, %s): %w", id, f.Name, err)
			}
			path := filepath.Join(dest, filepath.Base(f.Name))
			if err := atomicfile.WriteFile(path, b); err != nil {
				return err
			}
			j.Files = append(j.Files, path)
			n++
		}
		fmt.Fprintf(status, "Downloaded %d files of task %d into %s\n", n, id, dest)
	}
	return nil
}

func toInt(v any) (int, bool) {
	switch x := v.(type) {
	case int:
		return x, true
	case int64:
		return int(x), true
	case float64:
		return int(x), true
	}
	return 0, false
}
