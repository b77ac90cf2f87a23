// Command kubectl-initwait is the kubectl plugin for init-container diagnostics.
package main

import (
	"os"

	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/cli"
)

func main() {
	streams := genericiooptions.IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr}
	if err := cli.Execute(cli.NewRootCmd(streams), streams); err != nil {
		os.Exit(1)
	}
}
