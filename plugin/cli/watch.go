package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/utils/clock"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/render"
	"github.com/kubectl-initwait/kubectl-initwait/plugin/source"
	"github.com/kubectl-initwait/kubectl-initwait/plugin/stream"
	"github.com/kubectl-initwait/kubectl-initwait/plugin/target"
	"github.com/kubectl-initwait/kubectl-initwait/plugin/timeline"
)

// WatchOptions holds the flags of `kubectl initwait watch`; `up` and
// `compare` build one directly to stream the timeline of what they deployed.
type WatchOptions struct {
	ConfigFlags *genericclioptions.ConfigFlags
	genericiooptions.IOStreams

	// Namespace is filled by Complete from the flags when empty.
	Namespace string
	// Target is NAME (a Deployment), TYPE/NAME, or the TYPE of TYPE NAME;
	// empty when Selector is set.
	Target string
	// TargetName is the NAME of the two-word form TYPE NAME.
	TargetName string
	// Selector is a label selector for the pods to follow.
	Selector string
	// Containers chooses containers by name; empty means all init containers.
	Containers []string
	// AllContainers adds the app containers' logs.
	AllContainers bool
	// Until is "never" or "ready".
	Until string
	// Timeout ends the watch with an error; 0 means no limit.
	Timeout time.Duration
	// Output is "" (text) or "json".
	Output string
	// Color is auto, always or never.
	Color string
	// NoSummary leaves out the summary printed at the end.
	NoSummary bool
	// WaitForCreate waits for a target that does not exist yet instead of
	// failing with "not found", as kubectl wait --for=create does.
	WaitForCreate bool
	// DebugAddr, if set, serves Go's pprof endpoints there while the
	// watch runs (--debug-addr; off by default).
	DebugAddr string
	// CreatePoll is how often a target is looked for again while waiting
	// for it (default target.DefaultCreatePoll).
	CreatePoll time.Duration
	// Record is a file that gets the timeline's JSON lines (as -o json
	// prints them) while the normal output goes on.
	Record string

	// Clients and Clock are set by Complete; tests may set them instead.
	Clients stream.Clients
	Clock   clock.WithDelayedExecution
	Getenv  func(string) string

	// Mapper resolves the target's TYPE: the flags' RESTMapper (cached
	// discovery), set by Complete with the clients; tests may set it.
	Mapper meta.RESTMapper
}

// NewWatchOptions returns WatchOptions with the defaults of the watch command.
func NewWatchOptions(flags *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) *WatchOptions {
	return &WatchOptions{ConfigFlags: flags, IOStreams: streams, Until: "never", Color: "auto"}
}

// NewWatchCmd builds `kubectl initwait watch`.
func NewWatchCmd(flags *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) *cobra.Command {
	o := NewWatchOptions(flags, streams)
	cmd := &cobra.Command{
		Use:   "watch NAME | TYPE/NAME | TYPE NAME | -l SELECTOR",
		Short: "Stream pod STATUS transitions, init-container logs and events as one timeline",
		Long: `Stream one ordered timeline for every pod of a workload, including pods that appear later:
STATUS transitions exactly as kubectl get pods prints them (annotated with the blocking init
container and the back-off kubectl hides), the log lines of every init-container instance, and
the events of the pods, their ReplicaSet and Deployment. On exit it prints a summary per pod.

The target is a Deployment by NAME, or TYPE/NAME or TYPE NAME with any spelling of the type that
kubectl accepts (deploy, deployment.apps, deployments.v1.apps, sts, rs, ds, job, po ...) for a
Deployment, StatefulSet, ReplicaSet, DaemonSet, Job or Pod; or the pods of -l SELECTOR.`,
		Example: `  # Follow a Deployment's pods until Ctrl-C
  kubectl initwait watch webapp -n demo

  # Stop with exit 0 once every pod is Ready, or exit 1 after 2 minutes
  kubectl initwait watch deployment/webapp --until ready --timeout 2m

  # A pod, a StatefulSet, a Job, or any selector; app containers' logs too
  kubectl initwait watch pod/webapp-7cc6d9f8b-x2x9q --all-containers
  kubectl initwait watch sts postgres
  kubectl initwait watch -l app.kubernetes.io/part-of=initwait-demo -o json

  # Start before kubectl apply: wait for the Deployment to be created (at most 5 minutes)
  kubectl initwait watch webapp --wait-for-create --timeout 5m`,
		Args:              cobra.MaximumNArgs(2),
		ValidArgsFunction: TargetCompletion(flags),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runWith(cmd, func() error { return o.Complete(args) }, o)
		},
	}
	o.AddFlags(cmd)
	cmd.Flags().BoolVar(&o.WaitForCreate, "wait-for-create", o.WaitForCreate,
		"Wait for a target that does not exist yet (like kubectl wait --for=create) instead of failing with not found; --timeout includes the wait")
	cmd.Flags().StringVar(&o.DebugAddr, "debug-addr", o.DebugAddr,
		"Serve Go's pprof endpoints (goroutines, heap, profiles) on HOST:PORT while watching, e.g. 127.0.0.1:6060; off by default")
	return cmd
}

