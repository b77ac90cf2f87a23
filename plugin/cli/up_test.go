package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
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
		{"negative delay", func(o *UpOptions) { o.DBDelay = -time.Second }, "--db-delay must not be negative, got -1s"},
		{"negative timeout", func(o *UpOptions) { o.Timeout = -time.Minute }, "--timeout must not be negative, got -1m0s"},
		{"dry run", func(o *UpOptions) { o.DryRun = "yes" }, `unknown --dry-run "yes" (want none, client or server)`},
		{"output", func(o *UpOptions) { o.Output = "yaml" }, `unknown output format "yaml" (want json or leave it empty)`},
		{"color", func(o *UpOptions) { o.Color = "red" }, `unknown --color "red" (want auto, always or never)`},
		{"image", func(o *UpOptions) { o.Image = "Bad Image" }, `--image: invalid image reference "Bad Image"`},
		{"postgres image", func(o *UpOptions) { o.PostgresImage = "pg:" }, `--postgres-image: invalid image reference "pg:": bad tag`},
		{"namespace", func(o *UpOptions) { o.Namespace = "" }, "no namespace: pass -n NAMESPACE"},
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
	if err := o.Complete(); err != nil {
		t.Fatal(err)
	}
	if o.Namespace != "from-flag" {
		t.Errorf("namespace %q", o.Namespace)
	}
}

func TestUpDryRunClientPrintsStackWithoutPasswordOrCluster(t *testing.T) {
	tests := []struct {
		variant, db string
		want        []string
	}{
		{"init", "now", []string{"Namespace/demo", "ConfigMap/app-config", "Secret/database-secret-config", "Service/postgres", "Service/webapp", "Deployment/postgres", "Deployment/webapp"}},
		{"both", "later", []string{"Namespace/demo", "ConfigMap/app-config", "Secret/database-secret-config", "Service/postgres", "Service/webapp", "Deployment/postgres", "Deployment/webapp", "Deployment/webapp-naive"}},
		{"naive", "none", []string{"Namespace/demo", "ConfigMap/app-config", "Secret/database-secret-config", "Service/webapp", "Deployment/webapp-naive"}},
	}
	for _, tt := range tests {
		t.Run(tt.variant+"/"+tt.db, func(t *testing.T) {
			streams, _, out, _ := genericiooptions.NewTestIOStreams()
			o := validUp()
			o.IOStreams = streams
			o.Variant, o.DB, o.DryRun = tt.variant, tt.db, "client"
			o.newClient = func() (*stack.Client, error) { return nil, errors.New("dry-run=client must not connect") }
			if err := o.Validate(); err != nil {
				t.Fatal(err)
			}
			if err := o.Run(context.Background()); err != nil {
				t.Fatal(err)
			}
			dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(out.Bytes()), 4096)
			var got []string
			for {
				var m struct {
					Kind     string
					Metadata struct{ Name, Namespace string }
					Data     map[string]string
				}
				if err := dec.Decode(&m); err != nil {
					break
				}
				got = append(got, m.Kind+"/"+m.Metadata.Name)
				if m.Kind == "Secret" {
					if _, ok := m.Data["password"]; ok || m.Data["dbname"] == "" {
						t.Errorf("secret data keys printed: %v", m.Data)
					}
				}
				if m.Kind != "Namespace" && m.Metadata.Namespace != "demo" {
					t.Errorf("%s/%s in namespace %q", m.Kind, m.Metadata.Name, m.Metadata.Namespace)
				}
			}
			if strings.Join(got, " ") != strings.Join(tt.want, " ") {
				t.Errorf("printed %v\nwant    %v", got, tt.want)
			}
		})
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

func TestWatchWhile(t *testing.T) {
	boom := errors.New("boom")
	// delayedDB waits for the delay (an hour here), an early Ready or the end.
	delayedDB := func(fail error) func(context.Context, <-chan struct{}, *bool) error {
		return func(ctx context.Context, skip <-chan struct{}, applied *bool) error {
			select {
			case <-skip:
			case <-time.After(time.Hour):
			case <-ctx.Done():
				return fmt.Errorf("stopped: %w", ctx.Err())
			}
			*applied = true
			return fail
		}
	}
	failingDB := func(context.Context, <-chan struct{}, *bool) error { return boom }
	ready := func(context.Context) error { return nil }
	tests := []struct {
		name        string
		watch       func(context.Context) error
		db          func(context.Context, <-chan struct{}, *bool) error
		want        error
		wantApplied bool
	}{
		{"ready first: the database is applied at once", ready, delayedDB(nil), nil, true},
		{"watch fails: the database waits no more", func(context.Context) error { return boom }, delayedDB(nil), boom, false},
		{"database apply fails after Ready", ready, delayedDB(boom), boom, true},
		{"database apply fails during the watch, which it ends", func(ctx context.Context) error {
			<-ctx.Done()
			return ctx.Err()
		}, failingDB, boom, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			applied := false
			db := func(ctx context.Context, skip <-chan struct{}) error { return tt.db(ctx, skip, &applied) }
			done := make(chan error, 1)
			go func() { done <- watchWhile(context.Background(), tt.watch, db) }()
			select {
			case err := <-done:
				if !errors.Is(err, tt.want) {
					t.Errorf("watchWhile = %v, want %v", err, tt.want)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("watchWhile hung")
			}
			if applied != tt.wantApplied {
				t.Errorf("database applied = %v, want %v", applied, tt.wantApplied)
			}
		})
	}
}
