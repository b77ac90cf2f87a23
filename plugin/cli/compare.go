package cli

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/apimachinery/pkg/util/rand"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/compare"
	"github.com/kubectl-initwait/kubectl-initwait/plugin/render"
	"github.com/kubectl-initwait/kubectl-initwait/plugin/source"
	"github.com/kubectl-initwait/kubectl-initwait/plugin/stack"
	"github.com/kubectl-initwait/kubectl-initwait/plugin/stream"
	"github.com/kubectl-initwait/kubectl-initwait/plugin/timeline"
)

// CompareOptions holds the flags of `kubectl initwait compare`.
type CompareOptions struct {
	ConfigFlags *genericclioptions.ConfigFlags
	genericiooptions.IOStreams

	// Namespace is where to deploy; empty means a new one, deleted at the end.
	Namespace     string
	Variants      []string
	DBDelay       time.Duration
	Timeout       time.Duration
	Keep          bool
	Output        string
	Color         string
	Image         string
	PostgresImage string

	created   bool
	variants  []stack.Variant
	newClient func() (*stack.Client, error)
	clients   stream.Clients
	now       func() time.Time
}

// NewCompareCmd builds `kubectl initwait compare`.
func NewCompareCmd(flags *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) *cobra.Command {
	o := &CompareOptions{ConfigFlags: flags, IOStreams: streams, Variants: []string{"init", "naive", "waitdb"},
		DBDelay: 60 * time.Second, Timeout: 10 * time.Minute, Color: "auto"}
	cmd := &cobra.Command{
		Use:   "compare",
		Short: "Measure CrashLoopBackOff against Init:0/1 side by side while the database arrives late",
		Long: `Deploy the webapp variants side by side without their database, apply the database after
--db-delay, stream all of them, and when every pod is Ready print one row per variant: restarts,
time in Error/CrashLoopBackOff, time in Init, the back-off reached, error log lines, and the time
from "database Ready" to "webapp Ready". Variants: init (pg_isready every 2 s, the seed's
check-db-ready), naive (no init container: crash-loops) and waitdb (shortener wait-db, an
authenticated SELECT 1 every 200 ms).`,
		Example: `  # All three variants in a new namespace, database after 60 s; the namespace is deleted at the end
  kubectl initwait compare

  # Two variants, a shorter delay, keep what was deployed, JSON report
  kubectl initwait compare --variants init,naive --db-delay 20s --keep -n compare-demo -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runWith(cmd, func() error { return o.Complete(cmd.Flags().Changed("namespace")) }, o)
		},
	}
	f := cmd.Flags()
	f.StringSliceVar(&o.Variants, "variants", o.Variants, "Webapp variants to compare: init, naive, waitdb")
	f.DurationVar(&o.DBDelay, "db-delay", o.DBDelay, "How long after the webapps the database is applied")
	f.DurationVar(&o.Timeout, "timeout", o.Timeout, "Give up (exit 1, with the partial table) after this long")
	f.BoolVar(&o.Keep, "keep", false, "Keep what was deployed (and a namespace made for the run)")
	f.StringVarP(&o.Output, "output", "o", "", "Output format: '' (text) or json (JSON lines, the report last)")
	f.StringVar(&o.Color, "color", o.Color, "Colour the text output: auto, always or never")
	f.StringVar(&o.Image, "image", "", "Shortener image (default "+stack.DefaultImage+")")
	f.StringVar(&o.PostgresImage, "postgres-image", "", "PostgreSQL image (default "+stack.DefaultPostgresImage+")")
	return cmd
}

// Complete picks the namespace: the one given with -n, else a new one.
func (o *CompareOptions) Complete(namespaceGiven bool) error {
	if o.Namespace == "" && namespaceGiven {
		ns, err := namespaceOf(o.ConfigFlags)
		if err != nil {
			return err
		}
		o.Namespace = ns
	}
	if o.Namespace == "" {
		o.Namespace, o.created = "initwait-compare-"+rand.String(5), true
	}
	if o.now == nil {
		o.now = time.Now
	}
	if o.newClient == nil {
		o.newClient = func() (*stack.Client, error) { return stack.NewClient(o.ConfigFlags) }
	}
	if o.clients.Kube == nil {
		c, err := newStreamClients(o.ConfigFlags, o.Namespace)
		if err != nil {
			return err
		}
		o.clients = c
	}
	return nil
}

// Validate checks the flags without contacting the cluster.
func (o *CompareOptions) Validate() error {
	o.variants = nil
	seen := map[stack.Variant]bool{}
	for _, name := range o.Variants {
		v, err := stack.ParseVariant(name)
		if err != nil {
			return fmt.Errorf("invalid --variants: %w", err)
		}
		if !seen[v] {
			seen[v] = true
			o.variants = append(o.variants, v)
		}
	}
	if len(o.variants) == 0 {
		return errors.New("invalid --variants: name at least one of init, naive, waitdb")
	}
	if o.DBDelay < 0 {
		return fmt.Errorf("invalid --db-delay %s: must not be negative", o.DBDelay)
	}
	if o.Timeout <= 0 {
		return fmt.Errorf("invalid --timeout %s: must be positive", o.Timeout)
	}
	if o.Output != "" && o.Output != "json" {
		return fmt.Errorf("invalid --output %q: use json or leave it empty", o.Output)
	}
	_, err := render.ParseColorMode(o.Color)
	return err
}

// Run deploys, streams, measures and reports, then cleans up unless --keep.
func (o *CompareOptions) Run(ctx context.Context) (err error) {
	client, err := o.newClient()
	if err != nil {
		return err
	}
	progress := o.Out
	if o.Output == "json" {
		progress = o.ErrOut
	}
	base := stack.RenderOptions{Namespace: o.Namespace, Variants: o.variants, Image: o.Image, PostgresImage: o.PostgresImage, Database: true}
	objs, err := stack.Render(base)
	if err != nil {
		return err
	}
	made, err := client.EnsureNamespace(ctx, o.Namespace, false)
	if err != nil {
		return err
	}
	if made != nil && made.Action == stack.Created {
		o.created = true // -n named a namespace that did not exist: ours to delete too
	}
	defer func() {
		if cerr := o.cleanup(client); cerr != nil && err == nil {
			err = cerr
		}
	}()
	if _, err := client.PrepareSecret(ctx, o.Namespace, objs); err != nil {
		return err
	}
	webapps, database := stack.SplitDatabase(objs)
	report := func(r stack.Result) { fmt.Fprintln(progress, r) }
	if err := client.Apply(ctx, webapps, stack.ApplyOptions{}, report); err != nil {
		return err
	}
	collector := &compare.Collector{Next: newSink(o.Output, o.Color, o.Out, nil), GroupOf: func(pod string) string {
		d := compare.DeploymentOfPod(pod)
		if d == "postgres" {
			return compare.Database
		}
		return d
	}}
	runCtx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	var appliedAt time.Time
	dbErr := make(chan error, 1)
	go func() {
		fmt.Fprintf(progress, "database: applying in %s\n", o.DBDelay)
		select {
		case <-time.After(o.DBDelay):
		case <-runCtx.Done():
			dbErr <- nil
			return
		}
		appliedAt = o.now()
		err := client.Apply(runCtx, database, stack.ApplyOptions{}, report)
		if err != nil {
			cancel()
		}
		dbErr <- err
	}()
	target := source.Target{Namespace: o.Namespace, LabelSelector: stack.LabelPartOf + "=" + stack.PartOf,
		Description: "the compared variants"}
	res, err := stream.Run(runCtx, o.clients, stream.Config{Target: target, Until: stream.UntilReady, Now: o.now,
		Logs: source.LogSelection{All: true}}, collector)
	cancel() // stops the database apply if it is still waiting
	if derr := <-dbErr; derr != nil {
		return derr
	}
	if err != nil {
		return err
	}
	dbReady, measures := collector.Results(o.now())
	rep := compare.Report{Namespace: o.Namespace, DatabaseAppliedAt: appliedAt, DatabaseReadyAt: dbReady, Variants: measures}
	if o.Output == "json" {
		err = rep.WriteJSON(o.Out)
	} else {
		err = rep.WriteText(o.Out)
	}
	if err != nil {
		return err
	}
	if !res.Ready {
		if ctx.Err() != nil {
			return fmt.Errorf("interrupted before every variant was Ready: %s", res.NotReady())
		}
		return fmt.Errorf("timed out after %s: %s", o.Timeout, res.NotReady())
	}
	return nil
}

// cleanup deletes what the run deployed unless --keep: the namespace if the
// run made it, else the labelled objects.
func (o *CompareOptions) cleanup(client *stack.Client) error {
	if o.Keep {
		fmt.Fprintf(o.ErrOut, "kept: namespace %s (delete with: kubectl initwait down -n %s)\n", o.Namespace, o.Namespace)
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if o.created {
		_, err := client.DeleteNamespace(ctx, o.Namespace, false, false, time.Minute)
		return err
	}
	kinds, err := stack.DeployedKinds()
	if err != nil {
		return err
	}
	_, err = client.Delete(ctx, o.Namespace, kinds, false, func(string) {})
	return err
}

var _ timeline.Sink = (*compare.Collector)(nil)

func init() { extraCommands = append(extraCommands, NewCompareCmd) }
