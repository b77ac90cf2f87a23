package cli

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/metadata"
	"k8s.io/utils/clock"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/diagnose"
	"github.com/kubectl-initwait/kubectl-initwait/plugin/target"
)

func init() { extraCommands = append(extraCommands, NewDiagnoseCmd) }

// DiagnoseOptions holds the flags of `kubectl initwait diagnose`.
type DiagnoseOptions struct {
	ConfigFlags *genericclioptions.ConfigFlags
	genericiooptions.IOStreams

	// Namespace is filled by Complete from the flags when empty.
	Namespace string
	// Target is NAME (a Deployment), TYPE/NAME, or the TYPE of TYPE NAME;
	// empty when Selector is set.
	Target string
	// TargetName is the NAME of the two-word form TYPE NAME.
	TargetName string
	// Selector is a label selector for the pods to diagnose.
	Selector string
	// Output is "" (text) or "json".
	Output string
	// TailLines is how many log lines to show per container instance.
	TailLines int
	// Timeout bounds the whole diagnosis.
	Timeout time.Duration
	// AllNamespaces scans every namespace (-A); with no target and no
	// selector the namespace is scanned. Verbose adds each scanned pod's
	// details; MaxLogs bounds the logs a scan reads.
	AllNamespaces bool
	Verbose       bool
	MaxLogs       int

	// Client, Pods and Clock are set by Complete; tests may set them instead.
	Client   kubernetes.Interface
	Pods     diagnose.PodLister
	Metadata metadata.Interface
	Clock    clock.PassiveClock

	// Mapper resolves the target's TYPE: the flags' RESTMapper (cached
	// discovery), set by Complete with the clients; tests may set it.
	Mapper meta.RESTMapper
}

// NewDiagnoseOptions returns DiagnoseOptions with the command's defaults.
func NewDiagnoseOptions(flags *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) *DiagnoseOptions {
	return &DiagnoseOptions{ConfigFlags: flags, IOStreams: streams, TailLines: 5, Timeout: time.Minute, MaxLogs: diagnose.DefaultScanLogs}
}

// NewDiagnoseCmd builds `kubectl initwait diagnose`.
func NewDiagnoseCmd(flags *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) *cobra.Command {
	o := NewDiagnoseOptions(flags, streams)
	cmd := &cobra.Command{
		Use:   "diagnose [NAME | TYPE/NAME | TYPE NAME | -l SELECTOR | -A]",
		Short: "Explain why pods are not Ready: the blocking container, what it waits for, where the chain breaks",
		Long: `For each pod of the target that is not Ready, find the container that blocks it (the first
init container that has not succeeded, a native sidecar that has not started, or an app container),
read what it waits for from its command, args and env (pg_isready, nc, wget/curl, nslookup/getent,
bash /dev/tcp, shortener wait-db ...), and follow that dependency through the cluster: Service,
selector, EndpointSlices on the probed port, backing pods. A wait on a Job, pods, a Service or a
Deployment (k8s-wait-for, kubectl wait / rollout status) follows the object, and asks with a
SubjectAccessReview whether the pod's ServiceAccount may read it. Missing Secrets, ConfigMaps and keys,
image pull errors, crash loops and exit codes are named too. Each pod gets one verdict line, the
evidence under it and the commands to run next.

The target is a Deployment by NAME, or TYPE/NAME or TYPE NAME with any spelling of the type that
kubectl accepts (deploy, deployment.apps, deployments.v1.apps, sts, rs, ds, job, po ...) for a
Deployment, StatefulSet, ReplicaSet, DaemonSet, Job or Pod; or the pods of -l SELECTOR.

With no target, every pod of the namespace that is not Ready is diagnosed (-A: of every
namespace), and the verdicts are grouped by cause (missing tool, missing Service, missing Secret,
image pull, crash loop ...) with a count per group; -v adds each pod's evidence. A scan lists each
kind once (pods, Services, EndpointSlices, events, the names of Secrets and ConfigMaps) and reads
at most --max-logs container logs, one per workload and container.

Exit status: 0 when every pod is Ready or progressing normally, 1 when a problem is found or the
diagnosis cannot be made.`,
		Example: `  # Why is the webapp Deployment not Ready?
  kubectl initwait diagnose webapp -n demo

  # A single pod, a StatefulSet or Job, or any label selector
  kubectl initwait diagnose pod/webapp-7cc6d9f8b-x2x9q
  kubectl initwait diagnose statefulset/postgres
  kubectl initwait diagnose job migrate
  kubectl initwait diagnose -l app.kubernetes.io/part-of=initwait-demo

  # The same content as JSON
  kubectl initwait diagnose webapp -o json

  # Every pod that is not Ready, in this namespace or in all, grouped by cause
  kubectl initwait diagnose
  kubectl initwait diagnose -A -v`,
		Args:              cobra.MaximumNArgs(2),
		ValidArgsFunction: TargetCompletion(flags),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runWith(cmd, func() error { return o.Complete(args) }, o)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.Selector, "selector", "l", o.Selector, "Label selector of the pods to diagnose (instead of a target)")
	f.StringVarP(&o.Output, "output", "o", o.Output, "Output format: '' (text) or json")
	f.IntVar(&o.TailLines, "tail", o.TailLines, "Log lines to show of the blocking container (current and previous instance)")
	f.DurationVar(&o.Timeout, "timeout", o.Timeout, "Give up after this long")
	addScanFlags(f, o)
	return cmd
}