// AddFlags registers the timeline flags shared by watch and up.
func (o *WatchOptions) AddFlags(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVarP(&o.Selector, "selector", "l", o.Selector, "Label selector of the pods to follow (instead of a target)")
	f.StringArrayVarP(&o.Containers, "container", "c", o.Containers, "Container whose logs to show (repeatable); default: all init containers")
	f.BoolVar(&o.AllContainers, "all-containers", o.AllContainers, "Also show the app containers' logs")
	f.StringVar(&o.Until, "until", o.Until, "When to stop: never, or ready (the target Ready → exit 0: a workload's rollout done and all its pods Ready, a Job complete)")
	f.DurationVar(&o.Timeout, "timeout", o.Timeout, "Stop after this long (0: no limit): with --until ready exit 1 naming what is not Ready; with --until never exit 0 after the summary")
	f.StringVarP(&o.Output, "output", "o", o.Output, "Output format: '' (coloured text) or json (JSON lines)")
	f.StringVar(&o.Color, "color", o.Color, "Colour the text output: auto, always or never (NO_COLOR is honoured for auto)")
	f.StringVar(&o.Record, "record", o.Record, "Also write the timeline's JSON lines (as -o json prints them) to this file; draw it with 'kubectl initwait report FILE --html OUT'")
}

// Complete fills the namespace, target and clients from flags and args.
func (o *WatchOptions) Complete(args []string) error {
	if err := setTargetArgs(args, &o.Target, &o.TargetName); err != nil {
		return err
	}
	if o.Clock == nil {
		o.Clock = clock.RealClock{}
	}
	if o.Getenv == nil {
		o.Getenv = os.Getenv
	}
	if o.Namespace == "" {
		ns, err := namespaceOf(o.ConfigFlags)
		if err != nil {
			return err
		}
		o.Namespace = ns
	}
	if o.Clients.Kube != nil {
		return nil
	}
	clients, err := newStreamClients(o.ConfigFlags, o.Namespace)
	if err != nil {
		return err
	}
	o.Clients = clients
	o.Mapper, err = o.ConfigFlags.ToRESTMapper()
	return err
}

// newStreamClients builds the clients of a timeline in namespace ns.
func newStreamClients(flags *genericclioptions.ConfigFlags, ns string) (stream.Clients, error) {
	kube, tables, err := kubeClients(flags, ns)
	if err != nil {
		return stream.Clients{}, err
	}
	return stream.Clients{Kube: kube, Tables: tables, Logs: source.ClientLogStreamer{Client: kube}}, nil
}

// Validate checks the flags without contacting the cluster.
func (o *WatchOptions) Validate() error {
	if _, err := target.Parse(targetArgs(o.Target, o.TargetName), o.Selector); err != nil {
		return err
	}
	switch stream.Until(o.Until) {
	case stream.UntilNever, stream.UntilReady:
	default:
		return fmt.Errorf("invalid --until %q: use never or ready", o.Until)
	}
	if o.Timeout < 0 {
		return fmt.Errorf("invalid --timeout %s: must not be negative", o.Timeout)
	}
	if err := checkOutput(o.Output); err != nil {
		return err
	}
	if err := checkDebugAddr(o.DebugAddr); err != nil {
		return err
	}
	if err := checkFileFlag("--record", o.Record); err != nil {
		return err
	}
	return checkColor(o.Color)
}

// summarySink is a Sink that can also print the end-of-watch summary.
type summarySink interface {
	timeline.Sink
	Summary(now time.Time, pods []timeline.PodSummary) error
}

// newSink returns the JSON-lines or text renderer for out.
func newSink(output, colorMode string, out io.Writer, getenv func(string) string) summarySink {
	if output == "json" {
		return render.NewJSON(out)
	}
	mode, _ := render.ParseColorMode(colorMode)
	if getenv == nil {
		getenv = os.Getenv
	}
	useColor := render.UseColor(mode, out, getenv)
	// The summary ends with one bar per pod, as wide as the terminal.
	return &render.WithBars{Next: render.NewText(out, useColor), Out: out,
		Chart: render.BarChart{Width: render.TermWidth(out, getenv), Color: useColor}}
}

