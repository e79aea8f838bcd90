// Package promote implements `osg-build promote`, which is osg-promote: it
// promotes builds along the routes of promoter.ini, for every dver of the
// route at once, and prints the ticket table.
package promote

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/osg-htc/osg-build-go/internal/cmd/kojibuild/kbutil"
	"github.com/osg-htc/osg-build-go/internal/cmdutil"
	"github.com/osg-htc/osg-build-go/internal/kojibuild"
	"github.com/osg-htc/osg-build-go/internal/promote"
	"github.com/osg-htc/osg-build-go/internal/sign"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

// Options are the inputs of promote.
type Options struct {
	kbutil.Common
	Routes           []string
	Args             []string
	DryRun           bool
	IgnoreRejects    bool
	IgnoreSignatures bool
	Sign, NoSign     bool
	Regen            bool
	Yes              bool
	ListRoutes       bool
	PromoterConfig   []string
	SigningKeys      []string
	Format           string
	Dvers            promote.DverFlags

	// Config is the routes (loaded when the command is built, then again
	// with --promoter-config when it runs).
	Config *promote.Config
	// Signer checks subkeys and signs (nil: the gpg one of internal/sign).
	Signer promote.Signer
	// GPG runs gpg for that signer (nil: gpg on PATH, $GNUPGHOME).
	GPG *sign.GPG
	// Confirm asks the question; nil: read a line from the terminal.
	Confirm func(ctx context.Context, question string) (bool, error)
}

// dverFlagValue appends its dver to a list, or sets it (--elN-only).
type dverFlagValue struct {
	dver string
	list *[]string
	one  *string
}

func (v *dverFlagValue) String() string   { return "false" }
func (v *dverFlagValue) Type() string     { return "bool" }
func (v *dverFlagValue) IsBoolFlag() bool { return true }
func (v *dverFlagValue) Set(s string) error {
	if s != "true" {
		return fmt.Errorf("takes no value")
	}
	if v.one != nil {
		if *v.one != "" && *v.one != v.dver {
			return fmt.Errorf("only one --elN-only may be given (already --%s-only)", *v.one)
		}
		*v.one = v.dver
		return nil
	}
	*v.list = append(*v.list, v.dver)
	return nil
}

