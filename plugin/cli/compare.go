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

	"github.com/kubectl-initwait/kubectl-initwait/plugin/buildinfo"
	"github.com/kubectl-initwait/kubectl-initwait/plugin/demo"
	"github.com/kubectl-initwait/kubectl-initwait/plugin/stack"
	"github.com/kubectl-initwait/kubectl-initwait/plugin/stream"
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
	// HTML is a file to write the run's chart to (see report.go).
	HTML string

	// created, variants, newClient and clients are set by Complete and
	// Validate; tests may set newClient and clients instead.
	created   bool
	variants  []stack.Variant
	newClient func() (*stack.Client, error)
	clients   stream.Clients
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
		RunE: func(cmd *cobra.Command, args []string) error {
			return runWith(cmd, func() error { return o.Complete(args) }, o)
		},
	}
	f := cmd.Flags()
	f.StringSliceVar(&o.Variants, "variants", o.Variants, "Webapp variants to compare: init, naive, waitdb")
	f.DurationVar(&o.DBDelay, "db-delay", o.DBDelay, "How long after the webapps the database is applied")
	f.DurationVar(&o.Timeout, "timeout", o.Timeout, "Give up (exit 1, with the partial table) after this long")
	f.BoolVar(&o.Keep, "keep", false, "Keep what was deployed (and a namespace made for the run)")
	f.StringVarP(&o.Output, "output", "o", "", "Output format: text or json (JSON lines, the report last)")
	f.StringVar(&o.Color, "color", o.Color, "Colour the text output: auto, always or never")
	f.StringVar(&o.Image, "image", stack.DefaultImageFor(buildinfo.Get()), "Shortener image (a release's own tag; in a development build the manifests' tag, which make images builds)")
	f.StringVar(&o.PostgresImage, "postgres-image", "", "PostgreSQL image (default "+stack.DefaultPostgresImage+")")
	f.StringVar(&o.HTML, "html", "", "Also write the run's timeline chart and table as one self-contained HTML file")
	return cmd
}

// Complete picks the namespace (the one given with -n, else a new one)
// and sets up the clients; compare takes no arguments.
func (o *CompareOptions) Complete(_ []string) error {
	if o.Namespace == "" && o.ConfigFlags.Namespace != nil && *o.ConfigFlags.Namespace != "" {
		ns, err := namespaceOf(o.ConfigFlags)
		if err != nil {
			return err
		}
		o.Namespace = ns
	}
	if o.Namespace == "" {
		o.Namespace, o.created = "initwait-compare-"+rand.String(5), true
	}
	if o.newClient == nil {
		o.newClient = connectStack(o.ConfigFlags)
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
	if err := checkDuration("--db-delay", o.DBDelay, false); err != nil {
		return err
	}
	if err := checkDuration("--timeout", o.Timeout, true); err != nil {
		return err
	}
	if err := checkImages(o.Image, o.PostgresImage); err != nil {
		return err
	}
	if err := checkOutput(o.Output); err != nil {
		return err
	}
	if err := checkFileFlag("--html", o.HTML); err != nil {
		return err
	}
	return checkColor(o.Color)
}

// Run compares the variants with demo.Compare.
func (o *CompareOptions) Run(ctx context.Context) error {
	client, err := o.newClient()
	if err != nil {
		return err
	}
	progress := o.Out // the apply lines go to stderr when stdout carries JSON lines
	if o.Output == "json" {
		progress = o.ErrOut
	}
	sink := newSink(o.Output, o.Color, o.Out, nil)
	res, err := demo.Compare(ctx, demo.Clients{Stack: client, Stream: o.clients}, demo.CompareConfig{
		Stack:   stack.RenderOptions{Namespace: o.Namespace, Variants: o.variants, Image: o.Image, PostgresImage: o.PostgresImage},
		Created: o.created, DBDelay: o.DBDelay, Timeout: o.Timeout, Keep: o.Keep,
		Timeline: sink,
		Report:   o.Out, Progress: progress, Notes: o.ErrOut, JSON: o.Output == "json",
		BeforeText:    func(res demo.CompareResult) error { return drawBars(sink, res) },
		DetectCluster: detectCluster(o.ConfigFlags, o.clients.Kube),
	})
	return errors.Join(err, o.drawChart(res))
}

func init() { extraCommands = append(extraCommands, NewCompareCmd) }
