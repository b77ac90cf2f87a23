package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/stack"
)

func init() { extraCommands = append(extraCommands, NewDownCmd) }

// DownOptions holds the flags of `kubectl initwait down`.
type DownOptions struct {
	ConfigFlags *genericclioptions.ConfigFlags
	genericiooptions.IOStreams

	Namespace       string
	Wait            bool
	Timeout         time.Duration
	DeleteNamespace bool
	DryRun          string // "", none or server

	newClient func() (*stack.Client, error)
}

// NewDownOptions returns DownOptions with the command's defaults.
func NewDownOptions(flags *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) *DownOptions {
	return &DownOptions{ConfigFlags: flags, IOStreams: streams, Wait: true, Timeout: 2 * time.Minute}
}

// NewDownCmd builds `kubectl initwait down`.
func NewDownCmd(flags *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) *cobra.Command {
	o := NewDownOptions(flags, streams)
	cmd := &cobra.Command{
		Use:   "down",
		Short: "Delete the demo stack: every object that up deployed in the namespace",
		Long: `Delete, in the namespace, every object of the kinds 'up' deploys that is
labelled app.kubernetes.io/managed-by=kubectl-initwait
(foreground propagation: their ReplicaSets and pods go too), then wait until
all are gone.
Nothing else is touched, and the namespace stays unless --delete-namespace.
Running it again when nothing is left is fine.`,
		Example: `  kubectl initwait down -n initwait-demo
  kubectl initwait down -n initwait-demo --delete-namespace`,
		Args:              cobra.NoArgs,
		ValidArgsFunction: cobra.NoFileCompletions,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runWith(cmd, func() error { return o.Complete(nil) }, o)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&o.Wait, "wait", o.Wait, "Wait until the objects (and their pods) are gone")
	f.DurationVar(&o.Timeout, "timeout", o.Timeout, "How long --wait waits")
	f.BoolVar(&o.DeleteNamespace, "delete-namespace", false, "Delete the namespace too, after the objects")
	f.StringVar(&o.DryRun, "dry-run", "none", "none or server (say what would be deleted, delete nothing)")
	return cmd
}

// Complete reads the namespace from the kubectl flags and kubeconfig; down
// takes no arguments.
func (o *DownOptions) Complete(_ []string) error {
	ns, err := namespaceOf(o.ConfigFlags)
	if err != nil {
		return err
	}
	o.Namespace = ns
	if o.newClient == nil {
		o.newClient = connectStack(o.ConfigFlags)
	}
	return nil
}

// Validate checks the flags.
func (o *DownOptions) Validate() error {
	if err := checkDuration("--timeout", o.Timeout, true); err != nil {
		return err
	}
	switch o.DryRun {
	case "", "none", "server":
	default:
		return fmt.Errorf("unknown --dry-run %q (want none or server)", o.DryRun)
	}
	if o.Namespace == "" {
		return fmt.Errorf("no namespace: pass -n NAMESPACE")
	}
	return nil
}

// Run deletes the labelled objects and waits for them to go.
func (o *DownOptions) Run(ctx context.Context) error {
	kinds, err := stack.DeployedKinds()
	if err != nil {
		return err
	}
	client, err := o.newClient()
	if err != nil {
		return err
	}
	dryRun := o.DryRun == "server"
	suffix := ""
	if dryRun {
		suffix = " (server dry run)"
	}
	deleted, err := client.Delete(ctx, o.Namespace, kinds, dryRun, func(ref string) {
		fmt.Fprintf(o.Out, "%s deleted%s\n", ref, suffix)
	})
	if err != nil {
		return err
	}
	if len(deleted) == 0 {
		fmt.Fprintf(o.Out, "no object labelled %s to delete in namespace %s\n", stack.ManagedSelector, o.Namespace)
	}
	if o.Wait && !dryRun {
		start := time.Now()
		if err := client.WaitGone(ctx, o.Namespace, kinds, o.Timeout); err != nil {
			return err
		}
		if len(deleted) > 0 {
			fmt.Fprintf(o.Out, "all gone from namespace %s in %s\n", o.Namespace, time.Since(start).Round(100*time.Millisecond))
		}
	}
	if o.DeleteNamespace {
		gone, err := client.DeleteNamespace(ctx, o.Namespace, dryRun, o.Wait, o.Timeout)
		if err != nil {
			return err
		}
		if gone {
			fmt.Fprintf(o.Out, "namespace/%s deleted%s\n", o.Namespace, suffix)
		}
	}
	return nil
}
