package cli

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/buildinfo"
)

// VersionOptions holds the flags of `kubectl initwait version`.
type VersionOptions struct {
	Output string
	genericiooptions.IOStreams
}

// NewVersionCmd builds `kubectl initwait version`.
func NewVersionCmd(streams genericiooptions.IOStreams) *cobra.Command {
	o := &VersionOptions{IOStreams: streams}
	cmd := &cobra.Command{
		Use:     "version",
		Short:   "Print the plugin's version, commit, build date and Go version",
		Example: "  kubectl initwait version\n  kubectl initwait version -o json",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runWith(cmd, func() error { return o.Complete(args) }, o)
		},
	}
	cmd.Flags().StringVarP(&o.Output, "output", "o", "", "Output format: text or json")
	return cmd
}

// Complete has nothing to fill in: version reads no kubeconfig.
func (o *VersionOptions) Complete(_ []string) error { return nil }

// Validate checks the output format.
func (o *VersionOptions) Validate() error { return checkOutput(o.Output) }

// Run prints the build information.
func (o *VersionOptions) Run(context.Context) error {
	info := buildinfo.Get()
	if o.Output == "json" {
		enc := json.NewEncoder(o.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(info)
	}
	_, err := fmt.Fprintf(o.Out, "kubectl-initwait %s (commit %s, built %s, %s, %s)\n",
		info.Version, info.Commit, info.BuildDate, info.GoVersion, info.Platform)
	return err
}
