// Package call implements `osg-koji call`: any hub method, JSON out.
package call

import (
	"context"
	"strings"

	"github.com/spf13/cobra"

	"github.com/osg-htc/osg-build-go/internal/cmd/koji/shared"
	"github.com/osg-htc/osg-build-go/internal/cmdutil"
)

// CallOptions are the options of call.
type CallOptions struct {
	shared.Common
	Method string
	Args   []any
	Kwargs map[string]any
	// Anonymous skips the login even for methods that may write.
	Anonymous bool
}

// NewCmdCall returns the call command.
func NewCmdCall(f *cmdutil.Factory, runF func(*CallOptions) error) *cobra.Command {
	opts := &CallOptions{Common: shared.NewCommon(f)}
	var jsonOutput, jsonInput bool
	cmd := &cobra.Command{
		Use:   "call <method> [<arg>...] [<name>=<value>...]",
		Short: "Call any hub method and print its answer as JSON",
		Long: `Call a hub method. Arguments are parsed as koji's are: name=value is a
keyword argument; a value is an integer, a float, None, True or False, a JSON
value, or else the text. The answer is printed as JSON (nothing for None).
Methods that may write (not get*/list*/query*/has*/check*/...) log in first.`,
		Example: "$ osg-koji call getTag osg-el9\n$ osg-koji call listTagged osg-25-main-el9-release latest=True inherit=True",
		Args:    shared.MinArgs(1, "please specify the name of the method to call"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Method = args[0]
			opts.Args, opts.Kwargs = ParseArgs(args[1:])
			if runF != nil {
				return runF(opts)
			}
			return callRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&jsonOutput, "json-output", false, "print the answer as JSON (always the case)")
	cmd.Flags().BoolVar(&jsonInput, "json-input", false, "parse arguments as JSON (always tried)")
	cmd.Flags().BoolVar(&opts.Anonymous, "anonymous", false, "do not log in")
	shared.AddJSONFlag(cmd, &opts.Common)
	return cmd
}

// ParseArgs splits koji call arguments into positional values and
// keyword arguments (name=value, at the first "=").
func ParseArgs(args []string) ([]any, map[string]any) {
	var pos []any
	kw := map[string]any{}
	for _, a := range args {
		if k, v, ok := strings.Cut(a, "="); ok && isIdent(k) {
			kw[k] = shared.ArgValue(v)
			continue
		}
		pos = append(pos, shared.ArgValue(a))
	}
	return pos, kw
}

func isIdent(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		if r == '_' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (i > 0 && r >= '0' && r <= '9') {
			continue
		}
		return false
	}
	return true
}

// readOnly reports whether a method only reads (no login needed).
func readOnly(method string) bool {
	for _, p := range []string{"get", "list", "query", "has", "check", "repoInfo", "hello", "echo", "show", "count", "find", "search", "tagLastChangeEvent", "mavenEnabled", "winEnabled", "downloadTaskOutput", "system."} {
		if strings.HasPrefix(method, p) {
			return true
		}
	}
	return false
}

func callRun(ctx context.Context, opts *CallOptions) error {
	h, err := opts.Open(ctx)
	if err != nil {
		return err
	}
	if !opts.Anonymous && (!readOnly(opts.Method) || opts.Method == "getLoggedInUser" || opts.Method == "getPerms") {
		if err := cmdutil.EnsureLogin(ctx, h); err != nil {
			return err
		}
	}
	v, err := h.Call(ctx, opts.Method, opts.Args, opts.Kwargs)
	if err != nil {
		return err
	}
	if v == nil {
		return nil
	}
	return opts.WriteJSON(v)
}