// Run streams the timeline until ctx ends, Until is met or Timeout passes.
func (o *WatchOptions) Run(ctx context.Context) (err error) {
	if o.Clock == nil {
		o.Clock = clock.RealClock{}
	}
	spec, err := target.Parse(targetArgs(o.Target, o.TargetName), o.Selector)
	if err != nil {
		return err
	}
	if o.DebugAddr != "" {
		stop, _, err := serveDebug(o.DebugAddr)
		if err != nil {
			return err
		}
		defer stop()
	}
	sink := newSink(o.Output, o.Color, o.Out, o.Getenv)
	if j, ok := sink.(*render.JSON); ok {
		j.Namespace = o.Namespace
	}
	if o.Record != "" {
		rec, closeRec, err := openRecording(o.Record, o.Namespace, sink)
		if err != nil {
			return err
		}
		defer func() { err = errors.Join(err, closeRec()) }()
		sink = rec
	}
	runCtx := ctx
	if o.Timeout > 0 {
		var cancel context.CancelFunc
		runCtx, cancel = context.WithTimeout(ctx, o.Timeout)
		defer cancel()
	}
	tgt, err := o.resolve(ctx, runCtx, spec, sink)
	if err != nil {
		return err
	}
	cfg := stream.Config{Target: tgt, Until: stream.Until(o.Until), Clock: o.Clock, Columns: timeline.ColumnarOf(sink),
		Logs: source.LogSelection{Names: o.Containers, All: o.AllContainers}}
	guarded, stopHints := o.stuckHints(runCtx, tgt, sink)
	res, err := stream.Run(runCtx, o.Clients, cfg, guarded)
	stopHints()
	if err != nil {
		return err
	}
	if !o.NoSummary {
		if err := sink.Summary(o.Clock.Now(), res.Summary); err != nil {
			return err
		}
	}
	return o.outcome(ctx, runCtx, tgt, res)
}

// resolve reads the target; with --wait-for-create it waits for it to be
// created, saying so once on the timeline, within --timeout.
func (o *WatchOptions) resolve(ctx, runCtx context.Context, spec target.Spec, sink timeline.Sink) (target.Target, error) {
	r := target.Resolver{Client: o.Clients.Kube, Mapper: o.Mapper}
	if !o.WaitForCreate {
		return r.Resolve(ctx, o.Namespace, spec)
	}
	var sinkErr error
	a := target.Awaiter{Resolver: r, Poll: o.CreatePoll, OnWaiting: func(desc string) {
		sinkErr = sink.Emit(timeline.Entry{Time: o.Clock.Now(), Kind: timeline.KindNotice, Namespace: o.Namespace,
			Notice: fmt.Sprintf("waiting for %s to be created", desc)})
	}}
	tgt, err := a.Resolve(runCtx, o.Namespace, spec)
	var te *target.CreateTimeoutError
	switch {
	case sinkErr != nil:
		return tgt, fmt.Errorf("writing the timeline: %w", sinkErr)
	case errors.As(err, &te) && errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil:
		return tgt, fmt.Errorf("timed out after %s waiting for %s/%s to be created in namespace %q",
			o.Timeout, te.NotFound.Kind.Word(), te.NotFound.Name, te.NotFound.Namespace)
	case errors.As(err, &te):
		return tgt, fmt.Errorf("interrupted while waiting for %s/%s to be created in namespace %q",
			te.NotFound.Kind.Word(), te.NotFound.Name, te.NotFound.Namespace)
	}
	return tgt, err
}

// outcome is the exit of a finished watch: with --until never the watch
// ends without error however it ends (Ctrl-C, or --timeout as a bounded
// watch); with --until ready it is an error unless the target got Ready.
func (o *WatchOptions) outcome(ctx, runCtx context.Context, tgt target.Target, res stream.Result) error {
	switch {
	case res.Failed != "":
		return errors.New(res.Failed)
	case res.Ready || stream.Until(o.Until) != stream.UntilReady:
		return nil
	case errors.Is(runCtx.Err(), context.DeadlineExceeded) && ctx.Err() == nil:
		return fmt.Errorf("timed out after %s waiting for %s: %s", o.Timeout, tgt.Description, res.NotReady())
	case ctx.Err() != nil:
		return fmt.Errorf("interrupted before %s was ready: %s", tgt.Description, res.NotReady())
	}
	return nil
}

func init() {
	extraCommands = append(extraCommands, NewWatchCmd)
}
