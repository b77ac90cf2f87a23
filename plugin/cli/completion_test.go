package cli

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	metadatafake "k8s.io/client-go/metadata/fake"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/target/targettest"
)

func partialMeta(apiVersion, kind, ns, name string) *metav1.PartialObjectMetadata {
	return &metav1.PartialObjectMetadata{
		TypeMeta:   metav1.TypeMeta{APIVersion: apiVersion, Kind: kind},
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
	}
}

// fakeCluster is a metadata fake client holding objects in two namespaces.
func fakeCluster(t *testing.T) *metadatafake.FakeMetadataClient {
	t.Helper()
	scheme := metadatafake.NewTestScheme()
	if err := metav1.AddMetaToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	return metadatafake.NewSimpleMetadataClient(scheme, []runtime.Object{
		partialMeta("v1", "Namespace", "", "demo"),
		partialMeta("v1", "Namespace", "", "other"),
		partialMeta("apps/v1", "Deployment", "demo", "webapp"),
		partialMeta("apps/v1", "Deployment", "other", "elsewhere"),
		partialMeta("v1", "Pod", "demo", "webapp-5d8-abcde"),
		partialMeta("apps/v1", "StatefulSet", "demo", "postgres"),
		partialMeta("batch/v1", "Job", "demo", "migrate"),
		partialMeta("apps/v1", "ReplicaSet", "demo", "webapp-5d8"),
		partialMeta("apps/v1", "DaemonSet", "demo", "agent"),
		partialMeta("v1", "Service", "demo", "webapp"),
	}...)
}

