// Package cli holds the cobra commands of kubectl-initwait. Each command is a
// thin Options type (Complete, Validate, Run) over the domain packages.
package cli

import (
	"fmt"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
)

// NewRootCmd builds the `kubectl initwait` command tree.
func NewRootCmd(streams genericiooptions.IOStreams) *cobra.Command {
	flags := genericclioptions.NewConfigFlags(true)
	root := &cobra.Command{
		Use:   "kubectl-initwait",
		Short: "Init-container diagnostics: one live timeline of pod status, init logs and events",
		Long: `kubectl initwait shows what an init container is waiting for.

It streams, in one ordered and coloured timeline, the STATUS column kubectl
prints for each pod, the logs of every init-container instance and the events
of the pods and their owners; explains why init is blocked; and measures what
an init container buys over a crash-looping app.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Annotations: map[string]string{
			cobra.CommandDisplayNameAnnotation: "kubectl initwait",
		},
	}
	root.SetIn(streams.In)
	root.SetOut(streams.Out)
	root.SetErr(streams.ErrOut)
	flags.AddFlags(root.PersistentFlags())

	root.AddCommand(NewVersionCmd(streams))
	for _, add := range extraCommands {
		root.AddCommand(add(flags, streams))
	}
	// Completion of -n and --context from the cluster and kubeconfig; it
	// fails only if a flag is missing, which is a programming error.
	if err := RegisterFlagCompletions(root, flags); err != nil {
		panic(err)
	}
	return root
}

// extraCommands lets each command file register its constructor, so that
// commands can be added without all touching this file.
var extraCommands []func(*genericclioptions.ConfigFlags, genericiooptions.IOStreams) *cobra.Command

// Execute runs cmd and prints a returned error once, as `error: ...`.
func Execute(cmd *cobra.Command, streams genericiooptions.IOStreams) error {
	err := cmd.Execute()
	if err != nil {
		fmt.Fprintf(streams.ErrOut, "error: %v\n", err)
	}
	return err
}
