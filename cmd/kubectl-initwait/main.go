// Command kubectl-initwait is the kubectl plugin for init-container diagnostics.
package main

import (
	"os"

	"github.com/go-logr/logr"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/klog/v2"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/cli"
)

func main() {
	// client-go logs through klog to stderr, e.g. RetryWatcher's "Watch
	// failed ... connection refused" every second while the API server is
	// away. The plugin says what matters itself (a timeline note, an error:
	// line), so klog's output is discarded.
	klog.SetLogger(logr.Discard())
	streams := genericiooptions.IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr}
	if err := cli.Execute(cli.NewRootCmd(streams), streams); err != nil {
		os.Exit(1)
	}
}
