package cli

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/stack"
)

func init() { extraCommands = append(extraCommands, NewUpCmd) }

// UpOptions holds the flags of `kubectl initwait up`.
type UpOptions struct {
	ConfigFlags *genericclioptions.ConfigFlags
	genericiooptions.IOStreams

	Namespace      string
	Variant        string // init, naive or both
	DB             string // now, later or none
	DBDelay        time.Duration
	Image          string
	PostgresImage  string
	DryRun         string // "", none, client or server
	NoWatch        bool
	Timeout        time.Duration
	Output         string
	Color          string
	ForceConflicts bool

	// newClient connects to the cluster; tests may replace it.
	newClient func() (*stack.Client, error)
}

// NewUpOptions returns UpOptions with the command's defaults.
func NewUpOptions(flags *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) *UpOptions {
	return &UpOptions{ConfigFlags: flags, IOStreams: streams, Variant: "init", DB: "now",
		DBDelay: 30 * time.Second, Timeout: 5 * time.Minute, Color: "auto"}
}

// NewUpCmd builds `kubectl initwait up`.
func NewUpCmd(flags *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) *cobra.Command {
	o := NewUpOptions(flags, streams)
	cmd := &cobra.Command{
		Use:   "up",
		Short: "Deploy the demo stack (webapp, webapp-naive, PostgreSQL) and stream its timeline",
		Long: `Deploy the demo stack with server-side apply (field manager kubectl-initwait)
and stream the timeline of the webapp pods until every one is Ready.

The database password is generated on first install and kept on every re-run;
it is never printed: --dry-run=client leaves the Secret out of the YAML and
says, in comments at the top, how to create it before 'kubectl apply -f'.
--db later applies the database --db-delay after the webapp, as in the seed
article; --db none leaves it out (then up returns after the apply: see
'kubectl initwait diagnose webapp'). Webapps of variants not chosen stay as
they are: run 'kubectl initwait down' first to start afresh.`,
		Example: `  kubectl initwait up -n initwait-demo
  kubectl initwait up --variant both --db later --db-delay 20s -n initwait-demo
  # print the stack instead; the comments at its top say how to create the Secret first
  kubectl initwait up --dry-run=client -n initwait-demo > stack.yaml`,
		Args:              cobra.NoArgs,
		ValidArgsFunction: cobra.NoFileCompletions,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runWith(cmd, func() error { return o.Complete() }, o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Variant, "variant", o.Variant, "Webapp to deploy: init (with init container), naive (without) or both")
	f.StringVar(&o.DB, "db", o.DB, "When to deploy the database: now, later (after --db-delay) or none")
	f.DurationVar(&o.DBDelay, "db-delay", o.DBDelay, "Delay before the database is applied with --db later")
	f.StringVar(&o.Image, "image", stack.DefaultImage, "Shortener image")
	f.StringVar(&o.PostgresImage, "postgres-image", stack.DefaultPostgresImage, "PostgreSQL image (database and check-db-ready)")
	f.StringVar(&o.DryRun, "dry-run", "none", "none, client (print the YAML, contact nothing) or server (validate, persist nothing)")
	f.BoolVar(&o.NoWatch, "no-watch", false, "Return after applying instead of streaming the timeline")
	f.DurationVar(&o.Timeout, "timeout", o.Timeout, "Give up when the webapp pods are not all Ready by then (0: no limit)")
	f.StringVarP(&o.Output, "output", "o", "", "Timeline format: '' (text) or json")
	f.StringVar(&o.Color, "color", o.Color, "Colour the timeline: auto, always or never")
	f.BoolVar(&o.ForceConflicts, "force-conflicts", false, "Take over fields another field manager owns")
	return cmd
}

// Complete reads the namespace from the kubectl flags and kubeconfig.
func (o *UpOptions) Complete() error {
	ns, err := namespaceOf(o.ConfigFlags)
	if err != nil {
		return err
	}
	o.Namespace = ns
	if o.newClient == nil {
		o.newClient = func() (*stack.Client, error) { return stack.NewClient(o.ConfigFlags) }
	}
	return nil
}

// Validate checks the flags; each error is one line naming the flag.
func (o *UpOptions) Validate() error {
	if _, err := o.variants(); err != nil {
		return err
	}
	switch o.DB {
	case "now", "later", "none":
	default:
		return fmt.Errorf("unknown --db %q (want now, later or none)", o.DB)
	}
	if o.DBDelay < 0 {
		return fmt.Errorf("--db-delay must not be negative, got %s", o.DBDelay)
	}
	if o.Timeout < 0 {
		return fmt.Errorf("--timeout must not be negative, got %s", o.Timeout)
	}
	if o.DB == "later" && o.watches() && o.Timeout > 0 && o.DBDelay >= o.Timeout {
		return fmt.Errorf("--db-delay %s must be shorter than --timeout %s: the webapp cannot get Ready before the database is applied", o.DBDelay, o.Timeout)
	}
	switch o.DryRun {
	case "", "none", "client", "server":
	default:
		return fmt.Errorf("unknown --dry-run %q (want none, client or server)", o.DryRun)
	}
	if o.Output != "" && o.Output != "json" {
		return fmt.Errorf("unknown output format %q (want json or leave it empty)", o.Output)
	}
	if o.Color != "auto" && o.Color != "always" && o.Color != "never" {
		return fmt.Errorf("unknown --color %q (want auto, always or never)", o.Color)
	}
	for flag, ref := range map[string]string{"--image": o.Image, "--postgres-image": o.PostgresImage} {
		if ref == "" {
			continue
		}
		if _, err := stack.ParseImage(ref); err != nil {
			return fmt.Errorf("%s: %w", flag, err)
		}
	}
	if o.Namespace == "" {
		return fmt.Errorf("no namespace: pass -n NAMESPACE")
	}
	return nil
}

func (o *UpOptions) variants() ([]stack.Variant, error) {
	switch o.Variant {
	case "init":
		return []stack.Variant{stack.VariantInit}, nil
	case "naive":
		return []stack.Variant{stack.VariantNaive}, nil
	case "both":
		return []stack.Variant{stack.VariantInit, stack.VariantNaive}, nil
	}
	return nil, fmt.Errorf("unknown --variant %q (want init, naive or both)", o.Variant)
}

// Render returns the objects `up` applies, the database workload last.
func (o *UpOptions) Render() ([]*unstructured.Unstructured, error) {
	variants, err := o.variants()
	if err != nil {
		return nil, err
	}
	return stack.Render(stack.RenderOptions{Namespace: o.Namespace, Variants: variants,
		Database: o.DB != "none", Image: o.Image, PostgresImage: o.PostgresImage})
}

// progress is where apply lines go: stderr when stdout carries JSON lines.
func (o *UpOptions) progress() io.Writer {
	if o.Output == "json" {
		return o.ErrOut
	}
	return o.Out
}

// Run renders, applies and then streams the timeline.
func (o *UpOptions) Run(ctx context.Context) error {
	objs, err := o.Render()
	if err != nil {
		return err
	}
	if o.DryRun == "client" {
		return o.printYAML(objs)
	}
	dryRun := o.DryRun == "server"
	client, err := o.newClient()
	if err != nil {
		return err
	}
	w, err := o.timeline()
	if err != nil {
		return err
	}
	if r, err := client.EnsureNamespace(ctx, o.Namespace, dryRun); err != nil {
		return err
	} else if r != nil {
		fmt.Fprintln(o.progress(), r)
	}
	secret, err := client.PrepareDatabaseSecret(ctx, o.Namespace, objs)
	if err != nil {
		return err
	}
	if secret.ManifestPassword {
		fmt.Fprintln(o.ErrOut, manifestPasswordWarning(o.Namespace))
	}
	report := func(r stack.Result) {
		note := ""
		if secret.Generated && !r.DryRun && r.Ref == "secret/"+stack.SecretName {
			note = " (password generated; kept on re-runs, never printed)"
		}
		fmt.Fprintf(o.progress(), "%s%s\n", r, note)
	}
	first, database := objs, []*unstructured.Unstructured(nil)
	if o.DB == "later" && !dryRun {
		first, database = stack.SplitDatabase(objs)
	}
	applyOpts := stack.ApplyOptions{DryRun: dryRun, Force: o.ForceConflicts}
	if err := client.Apply(ctx, first, applyOpts, report); err != nil {
		return err
	}
	applyDB := func(ctx context.Context, skip <-chan struct{}) error {
		if len(database) == 0 {
			return nil
		}
		fmt.Fprintf(o.progress(), "database: applying in %s (--db later)\n", o.DBDelay)
		return applyAfter(ctx, skip, o.DBDelay, func(ctx context.Context) error {
			return client.Apply(ctx, database, applyOpts, report)
		})
	}
	if w == nil {
		if o.DB == "none" && !dryRun && !o.NoWatch {
			fmt.Fprintf(o.progress(), "database left out (--db none): the webapp waits; try kubectl initwait diagnose webapp -n %s\n", o.Namespace)
		}
		return applyDB(ctx, nil)
	}
	return watchWhile(ctx, w.Run, applyDB)
}

// watches reports whether up streams the timeline after applying.
func (o *UpOptions) watches() bool {
	return o.DryRun != "server" && o.DryRun != "client" && !o.NoWatch && o.DB != "none"
}

// timeline returns the watch of the webapp pods that follows the apply, or
// nil when there is none (dry run, --no-watch, --db none). It is completed
// before anything is applied, so that its errors change nothing.
func (o *UpOptions) timeline() (*WatchOptions, error) {
	if !o.watches() {
		return nil, nil
	}
	w := NewWatchOptions(o.ConfigFlags, o.IOStreams)
	w.Namespace = o.Namespace
	w.Selector = stack.WebappPodSelector
	w.Until = "ready"
	w.Timeout = o.Timeout
	w.Output = o.Output
	w.Color = o.Color
	if err := w.Complete(nil); err != nil {
		return nil, err
	}
	return w, w.Validate()
}
