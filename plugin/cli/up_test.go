package cli

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/stack"
)

func validUp() *UpOptions {
	o := NewUpOptions(genericclioptions.NewConfigFlags(false), genericiooptions.NewTestIOStreamsDiscard())
	o.Namespace = "demo"
	o.Image, o.PostgresImage = stack.DefaultImage, stack.DefaultPostgresImage
	return o
}

func TestUpValidate(t *testing.T) {
	tests := []struct {
		name string
		mod  func(*UpOptions)
		want string // "" = valid
	}{
		{"defaults", func(*UpOptions) {}, ""},
		{"both later", func(o *UpOptions) { o.Variant, o.DB, o.DBDelay = "both", "later", 0 }, ""},
		{"naive none server json", func(o *UpOptions) { o.Variant, o.DB, o.DryRun, o.Output = "naive", "none", "server", "json" }, ""},
		{"unknown variant", func(o *UpOptions) { o.Variant = "waitdb" }, `unknown --variant "waitdb" (want init, naive or both)`},
		{"unknown db", func(o *UpOptions) { o.DB = "soon" }, `unknown --db "soon" (want now, later or none)`},
		{"negative delay", func(o *UpOptions) { o.DBDelay = -time.Second }, "--db-delay must not be negative (got -1s)"},
		{"negative timeout", func(o *UpOptions) { o.Timeout = -time.Minute }, "--timeout must not be negative (got -1m0s)"},
		{"dry run", func(o *UpOptions) { o.DryRun = "yes" }, `unknown --dry-run "yes" (want none, client or server)`},
		{"output text", func(o *UpOptions) { o.Output = "text" }, ""},
		{"output", func(o *UpOptions) { o.Output = "yaml" }, `--output must be one of: text, json (got "yaml")`},
		{"color", func(o *UpOptions) { o.Color = "red" }, `--color must be one of: auto, always, never (got "red")`},
		{"image", func(o *UpOptions) { o.Image = "Bad Image" }, `--image: invalid image reference "Bad Image"`},
		{"postgres image", func(o *UpOptions) { o.PostgresImage = "pg:" }, `--postgres-image: invalid image reference "pg:": pg: must specify a tag name after the colon`},
		{"namespace", func(o *UpOptions) { o.Namespace = "" }, "no namespace: pass -n NAMESPACE"},
		{"delay as long as the timeout", func(o *UpOptions) { o.DB, o.DBDelay, o.Timeout = "later", time.Minute, time.Minute },
			"--db-delay 1m0s must be shorter than --timeout 1m0s: the webapp cannot get Ready before the database is applied"},
		{"delay longer than the timeout", func(o *UpOptions) { o.DB, o.DBDelay, o.Timeout = "later", 30*time.Second, 10*time.Second },
			"--db-delay 30s must be shorter than --timeout 10s"},
		{"delay, no time limit", func(o *UpOptions) { o.DB, o.DBDelay, o.Timeout = "later", time.Hour, 0 }, ""},
		{"delay, no watch", func(o *UpOptions) { o.DB, o.DBDelay, o.Timeout, o.NoWatch = "later", time.Hour, time.Minute, true }, ""},
		{"delay, server dry run", func(o *UpOptions) { o.DB, o.DBDelay, o.Timeout, o.DryRun = "later", time.Hour, time.Minute, "server" }, ""},
		{"delay with --db now is unused", func(o *UpOptions) { o.DBDelay, o.Timeout = time.Hour, time.Minute }, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := validUp()
			tt.mod(o)
			err := o.Validate()
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("Validate = %v, want one line starting %q", err, tt.want)
			}
		})
	}
}

func TestUpCompleteTakesNamespaceFlag(t *testing.T) {
	flags := genericclioptions.NewConfigFlags(false)
	ns := "from-flag"
	flags.Namespace = &ns
	empty := ""
	flags.KubeConfig = &empty
	o := NewUpOptions(flags, genericiooptions.NewTestIOStreamsDiscard())
	if err := o.Complete(nil); err != nil {
		t.Fatal(err)
	}
	if o.Namespace != "from-flag" {
		t.Errorf("namespace %q", o.Namespace)
	}
}

func TestUpCommandRejectsArgsAndBadFlags(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"up", "extra"}, `unknown command "extra"`},
		{[]string{"up", "--db-delay", "soon"}, `invalid argument "soon" for "--db-delay"`},
		{[]string{"up", "--variant", "x", "-n", "demo"}, `unknown --variant "x"`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			streams, _, _, errOut := genericiooptions.NewTestIOStreams()
			root := NewRootCmd(streams)
			root.SetArgs(tt.args)
			err := Execute(root, streams)
			if err == nil || !strings.Contains(errOut.String(), "error: ") || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, stderr %q; want %q", err, errOut, tt.want)
			}
		})
	}
}

// TestUpDownUnreachableCluster runs the commands against a closed loopback
// port: one error line naming the server, nothing else on stderr.
func TestUpDownUnreachableCluster(t *testing.T) {
	for _, args := range [][]string{
		{"up", "-n", "demo", "--no-watch"},
		{"up", "-n", "demo", "--dry-run=server"},
		{"down", "-n", "demo"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			streams, _, out, errOut := genericiooptions.NewTestIOStreams()
			root := NewRootCmd(streams)
			root.SetArgs(append(args, "--server", "https://127.0.0.1:1", "--kubeconfig", "/dev/null"))
			if err := Execute(root, streams); err == nil {
				t.Fatal("no error")
			}
			want := "error: cannot reach the cluster at https://127.0.0.1:1: connect: connection refused\n"
			if errOut.String() != want || out.Len() != 0 {
				t.Errorf("stderr %q stdout %q, want stderr %q", errOut, out, want)
			}
		})
	}
}

// TestUpDryRunClientContactsNothing: --dry-run=client prints the stack
// without connecting to the cluster.
func TestUpDryRunClientContactsNothing(t *testing.T) {
	streams, _, out, _ := genericiooptions.NewTestIOStreams()
	o := validUp()
	o.IOStreams, o.DryRun = streams, "client"
	o.newClient = func() (*stack.Client, error) { return nil, errors.New("dry-run=client must not connect") }
	if err := o.Validate(); err != nil {
		t.Fatal(err)
	}
	if err := o.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "kind: Deployment") {
		t.Errorf("no stack printed:\n%s", out)
	}
}
