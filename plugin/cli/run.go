package cli

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericclioptions"
)

// runner is what a command's Options do once completed.
type runner interface {
	Validate() error
	Run(ctx context.Context) error
}

// runWith is the body of every command: complete the options from flags
// and arguments, validate them without contacting the cluster, and run
// them with a context that Ctrl-C or SIGTERM cancels.
func runWith(cmd *cobra.Command, complete func() error, o runner) error {
	if err := complete(); err != nil {
		return err
	}
	if err := o.Validate(); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return o.Run(ctx)
}

// namespaceOf is the namespace that -n or the kubeconfig's context selects.
func namespaceOf(flags *genericclioptions.ConfigFlags) (string, error) {
	ns, _, err := flags.ToRawKubeConfigLoader().Namespace()
	if err != nil {
		return "", fmt.Errorf("reading kubeconfig: %w", err)
	}
	return ns, nil
}
