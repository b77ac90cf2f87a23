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
		Example: `  kubectl initwait up -n initwait-demo --variant both --db later
  kubectl initwait watch webapp -n initwait-demo
  kubectl initwait diagnose webapp -n initwait-demo`,
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
	addBuiltinCommands(root)
	// Completion of the enumerated flags' values, by flag name, on every
	// command (also those added above); an error is a programming error.
	if err := RegisterValueCompletions(root); err != nil {
		panic(err)
	}
	return root
}

// addBuiltinCommands adds cobra's completion and help commands now rather
// than when the root runs, so that they get examples like every command.
func addBuiltinCommands(root *cobra.Command) {
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	examples := map[string]string{
		"help": `  kubectl initwait help watch
  kubectl initwait watch --help`,
		"completion": `  # complete kubectl initwait through kubectl (kubectl >= 1.26): put
  # kubectl_complete-initwait on your PATH (see the README)
  kubectl __complete initwait watch ''
  # complete the kubectl-initwait binary called directly
  source <(kubectl-initwait completion bash)`,
		"bash":       "  source <(kubectl-initwait completion bash)\n  kubectl-initwait completion bash > /etc/bash_completion.d/kubectl-initwait",
		"zsh":        "  source <(kubectl-initwait completion zsh)\n  kubectl-initwait completion zsh > \"${fpath[1]}/_kubectl-initwait\"",
		"fish":       "  kubectl-initwait completion fish | source\n  kubectl-initwait completion fish > ~/.config/fish/completions/kubectl-initwait.fish",
		"powershell": "  kubectl-initwait completion powershell | Out-String | Invoke-Expression",
	}
	for _, c := range root.Commands() {
		switch c.Name() {
		case "help":
			c.Example = examples["help"]
		case "completion":
			c.Example = examples["completion"]
			for _, sh := range c.Commands() {
				sh.Example = examples[sh.Name()]
			}
		}
	}
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
