package cli

import (
	"strings"

	"github.com/osg-htc/osg-build-go/internal/cmdutil"
)

// kojiValueOpts and kojiBoolOpts are the koji CLI's global options (koji
// 1.35's cli/koji), by long name; kojiShort maps their short forms.
var (
	kojiValueOpts = map[string]bool{"config": true, "profile": true, "authtype": true, "server": true, "weburl": true,
		"topurl": true, "topdir": true, "cert": true, "principal": true, "keytab": true, "user": true, "password": true,
		"runas": true, "plugin-paths": true}
	kojiBoolOpts = map[string]bool{"noauth": true, "noprogress": true, "quiet": true, "debug": true, "force-auth": true,
		"debug-xmlrpc": true, "skip-main": true}
	kojiShort = map[string]string{"c": "config", "p": "profile", "s": "server", "q": "quiet", "d": "debug"}
	// osg-build's own flags that may come before an osg-koji verb.
	osgBuildValueOpts = map[string]bool{"hub": true}
)

// kojiGlobals takes the koji CLI's global options from the front of args
// (before the verb), as `koji [global options] command` takes them. It
// returns the arguments for cobra (-c, -p, -q, -d become osg-build's
// --config, --profile, --quiet, --debug), the overrides of the config, and
// the options to give the koji CLI unchanged in a passthrough.
func kojiGlobals(args []string) (out []string, o cmdutil.KojiOverrides, raw []string) {
	i := 0
	for ; i < len(args); i++ {
		a := args[i]
		if a == "--" || !strings.HasPrefix(a, "-") || a == "-" {
			break
		}
		var name, value string
		hasValue := false
		if strings.HasPrefix(a, "--") {
			name, value, hasValue = strings.Cut(a[2:], "=")
		} else {
			long, ok := kojiShort[a[1:2]]
			if !ok {
				out = append(out, a) // osg-build's -v, or an error for cobra
				continue
			}
			name = long
			if len(a) > 2 {
				value, hasValue = strings.TrimPrefix(a[2:], "="), true
			}
		}
		switch {
		case kojiValueOpts[name]:
			if !hasValue {
				if i+1 >= len(args) {
					out = append(out, a)
					continue
				}
				i++
				value = args[i]
			}
			switch name {
			case "config", "profile":
				out = append(out, "--"+name+"="+value)
				continue
			case "server":
				o.Server = value
			case "weburl":
				o.WebURL = value
			case "topurl":
				o.TopURL = value
			case "authtype":
				o.AuthType = value
			case "cert":
				o.Cert = value
			case "principal":
				o.Principal = value
			case "keytab":
				o.Keytab = value
			case "user":
				o.User = value
			case "password":
				o.Password = value
			}
			raw = append(raw, "--"+name+"="+value)
		case kojiBoolOpts[name] && !hasValue:
			switch name {
			case "quiet", "debug":
				out = append(out, "--"+name)
				continue
			case "noauth":
				o.NoAuth = true
			}
			raw = append(raw, "--"+name)
		default:
			out = append(out, a)
			if osgBuildValueOpts[name] && !hasValue && i+1 < len(args) {
				i++
				out = append(out, args[i])
			}
		}
	}
	return append(out, args[i:]...), o, raw
}
