package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/buildinfo"
	"github.com/kubectl-initwait/kubectl-initwait/plugin/demo"
	"github.com/kubectl-initwait/kubectl-initwait/plugin/render"
	"github.com/kubectl-initwait/kubectl-initwait/plugin/stack"
	"github.com/kubectl-initwait/kubectl-initwait/plugin/stream"
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

	// newClient connects the stack's client, streamClients are the
	// timeline's; Complete sets them, tests may set them instead.
	newClient     func() (*stack.Client, error)
	streamClients stream.Clients
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
they are: run 'kubectl initwait down' first to start afresh.

A container of the stack that can never start by itself (its image cannot be
pulled past the kubelet's second try, or parsed; a Secret or ConfigMap key it
needs is missing) ends up at once with exit 1 and one line naming the pod,
container, image and the kubelet's reason, and what to do (--image REF, or
the command that loads the image into this kind, k3d or minikube cluster).
The stack is left in place for inspection.

The shortener image defaults to ghcr.io/kubectl-initwait/shortener:<version>,
the plugin's own version, published for linux/amd64 and linux/arm64 with each
release. A development build (its 'version' is dev, v0.0.0-..., past a tag or
dirty) uses ` + stack.DefaultImage + ` instead, the tag
in manifests/, which 'make images' builds from the checkout into the local
cluster's registry; on another cluster, load that image or pass --image.`,
		Example: `  kubectl initwait up -n initwait-demo
  kubectl initwait up --variant both --db later --db-delay 20s -n initwait-demo
  # print the stack instead; the comments at its top say how to create the Secret first
  kubectl initwait up --dry-run=client -n initwait-demo > stack.yaml`,
		Args:              cobra.NoArgs,
		ValidArgsFunction: cobra.NoFileCompletions,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runWith(cmd, func() error { return o.Complete(nil) }, o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Variant, "variant", o.Variant, "Webapp to deploy: init (with init container), naive (without) or both")
	f.StringVar(&o.DB, "db", o.DB, "When to deploy the database: now, later (after --db-delay) or none")
	f.DurationVar(&o.DBDelay, "db-delay", o.DBDelay, "Delay before the database is applied with --db later")
	f.StringVar(&o.Image, "image", stack.DefaultImageFor(buildinfo.Get()), "Shortener image (a release's own tag; in a development build the manifests' tag, which make images builds)")
	f.StringVar(&o.PostgresImage, "postgres-image", stack.DefaultPostgresImage, "PostgreSQL image (database and check-db-ready)")
	f.StringVar(&o.DryRun, "dry-run", "none", "none, client (print the YAML, contact nothing) or server (validate, persist nothing)")
	f.BoolVar(&o.NoWatch, "no-watch", false, "Return after applying instead of streaming the timeline")
	f.DurationVar(&o.Timeout, "timeout", o.Timeout, "Give up when the webapp pods are not all Ready by then (0: no limit)")
	f.StringVarP(&o.Output, "output", "o", "", "Timeline format: text or json")
	f.StringVar(&o.Color, "color", o.Color, "Colour the timeline: auto, always or never")
	f.BoolVar(&o.ForceConflicts, "force-conflicts", false, "Take over fields another field manager owns")
	return cmd
}

// Complete reads the namespace from the kubectl flags and kubeconfig and
// sets up the clients; up takes no arguments.
func (o *UpOptions) Complete(_ []string) error {
	ns, err := namespaceOf(o.ConfigFlags)
	if err != nil {
		return err
	}
	o.Namespace = ns
	if o.newClient == nil {
		o.newClient = connectStack(o.ConfigFlags)
	}
	if o.watches() && o.streamClients.Kube == nil {
		o.streamClients, err = newStreamClients(o.ConfigFlags, o.Namespace)
	}
	return err
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
	if err := checkDuration("--db-delay", o.DBDelay, false); err != nil {
		return err
	}
	if err := checkDuration("--timeout", o.Timeout, false); err != nil {
		return err
	}
	if o.DB == "later" && o.watches() && o.Timeout > 0 && o.DBDelay >= o.Timeout {
		return fmt.Errorf("--db-delay %s must be shorter than --timeout %s: the webapp cannot get Ready before the database is applied", o.DBDelay, o.Timeout)
	}
	switch o.DryRun {
	case "", "none", "client", "server":
	default:
		return fmt.Errorf("unknown --dry-run %q (want none, client or server)", o.DryRun)
	}
	if err := checkOutput(o.Output); err != nil {
		return err
	}
	if err := checkColor(o.Color); err != nil {
		return err
	}
	if err := checkImages(o.Image, o.PostgresImage); err != nil {
		return err
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

// config is what the flags ask demo.Up for.
func (o *UpOptions) config() demo.UpConfig {
	variants, _ := o.variants() // Validate reports a bad --variant
	progress := o.Out           // the apply lines go to stderr when stdout carries JSON lines
	if o.Output == "json" {
		progress = o.ErrOut
	}
	return demo.UpConfig{
		Stack: stack.RenderOptions{Namespace: o.Namespace, Variants: variants, Image: o.Image, PostgresImage: o.PostgresImage},
		DB:    demo.DB(o.DB), DBDelay: o.DBDelay, DryRun: o.DryRun == "server", Force: o.ForceConflicts,
		NoWatch: o.NoWatch, Timeout: o.Timeout, Progress: progress, Warnings: o.ErrOut,
	}
}

// watches reports whether up streams the timeline after applying.
func (o *UpOptions) watches() bool {
	return o.DryRun != "client" && o.config().Watches()
}

// Run prints the stack with --dry-run=client, contacting nothing; else it
// applies it and streams the timeline with demo.Up.
func (o *UpOptions) Run(ctx context.Context) error {
	cfg := o.config()
	if o.DryRun == "client" {
		return demo.PrintStack(o.Out, cfg)
	}
	client, err := o.newClient()
	if err != nil {
		return err
	}
	if o.watches() {
		sink := newSink(o.Output, o.Color, o.Out, nil)
		if j, ok := sink.(*render.JSON); ok {
			j.Namespace = o.Namespace
		}
		cfg.Timeline = sink
		cfg.DetectCluster = detectCluster(o.ConfigFlags, o.streamClients.Kube)
	}
	return demo.Up(ctx, demo.Clients{Stack: client, Stream: o.streamClients}, cfg)
}