// Complete fills the namespace, target and clients from flags and args.
func (o *DiagnoseOptions) Complete(args []string) error {
	if err := setTargetArgs(args, &o.Target, &o.TargetName); err != nil {
		return err
	}
	if o.Clock == nil {
		o.Clock = clock.RealClock{}
	}
	if o.Namespace == "" {
		ns, err := namespaceOf(o.ConfigFlags)
		if err != nil {
			return err
		}
		o.Namespace = ns
	}
	if o.Client != nil {
		return nil
	}
	client, tables, err := kubeClients(o.ConfigFlags, o.Namespace)
	if err != nil {
		return err
	}
	o.Client, o.Pods = client, diagnose.TablePodLister{Tables: tables}
	if o.Mapper, err = o.ConfigFlags.ToRESTMapper(); err != nil {
		return err
	}
	cfg, err := o.ConfigFlags.ToRESTConfig()
	if err != nil {
		return err
	}
	o.Metadata, err = metadata.NewForConfig(cfg)
	return err
}

// Validate checks the flags without contacting the cluster.
func (o *DiagnoseOptions) Validate() error {
	if err := o.validateScan(); err != nil {
		return err
	}
	if _, err := target.Parse(targetArgs(o.Target, o.TargetName), o.Selector); err != nil && !o.scanning() {
		return err
	}
	if err := checkOutput(o.Output); err != nil {
		return err
	}
	if o.TailLines < 0 {
		return fmt.Errorf("--tail must be 0 or more, not %d", o.TailLines)
	}
	return nil
}

// TimeoutError is a diagnosis that --timeout ended: one line naming the
// timeout; it wraps what failed (and so context.DeadlineExceeded).
type TimeoutError struct {
	What  string
	After time.Duration
	Err   error
	// Partial is true when a report was printed, with what could be read in time.
	Partial bool
}

func (e *TimeoutError) Error() string {
	s := fmt.Sprintf("%s timed out after %s", e.What, e.After)
	if e.Partial {
		s += ": the report above is incomplete"
	}
	return s
}

func (e *TimeoutError) Unwrap() error { return e.Err }

// ErrProblemsFound is wrapped by Run's error when the diagnosis found a problem.
var ErrProblemsFound = errors.New("problem found")

// Run diagnoses the target and prints the report; it returns an error
// (exit 1) when a pod has a problem or the diagnosis cannot be made.
func (o *DiagnoseOptions) Run(ctx context.Context) error {
	if o.scanning() {
		return o.runScan(ctx)
	}
	spec, err := target.Parse(targetArgs(o.Target, o.TargetName), o.Selector)
	if err != nil {
		return err
	}
	parent := ctx
	if o.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, o.Timeout)
		defer cancel()
	}
	// timedOut is true when our --timeout, not the caller, ended the diagnosis.
	timedOut := func() bool {
		return errors.Is(ctx.Err(), context.DeadlineExceeded) && parent.Err() == nil
	}
	d := &diagnose.Diagnoser{Client: o.Client, Mapper: o.Mapper, Pods: o.Pods, Clock: o.Clock, TailLines: o.TailLines}
	if o.TailLines == 0 {
		d.TailLines = -1
	}
	rep, err := d.Diagnose(ctx, o.Namespace, spec)
	if err != nil {
		if timedOut() {
			return &TimeoutError{What: "diagnose", After: o.Timeout, Err: err}
		}
		return err
	}
	if o.Output == "json" {
		err = diagnose.WriteJSON(o.Out, rep)
	} else {
		err = diagnose.WriteText(o.Out, rep)
	}
	if err != nil {
		return err
	}
	if timedOut() {
		// The report was made, but reads after the deadline failed: incomplete.
		return &TimeoutError{What: "diagnose", After: o.Timeout, Err: context.DeadlineExceeded, Partial: true}
	}
	if rep.Problems > 0 {
		return fmt.Errorf("%w: %d of %d pod(s) of %s will not become Ready without a change", ErrProblemsFound, rep.Problems, len(rep.Pods), rep.Target)
	}
	return nil
}
