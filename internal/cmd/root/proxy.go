package root

import (
	"github.com/spf13/cobra"

	"github.com/osg-htc/osg-build-go/internal/cmd/proxy/proxydestroy"
	"github.com/osg-htc/osg-build-go/internal/cmd/proxy/proxyinfo"
	"github.com/osg-htc/osg-build-go/internal/cmd/proxy/proxyinit"
	"github.com/osg-htc/osg-build-go/internal/cmdutil"
)

// addProxyCommands attaches `osg-build proxy` (grid-proxy-init, -info and
// -destroy in Go).
func addProxyCommands(root *cobra.Command, f *cmdutil.Factory) {
	cmd := &cobra.Command{
		Use:   "proxy",
		Short: "Make, show and remove grid proxies (grid-proxy-init, -info, -destroy)",
		Long: `Grid proxy certificates without the Globus tools: proxy init signs one with
your grid certificate (~/.globus), proxy info shows it, proxy destroy removes
it. A Koji config whose cert is the proxy (/tmp/x509up_u<uid>) logs in
with it; osg-build auth checks it.`,
		GroupID: GroupKoji,
	}
	cmd.AddCommand(proxyinit.NewCmdInit(f, nil), proxyinfo.NewCmdInfo(f, nil), proxydestroy.NewCmdDestroy(f, nil))
	root.AddCommand(cmd)
}
