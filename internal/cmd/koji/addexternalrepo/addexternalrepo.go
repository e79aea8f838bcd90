// Package addexternalrepo implements `osg-koji add-external-repo`.
package addexternalrepo

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/osg-htc/osg-build-go/internal/cmd/koji/shared"
	"github.com/osg-htc/osg-build-go/internal/cmdutil"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

// AddExternalRepoOptions are the options of add-external-repo.
type AddExternalRepoOptions struct {
	shared.Common
	Name     string
	URL      string
	Tags     []string // TAG or TAG::PRIORITY
	Priority int
	Mode     string
	Arches   string

	prioritySet bool
}

// NewCmdAddExternalRepo returns the add-external-repo command.
func NewCmdAddExternalRepo(f *cmdutil.Factory, runF func(*AddExternalRepoOptions) error) *cobra.Command {
	opts := &AddExternalRepoOptions{Common: shared.NewCommon(f)}
	cmd := &cobra.Command{
		Use:   "add-external-repo <name> [<url>] [--tag <tag>[::<priority>]]...",
		Short: "Create an external repo and/or attach it to tags",
		Long: `With a URL, create the external repo (admin). With --tag, attach it (new or
existing) to tags at a priority: TAG::N, else --priority, else 5 more than the
tag's highest external repo priority (rounded to a multiple of 5).`,
		Example: "$ osg-koji add-external-repo el9-baseos 'https://mirror.example.org/9/BaseOS/$arch/os/' --tag dist-el9-build --mode bare",
		Args:    shared.RangeArgs(1, 2, "please specify an external repo name and optionally a URL"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Name = args[0]
			if len(args) > 1 {
				opts.URL = args[1]
			} else if len(opts.Tags) == 0 {
				return cmdutil.FlagErrorf("a tag must be specified with --tag when no URL is given")
			}
			switch opts.Mode {
			case "", "koji", "simple", "bare":
			default:
				return cmdutil.FlagErrorf("invalid --mode %q: use koji, simple or bare", opts.Mode)
			}
			opts.prioritySet = cmd.Flags().Changed("priority")
			if runF != nil {
				return runF(opts)
			}
			return addExternalRepoRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringArrayVarP(&opts.Tags, "tag", "t", nil, "attach to `tag[::priority]` (repeatable)")
	cmd.Flags().IntVarP(&opts.Priority, "priority", "p", 0, "priority `N` on the tags")
	cmd.Flags().StringVarP(&opts.Mode, "mode", "m", "", "merge `mode`: koji, simple or bare")
	cmd.Flags().StringVarP(&opts.Arches, "arches", "a", "", "use the repo only for these `arches`")
	shared.AddJSONFlag(cmd, &opts.Common)
	return cmd
}

// SetPriority sets --priority (for callers that build the options).
func (o *AddExternalRepoOptions) SetPriority(n int) { o.Priority, o.prioritySet = n, true }

func addExternalRepoRun(ctx context.Context, opts *AddExternalRepoOptions) error {
	h, err := opts.OpenForWrite(ctx)
	if err != nil {
		return err
	}
	var repo *koji.ExternalRepo
	if opts.URL == "" {
		repo, err = h.GetExternalRepo(ctx, shared.Ref(opts.Name), koji.GetExternalRepoOpts{})
		if err != nil {
			return err
		}
		if repo == nil {
			return fmt.Errorf("no such external repo: %s (give its URL to create it)", opts.Name)
		}
	} else {
		repo, err = h.CreateExternalRepo(ctx, opts.Name, opts.URL)
		if err != nil {
			return err
		}
		opts.Statusf("Created external repo %d\n", repo.ID)
	}
	type added struct {
		Tag      string `xmlrpc:"tag"`
		Priority int    `xmlrpc:"priority"`
	}
	result := struct {
		Repo *koji.ExternalRepo `xmlrpc:"external_repo"`
		Tags []added            `xmlrpc:"tags"`
	}{Repo: repo, Tags: []added{}}
	for _, tp := range opts.Tags {
		tag, pri, hasPri, err := parseTagPri(tp)
		if err != nil {
			return err
		}
		if !hasPri {
			if opts.prioritySet {
				pri = opts.Priority
			} else if pri, err = pickPriority(ctx, h, tag); err != nil {
				return err
			}
		}
		co := koji.AddExternalRepoToTagOpts{MergeMode: opts.Mode, Arches: shared.ParseArches(opts.Arches)}
		if err := h.AddExternalRepoToTag(ctx, koji.ByName(tag), koji.ByID(repo.ID), pri, co); err != nil {
			return err
		}
		opts.Statusf("Added external repo %s to tag %s (priority %d)\n", repo.Name, tag, pri)
		result.Tags = append(result.Tags, added{Tag: tag, Priority: pri})
	}
	if opts.JSON {
		return opts.WriteJSON(result)
	}
	return nil
}

func parseTagPri(s string) (tag string, pri int, ok bool, err error) {
	tag, p, found := strings.Cut(s, "::")
	if !found {
		return s, 0, false, nil
	}
	pri, err = strconv.Atoi(p)
	if err != nil {
		return "", 0, false, cmdutil.FlagErrorf("invalid priority in --tag %q: want TAG::NUMBER", s)
	}
	return tag, pri, true, nil
}

// pickPriority is koji's _pick_external_repo_priority: 5 for a tag without
// external repos, else the next multiple of 5 above the highest.
func pickPriority(ctx context.Context, h koji.Hub, tag string) (int, error) {
	repos, err := h.GetTagExternalRepos(ctx, koji.GetTagExternalReposOpts{TagInfo: koji.ByName(tag)})
	if err != nil {
		return 0, err
	}
	if len(repos) == 0 {
		return 5, nil
	}
	hi := repos[0].Priority
	for _, r := range repos {
		hi = max(hi, r.Priority)
	}
	p := hi + 5
	return p - p%5, nil
}