// kubeconfig writes a kubeconfig with two contexts; ctx-a's namespace is demo.
func kubeconfig(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "kubeconfig")
	cfg := `apiVersion: v1
kind: Config
clusters:
- {name: c1, cluster: {server: "https://127.0.0.1:1"}}
users:
- {name: u1, user: {token: x}}
contexts:
- {name: ctx-a, context: {cluster: c1, user: u1, namespace: demo}}
- {name: ctx-b, context: {cluster: c1, user: u1, namespace: other}}
current-context: ctx-a
`
	if err := os.WriteFile(p, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// testRoot builds a root like NewRootCmd's, with a watch command whose
// completion lists from lister in the namespace the flags select.
func testRoot(t *testing.T, lister nameLister, factoryErr error) *cobra.Command {
	t.Helper()
	flags := genericclioptions.NewConfigFlags(true)
	newLister := func() (completionCluster, error) {
		if factoryErr != nil {
			return completionCluster{}, factoryErr
		}
		ns, _, err := flags.ToRawKubeConfigLoader().Namespace()
		return completionCluster{names: lister, mapper: targettest.Mapper(), namespace: ns}, err
	}
	root := &cobra.Command{Use: "kubectl-initwait", SilenceErrors: true, SilenceUsage: true}
	flags.AddFlags(root.PersistentFlags())
	watch := &cobra.Command{Use: "watch", RunE: func(*cobra.Command, []string) error { return nil },
		ValidArgsFunction: targetCompletion(newLister)}
	watch.Flags().StringP("selector", "l", "", "")
	root.AddCommand(watch)
	if err := registerFlagCompletions(root, flags, newLister); err != nil {
		t.Fatal(err)
	}
	return root
}

// complete runs `kubectl-initwait __complete args...` and returns the
// completions and the directive line.
func complete(t *testing.T, root *cobra.Command, args ...string) ([]string, string) {
	t.Helper()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&bytes.Buffer{})
	root.SetArgs(append([]string{cobra.ShellCompRequestCmd}, args...))
	if err := root.Execute(); err != nil {
		t.Fatalf("__complete %q: %v", args, err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	return lines[:len(lines)-1], lines[len(lines)-1]
}

func TestCompletionThroughCobra(t *testing.T) {
	kc := kubeconfig(t)
	lister := metadataLister{fakeCluster(t)}
	for _, tc := range []struct {
		name string
		args []string
		want []string
	}{
		{"targets in the context's namespace", []string{"--kubeconfig", kc, "watch", ""},
			[]string{"webapp", "deployment/webapp", "pod/webapp-5d8-abcde", "statefulset/postgres", "job/migrate"}},
		{"-n picks the namespace", []string{"--kubeconfig", kc, "-n", "other", "watch", ""},
			[]string{"elsewhere", "deployment/elsewhere"}},
		{"--context picks the namespace", []string{"--kubeconfig", kc, "--context", "ctx-b", "watch", ""},
			[]string{"elsewhere", "deployment/elsewhere"}},
		{"prefix", []string{"--kubeconfig", kc, "watch", "w"}, []string{"webapp"}},
		{"prefix of KIND/", []string{"--kubeconfig", kc, "watch", "po"}, []string{"pod/webapp-5d8-abcde"}},
		{"TYPE/ prefix", []string{"--kubeconfig", kc, "watch", "sts/"}, []string{"sts/postgres"}},
		{"TYPE/NAME prefix", []string{"--kubeconfig", kc, "watch", "pod/w"}, []string{"pod/webapp-5d8-abcde"}},
		{"po/", []string{"--kubeconfig", kc, "watch", "po/"}, []string{"po/webapp-5d8-abcde"}},
		{"deploy/", []string{"--kubeconfig", kc, "watch", "deploy/"}, []string{"deploy/webapp"}},
		{"Kind.group/", []string{"--kubeconfig", kc, "watch", "Deployment.apps/w"}, []string{"Deployment.apps/webapp"}},
		{"resource.version.group/", []string{"--kubeconfig", kc, "watch", "deployments.v1.apps/"}, []string{"deployments.v1.apps/webapp"}},
		{"jobs/", []string{"--kubeconfig", kc, "watch", "jobs/m"}, []string{"jobs/migrate"}},
		{"rs/ (not offered first)", []string{"--kubeconfig", kc, "watch", "rs/"}, []string{"rs/webapp-5d8"}},
		{"ds/", []string{"--kubeconfig", kc, "watch", "ds/"}, []string{"ds/agent"}},
		{"not a target kind", []string{"--kubeconfig", kc, "watch", "svc/"}, nil},
		{"unknown type", []string{"--kubeconfig", kc, "watch", "foo/"}, nil},
		{"TYPE NAME", []string{"--kubeconfig", kc, "watch", "deployment", ""}, []string{"webapp"}},
		{"TYPE NAME short", []string{"--kubeconfig", kc, "watch", "sts", "p"}, []string{"postgres"}},
		{"TYPE NAME pods", []string{"--kubeconfig", kc, "watch", "po", ""}, []string{"webapp-5d8-abcde"}},
		{"TYPE NAME not a target kind", []string{"--kubeconfig", kc, "watch", "svc", ""}, nil},
		{"after a NAME", []string{"--kubeconfig", kc, "watch", "webapp", ""}, nil},
		{"after TYPE/NAME", []string{"--kubeconfig", kc, "watch", "deploy/webapp", ""}, nil},
		{"after TYPE NAME", []string{"--kubeconfig", kc, "watch", "deploy", "webapp", ""}, nil},
		{"none with -l", []string{"--kubeconfig", kc, "watch", "-l", "app=x", ""}, nil},
		{"namespaces", []string{"--kubeconfig", kc, "watch", "-n", ""}, []string{"demo", "other"}},
		{"namespaces with prefix", []string{"--kubeconfig", kc, "watch", "--namespace", "o"}, []string{"other"}},
		{"contexts", []string{"--kubeconfig", kc, "watch", "--context", ""}, []string{"ctx-a", "ctx-b"}},
		{"clusters", []string{"--kubeconfig", kc, "--cluster", ""}, []string{"c1"}},
		{"users", []string{"--kubeconfig", kc, "--user", "u"}, []string{"u1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, directive := complete(t, testRoot(t, lister, nil), tc.args...)
			if !reflect.DeepEqual(got, tc.want) && !(len(got) == 0 && len(tc.want) == 0) {
				t.Errorf("completions = %q; want %q", got, tc.want)
			}
			if directive != ":4" { // ShellCompDirectiveNoFileComp
				t.Errorf("directive = %s; want :4 (no file completion)", directive)
			}
		})
	}
}

// failingLister fails every request, or blocks until the request times out.
type failingLister struct{ block bool }

func (l failingLister) Names(ctx context.Context, _ schema.GroupVersionResource, _ string) ([]string, error) {
	if l.block {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	return nil, errors.New("forbidden")
}

func TestCompletionWhenClusterFails(t *testing.T) {
	kc := kubeconfig(t)
	for _, tc := range []struct {
		name       string
		lister     nameLister
		factoryErr error
		args       []string
	}{
		{"no kubeconfig", nil, errors.New("no configuration"), []string{"watch", ""}},
		{"requests fail", failingLister{}, nil, []string{"--kubeconfig", kc, "watch", ""}},
		{"namespaces fail", failingLister{}, nil, []string{"--kubeconfig", kc, "-n", ""}},
		{"cluster hangs", failingLister{block: true}, nil, []string{"--kubeconfig", kc, "watch", ""}},
		{"bad kubeconfig", failingLister{}, nil, []string{"--kubeconfig", kc + ".missing", "--context", ""}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			got, directive := complete(t, testRoot(t, tc.lister, tc.factoryErr), tc.args...)
			if len(got) != 0 || directive != ":4" {
				t.Errorf("got %q %s; want no completions and :4", got, directive)
			}
			if took := time.Since(start); took > completionTimeout+2*time.Second {
				t.Errorf("took %v; want at most about %v", took, completionTimeout)
			}
		})
	}
}

func TestRegisterFlagCompletions(t *testing.T) {
	flags := genericclioptions.NewConfigFlags(true)
	cmd := &cobra.Command{Use: "x"}
	flags.AddFlags(cmd.PersistentFlags())
	if err := RegisterFlagCompletions(cmd, flags); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"namespace", "context", "cluster", "user"} {
		if _, ok := cmd.GetFlagCompletionFunc(name); !ok {
			t.Errorf("--%s has no completion", name)
		}
	}
	if err := RegisterFlagCompletions(&cobra.Command{Use: "bare"}, flags); err == nil {
		t.Error("RegisterFlagCompletions on a command without the kubeconfig flags: want an error")
	}
}
