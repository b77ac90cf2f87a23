package cli

import (
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
			if err := o.Validate(); err != nil {
				return err
			}
			return o.Run()
		},
	}
	cmd.Flags().StringVarP(&o.Output, "output", "o", "", "Output format: '' (text) or json")
	return cmd
}

// Validate checks the output format.
func (o *VersionOptions) Validate() error {
	switch o.Output {
	case "", "json":
		return nil
	}
	return fmt.Errorf("unknown output format %q: use json or leave it empty", o.Output)
}

// Run prints the build information.
func (o *VersionOptions) Run() error {
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