// NewCmdPromote returns the promote command.
func NewCmdPromote(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{Common: kbutil.NewCommon(f)}
	// The routes known now give the help text and the --elN flags; a bad
	// user file is reported when the command runs.
	cfg, cfgErr := promote.Load(promote.LoadOptions{Getenv: f.Getenv})
	if cfgErr != nil {
		cfg = promote.Default()
	}
	cmd := &cobra.Command{
		Use:   "promote -r ROUTE... [flags] <package or build>...",
		Short: "Promote builds along a route (osg-promote), for every dver at once",
		Long: `Promote builds from the from-tag to the to-tag of each route (ROUTE may be a
route or alias name, an unambiguous prefix of one, or a comma list; -r may be
repeated), for each dver (EL version) of the route. This is osg-promote, and
the binary answers to that name.

Each argument is a package name (its latest build in the from-tag) or an
N-V-R with or without the dist tag (.osg25.el9). An argument is rejected when
a dver has no matching build, when its builds differ in version-release
across dvers or routes (--ignore-rejects promotes the rest), or when an RPM
of a build lacks a signature by one of the route's required keys
(--ignore-signatures promotes anyway; --sign signs with a key gpg has the
secret of, the default on a terminal).

The plan is shown and, on a terminal, confirmed (-y skips the question); the
builds are tagged with one multiCall and the tasks watched together; with
--regen the destination repos are regenerated. The ticket block (JIRA's
markdown table with links to the builds) is printed at the end.

The routes are in promoter.ini: built in, then the embedded hub's
(DIR/promoter.ini, written by hub init), ~/.config/osg-build/promoter.ini
and --promoter-config FILE, each adding routes or changing keys of existing
ones. The signing keys are in signing_keys.ini (see osg-build sign).

Routes:
` + cfg.FormatRoutes() + `
Aliases:
` + cfg.FormatAliases() + `
EXIT STATUS
  0    builds were promoted (or --list-routes)
  1    nothing was promoted, the answer was no, or a build failed to tag
  2    usage error
  3    canceled at the question (Ctrl-C)
  4    authentication or permission problem`,
		Example: `  osg-promote -r 25-testing osg-ce
  osg-build promote -r 25-main,24-main --el9-only xrootd-5.7.1-1
  osg-build promote -r 25-testing -n htcondor-ce-24.0.1-1.osg25.el9
  osg-build --hub local promote -r 25-testing -y --regen osg-hello`,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.ReadGlobals(cmd)
			opts.Args = args
			if cfgErr != nil {
				return cfgErr
			}
			if opts.Sign && opts.NoSign {
				return cmdutil.FlagErrorf("--sign and --no-sign cannot be used together")
			}
			if opts.JSON {
				if opts.Format != "" && opts.Format != "json" {
					return cmdutil.FlagErrorf("--json and --format %s cannot be used together", opts.Format)
				}
				opts.Format = "json"
			}
			if opts.Format != "" && !contains(promote.Formats, opts.Format) {
				return cmdutil.FlagErrorf("unknown --format %q: use one of %s", opts.Format, strings.Join(promote.Formats, ", "))
			}
			if !opts.ListRoutes && len(args) == 0 {
				if len(opts.Routes) == 0 {
					_ = cmd.Help()
					return cmdutil.WithExit(cmdutil.ExitUsage, nil)
				}
				return cmdutil.FlagErrorf("no package or build to promote given")
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return promoteRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringArrayVarP(&opts.Routes, "route", "r", nil, "promotion `route` (repeatable; comma lists and unambiguous prefixes allowed)")
	fl.BoolVarP(&opts.DryRun, "dry-run", "n", false, "show what would be promoted and the calls it would make; no login")
	fl.BoolVar(&opts.IgnoreRejects, "ignore-rejects", false, "promote despite missing dvers or version mismatches between dvers")
	fl.BoolVar(&opts.IgnoreSignatures, "ignore-signatures", false, "promote despite missing signatures (a warning)")
	fl.BoolVar(&opts.Sign, "sign", false, "sign builds that lack a required signature, with a key whose secret gpg has (default on a terminal)")
	fl.BoolVar(&opts.NoSign, "no-sign", false, "do not sign builds that lack a required signature")
	fl.BoolVar(&opts.Regen, "regen", false, "regenerate the destination tags' repos afterwards")
	fl.BoolVarP(&opts.Yes, "assume-yes", "y", false, "do not ask before promoting")
	fl.BoolVar(&opts.ListRoutes, "list-routes", false, "list the routes and aliases and exit")
	fl.StringArrayVar(&opts.PromoterConfig, "promoter-config", nil, "promoter.ini `file` with more routes (repeatable; over the built-in and user ones)")
	fl.StringArrayVar(&opts.SigningKeys, "signing-keys", nil, "signing_keys.ini `file` with more keys (repeatable)")
	fl.StringVar(&opts.Format, "format", "", "ticket format: jira (default), markdown, org or json")
	fl.BoolVar(&opts.JSON, "json", false, "print the result as JSON (same as --format json); progress goes to stderr")
	fl.DurationVar(&opts.Poll, "poll-interval", 0, "time between polls of the hub while tagging (default: the Koji config's poll_interval)")
	for _, dv := range cfg.AllDvers() {
		fl.Var(&dverFlagValue{dver: dv, one: &opts.Dvers.Only}, dv+"-only", "promote only "+dv+" builds")
		fl.Var(&dverFlagValue{dver: dv, list: &opts.Dvers.No}, "no-"+dv, "do not promote "+dv+" builds, even if the route(s) default to them")
		fl.Var(&dverFlagValue{dver: dv, list: &opts.Dvers.No}, "no"+dv, "same as --no-"+dv)
		fl.Var(&dverFlagValue{dver: dv, list: &opts.Dvers.Extra}, dv, "promote "+dv+" builds if the route(s) support them")
		for _, n := range []string{dv + "-only", "no-" + dv, "no" + dv, dv} {
			fl.Lookup(n).NoOptDefVal = "true"
		}
		_ = fl.MarkHidden("no" + dv)
	}
	_ = cmd.RegisterFlagCompletionFunc("route", func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		return cfg.Names(), cobra.ShellCompDirectiveNoFileComp
	})
	_ = cmd.RegisterFlagCompletionFunc("format", cobra.FixedCompletions(promote.Formats, cobra.ShellCompDirectiveNoFileComp))
	opts.Config = cfg
	return cmd
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

// hubDir is the embedded hub's directory when --hub (or $OSG_BUILD_HUB)
// names one.
func (o *Options) hubDir() string {
	spec := o.HubFlag
	if spec == "" && o.Getenv != nil {
		spec = o.Getenv(cmdutil.EnvHub)
	}
	dir, ok, err := cmdutil.LocalHubDir(spec, o.Getenv)
	if err != nil || !ok {
		return ""
	}
	return dir
}

func promoteRun(ctx context.Context, o *Options) error {
	cfg, err := promote.Load(promote.LoadOptions{Getenv: o.Getenv, HubDir: o.hubDir(), Files: o.PromoterConfig})
	if err != nil {
		return err
	}
	jsonOut := o.Format == "json"
	// the report goes to stdout as osg-promote's does; with JSON, stdout is
	// the JSON and the report goes to stderr
	rep := o.IO.Out
	if jsonOut {
		rep = o.IO.ErrOut
	}
	if o.ListRoutes {
		fmt.Fprintf(o.IO.Out, "Routes:\n%s\nAliases:\n%s", cfg.FormatRoutes(), cfg.FormatAliases())
		return nil
	}
	names, err := cfg.Select(o.Routes)
	if err != nil {
		return cmdutil.FlagErrorf("%v", err)
	}
	routes, err := cfg.Choose(names, o.Dvers)
	if err != nil {
		return cmdutil.FlagErrorf("%v", err)
	}
	signKeys, keys, err := loadKeys(o.Getenv, o.SigningKeys)
	if err != nil {
		return err
	}
	for _, rd := range routes {
		fmt.Fprintf(rep, "Promoting from %s to %s for dvers: %s\n", rd.Route.FromTag("el*"), rd.Route.ToTag("el*"), strings.Join(rd.Dvers, ", "))
	}
	fmt.Fprintf(rep, "Examining the following packages/builds:\n%s\n\n", bulleted(o.Args))

	h, err := o.Hub(ctx)
	if err != nil {
		return err
	}
	trySign := o.Sign || (!o.NoSign && o.IO.IsStdinTTY())
	signer := o.Signer
	if signer == nil {
		signer = newGPGSigner(h, o.GPG, signKeys, o.IO.ErrOut)
	}
	plan, err := promote.MakePlan(ctx, h, promote.Options{
		Routes: routes, Args: o.Args, Keys: keys,
		IgnoreRejects: o.IgnoreRejects, IgnoreSignatures: o.IgnoreSignatures,
		Signer: signer, TrySign: trySign && !o.DryRun, Log: o.IO.ErrOut,
	})
	if err != nil {
		return err
	}
	for _, w := range plan.Warnings {
		fmt.Fprintf(o.IO.ErrOut, "warning: %s\n", w)
	}
	if len(plan.Rejects) > 0 {
		var l []string
		hints := map[string]bool{}
		for _, r := range plan.Rejects {
			l = append(l, r.String())
			hints[r.Override()] = true
		}
		fmt.Fprintf(rep, "Rejected package or builds:\n%s\nRejects will not be promoted!\n", bulleted(l))
		if hints["--ignore-rejects"] {
			fmt.Fprintln(rep, "Rerun with --ignore-rejects to ignore rejections from dver mismatches")
		}
		if hints["--ignore-signatures"] {
			fmt.Fprintln(rep, "Rerun with --ignore-signatures to ignore missing signatures")
		}
	}
	ticket := &promote.Ticket{}
	for _, rd := range routes {
		ticket.To = append(ticket.To, rd.Route.ToTag("el*"))
	}
	for _, r := range plan.Rejects {
		ticket.Rejects = append(ticket.Rejects, r.String())
	}
	if len(plan.Promotions) == 0 {
		fmt.Fprintln(rep, "Nothing will be promoted!")
		if jsonOut {
			_ = ticket.Write(o.IO.Out, "json")
		}
		return cmdutil.ErrSilent
	}
	fmt.Fprintln(rep, "Promotion plan:")
	promote.WriteTable(rep, plan.PlanColumns(), o.IO.TerminalWidth())

	if !o.Yes && o.IO.IsStdinTTY() {
		ask := o.Confirm
		if ask == nil {
			ask = o.askTerminal
		}
		yes, err := ask(ctx, "Proceed with promoting the builds?")
		if err != nil {
			if errors.Is(err, context.Canceled) || errors.Is(err, errCanceled) {
				fmt.Fprintln(rep, "Canceled.")
				return cmdutil.WithExit(3, nil)
			}
			return err
		}
		if !yes {
			fmt.Fprintln(rep, "Not proceeding.")
			return cmdutil.ErrSilent
		}
	}
	if !o.DryRun {
		if err := cmdutil.EnsureLogin(ctx, h); err != nil {
			return err
		}
	}
	w := &kojibuild.Watcher{Hub: h, Interval: o.Interval(h), Display: o.watchDisplay(), Out: o.IO.ErrOut, Now: o.Now}
	outcome, err := promote.Tag(ctx, h, plan, promote.TagOptions{DryRun: o.DryRun, Regen: o.Regen, Out: rep, Watch: w.Watch})
	if err != nil {
		return err
	}
	if o.DryRun {
		if jsonOut {
			return ticketFrom(ticket, outcome, o, h).Write(o.IO.Out, "json")
		}
		return nil
	}
	t := ticketFrom(ticket, outcome, o, h)
	if len(t.Promoted) == 0 && len(t.Failed) == 0 && !jsonOut {
		fmt.Fprintln(rep, "Every build was already in its destination tag: nothing was tagged.")
		return nil
	}
	if !jsonOut {
		fmt.Fprintf(rep, "\nJIRA code for this set of promotions (new syntax):\n\n")
	}
	if err := t.Write(o.IO.Out, o.Format); err != nil {
		return err
	}
	if len(outcome.Failed) > 0 || len(outcome.RegenFailed) > 0 {
		return cmdutil.ErrSilent
	}
	return nil
}

func (o *Options) watchDisplay() kojibuild.Display {
	if o.IO.Quiet() {
		return kojibuild.DisplayNone
	}
	if o.IO.IsStderrTTY() && o.IO.IsStdoutTTY() {
		return kojibuild.DisplayTree
	}
	return kojibuild.DisplayLines
}

func ticketFrom(t *promote.Ticket, out *promote.Outcome, o *Options, h koji.Hub) *promote.Ticket {
	url := o.BuildURL(h)
	conv := func(p promote.Promotion) promote.Promoted {
		return promote.Promoted{NVR: p.Build.NVR, NoDist: p.NoDist, Tag: p.ToTag, BuildID: p.Build.ID,
			URL: url(p.Build.ID, p.Build.Name, p.Build.Version, p.Build.Release)}
	}
	for _, p := range out.Promoted {
		t.Promoted = append(t.Promoted, conv(p))
	}
	for _, p := range out.Skipped {
		t.Skipped = append(t.Skipped, conv(p))
	}
	for _, f := range out.Failed {
		t.Failed = append(t.Failed, conv(f.Promotion))
	}
	return t
}

var errCanceled = errors.New("canceled")

// askTerminal asks a yes/no question on the terminal; Ctrl-C (the
// context's cancellation) or the end of input cancel.
func (o *Options) askTerminal(ctx context.Context, q string) (bool, error) {
	fmt.Fprintf(o.IO.ErrOut, "%s [y/N] ", q)
	type answer struct {
		line string
		err  error
	}
	ch := make(chan answer, 1)
	go func() {
		line, err := bufio.NewReader(o.IO.In).ReadString('\n')
		ch <- answer{line, err}
	}()
	select {
	case <-ctx.Done():
		fmt.Fprintln(o.IO.ErrOut)
		return false, errCanceled
	case a := <-ch:
		if a.err != nil && a.line == "" {
			fmt.Fprintln(o.IO.ErrOut)
			if a.err == io.EOF {
				return false, errCanceled
			}
			return false, a.err
		}
		switch strings.ToLower(strings.TrimSpace(a.line)) {
		case "y", "yes":
			return true, nil
		}
		return false, nil
	}
}

func bulleted(l []string) string {
	s := append([]string(nil), l...)
	sortStrings(s)
	return " - " + strings.Join(s, "\n - ")
}
