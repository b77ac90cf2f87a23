package cli

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/client-go/kubernetes"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/source"
	"github.com/kubectl-initwait/kubectl-initwait/plugin/stack"
)

// runner is what a command's Options do once completed.
type runner interface {
	Validate() error
	Run(ctx context.Context) error
}

// command is the one shape of every command's Options: Complete fills them
// in from the flags, the arguments and the kubeconfig, Validate checks them
// without contacting the cluster, Run runs them.
type command interface {
	Complete(args []string) error
	runner
}

var _ = []command{(*WatchOptions)(nil), (*DiagnoseOptions)(nil), (*UpOptions)(nil), (*DownOptions)(nil),
	(*CompareOptions)(nil), (*VersionOptions)(nil)}

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

// kubeClients is the one client set-up of the commands that read pods
// (watch, diagnose, and up and compare through newStreamClients): the
// typed client and the pod Table client of namespace ns, from kubectl's
// flags. Neither contacts the cluster yet.
func kubeClients(flags *genericclioptions.ConfigFlags, ns string) (kubernetes.Interface, *source.RESTPodTables, error) {
	cfg, err := flags.ToRESTConfig()
	if err != nil {
		return nil, nil, fmt.Errorf("reading kubeconfig: %w", err)
	}
	kube, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, nil, err
	}
	tables, err := source.NewRESTPodTables(cfg, ns)
	if err != nil {
		return nil, nil, err
	}
	return kube, tables, nil
}

// connectStack is how up, down and compare connect the client that applies
// and deletes the stack, from kubectl's flags. The client asks the server
// its version, so an unreachable cluster fails here in one line.
func connectStack(flags *genericclioptions.ConfigFlags) func() (*stack.Client, error) {
	return func() (*stack.Client, error) { return stack.NewClient(flags) }
}
