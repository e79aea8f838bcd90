// Package buildinfo implements `osg-koji buildinfo`.
package buildinfo

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/osg-htc/osg-build-go/internal/cmd/koji/shared"
	"github.com/osg-htc/osg-build-go/internal/cmdutil"
	"github.com/osg-htc/osg-build-go/internal/kojibuild"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

// BuildInfoOptions are the options of buildinfo.
type BuildInfoOptions struct {
	shared.Common
	Builds []string
}

// NewCmdBuildInfo returns the buildinfo command.
func NewCmdBuildInfo(f *cmdutil.Factory, runF func(*BuildInfoOptions) error) *cobra.Command {
	opts := &BuildInfoOptions{Common: shared.NewCommon(f)}
	cmd := &cobra.Command{
		Use:   "buildinfo <nvr>...",
		Short: "Print a build's state, owner, task, tags and RPMs",
		Long: `Print koji's buildinfo block for each build (an N-V-R or a build id): "BUILD:
nvr [id]", "State:", "Built by:", "Task:", "Finished:", "Tags:" and the paths of
its RPMs. A build that does not exist is reported and makes the exit status 1.`,
		Example: "$ osg-koji buildinfo osg-ce-25-1.osg25.el9",
		Args:    shared.MinArgs(1, "please specify a build"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Builds = args
			if runF != nil {
				return runF(opts)
			}
			return buildInfoRun(cmd.Context(), opts)
		},
	}
	shared.AddJSONFlag(cmd, &opts.Common)
	return cmd
}

// info is the JSON form of one build.
type info struct {
	Build *koji.Build    `xmlrpc:"build"`
	Task  *koji.TaskInfo `xmlrpc:"task"`
	Tags  []string       `xmlrpc:"tags"`
	RPMs  []rpmInfo      `xmlrpc:"rpms"`
}

type rpmInfo struct {
	koji.RPM
	Path    string   `xmlrpc:"path"`
	SigKeys []string `xmlrpc:"sigkeys"`
}

func buildInfoRun(ctx context.Context, opts *BuildInfoOptions) error {
	h, err := opts.Open(ctx)
	if err != nil {
		return err
	}
	topdir := cmdutil.HubTopDir(h)
	missing := false
	var infos []info
	for _, arg := range opts.Builds {
		b, err := h.GetBuild(ctx, shared.Ref(arg), koji.GetBuildOpts{})
		if err != nil {
			return err
		}
		if b == nil {
			fmt.Fprintf(opts.IO.ErrOut, "No such build: %s\n", arg)
			missing = true
			continue
		}
		in := info{Build: b}
		if b.TaskID != nil {
			if in.Task, err = h.GetTaskInfo(ctx, *b.TaskID, koji.GetTaskInfoOpts{Request: true}); err != nil {
				return err
			}
		}
		tags, err := h.ListTags(ctx, koji.ListTagsOpts{Build: koji.ByID(b.ID)})
		if err != nil {
			return err
		}
		for _, t := range tags {
			in.Tags = append(in.Tags, t.Name)
		}
		rpms, err := h.ListRPMs(ctx, koji.ListRPMsOpts{BuildID: &b.ID})
		if err != nil {
			return err
		}
		for _, r := range rpms {
			ri := rpmInfo{RPM: r, Path: shared.BuildPath(topdir, b.PackageName, b.Version, b.Release) + "/" + r.Arch + "/" + r.Filename()}
			sigs, err := h.QueryRPMSigs(ctx, koji.QueryRPMSigsOpts{RPMID: koji.ByID(r.ID)})
			if err != nil {
				return err
			}
			for _, s := range sigs {
				if s.SigKey != "" {
					ri.SigKeys = append(ri.SigKeys, s.SigKey)
				}
			}
			sort.Strings(ri.SigKeys)
			in.RPMs = append(in.RPMs, ri)
		}
		infos = append(infos, in)
	}
	if opts.JSON {
		if infos == nil {
			infos = []info{}
		}
		if err := opts.WriteJSON(infos); err != nil {
			return err
		}
	} else {
		for _, in := range infos {
			printInfo(opts, in)
		}
	}
	if missing {
		return cmdutil.ErrSilent
	}
	return nil
}

func printInfo(opts *BuildInfoOptions, in info) {
	b := in.Build
	opts.Printf("BUILD: %s-%s-%s [%d]\n", b.Name, b.Version, b.Release, b.ID)
	opts.Printf("State: %s\n", b.State)
	if b.State == koji.BuildBuilding {
		opts.Printf("Reserved by: %s\n", shared.StrOr(b.CGName, "None"))
	}
	opts.Printf("Built by: %s\n", b.OwnerName)
	if b.Source != nil {
		opts.Printf("Source: %s\n", *b.Source)
	}
	if b.VolumeName != "" {
		opts.Printf("Volume: %s\n", b.VolumeName)
	}
	if in.Task != nil {
		opts.Printf("Task: %d %s\n", in.Task.ID, kojibuild.TaskLabel(in.Task))
	} else {
		opts.Printf("Task: none\n")
	}
	opts.Printf("Finished: %s\n", shared.TimeLong(b.CompletionTS))
	opts.Printf("Tags: %s\n", strings.Join(in.Tags, " "))
	if len(b.Extra) > 0 {
		opts.Printf("Extra: %s\n", shared.PyRepr(b.Extra))
	}
	if len(in.RPMs) > 0 {
		opts.Printf("RPMs:\n")
		for _, r := range in.RPMs {
			line := r.Path
			if len(r.SigKeys) > 0 {
				line += "\tSignatures: " + strings.Join(r.SigKeys, ", ")
			}
			opts.Printf("%s\n", line)
		}
	}
}
