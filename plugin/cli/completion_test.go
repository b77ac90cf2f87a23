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
)

func TestTargetCandidates(t *testing.T) {
	names := map[string][]string{
		"deployment":  {"web", "postgres"},
		"pod":         {"web-7c9-x2", "postgres-0"},
		"statefulset": {"db"},
		"job":         {"migrate"},
	}
	for _, tc := range []struct {
		toComplete string
		want       []string
	}{
		{"", []string{"postgres", "web", "deployment/postgres", "deployment/web", "pod/postgres-0", "pod/web-7c9-x2",
			"statefulset/db", "job/migrate"}},
		{"w", []string{"web"}},
		{"po", []string{"postgres", "pod/postgres-0", "pod/web-7c9-x2"}},
		{"pod/w", []string{"pod/web-7c9-x2"}},
		{"po/", []string{"po/postgres-0", "po/web-7c9-x2"}},
		{"deploy/", []string{"deploy/postgres", "deploy/web"}},
		{"Deployment.apps/w", []string{"Deployment.apps/web"}},
		{"sts/", []string{"sts/db"}},
		{"jobs/m", []string{"jobs/migrate"}},
		{"rs/", nil}, // not listed in names: nothing
		{"service/", nil},
		{"nomatch", nil},
	} {
		t.Run(tc.toComplete, func(t *testing.T) {
			got := targetCandidates(names, tc.toComplete)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("targetCandidates(%q) = %q; want %q", tc.toComplete, got, tc.want)
			}
		})
	}
}

func TestKindsToList(t *testing.T) {
	for _, tc := range []struct {
		toComplete string
		want       []string
	}{
		{"", []string{"deployments", "pods", "statefulsets", "jobs"}},
		{"web", []string{"deployments", "pods", "statefulsets", "jobs"}},
		{"ds/", []string{"daemonsets"}},
		{"replicaset/x", []string{"replicasets"}},
		{"svc/", nil},
	} {
		var got []string
		for _, k := range kindsToList(tc.toComplete) {
			got = append(got, k.gvr.Resource)
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("kindsToList(%q) lists %q; want %q", tc.toComplete, got, tc.want)
		}
	}
}

func meta(apiVersion, kind, ns, name string) *metav1.PartialObjectMetadata {
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
		meta("v1", "Namespace", "", "demo"),
		meta("v1", "Namespace", "", "other"),
		meta("apps/v1", "Deployment", "demo", "webapp"),
		meta("apps/v1", "Deployment", "other", "elsewhere"),
		meta("v1", "Pod", "demo", "webapp-5d8-abcde"),
		meta("apps/v1", "StatefulSet", "demo", "postgres"),
		meta("batch/v1", "Job", "demo", "migrate"),
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
	newLister := func() (nameLister, string, error) {
		if factoryErr != nil {
			return nil, "", factoryErr
		}
		ns, _, err := flags.ToRawKubeConfigLoader().Namespace()
		return lister, ns, err
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
		{"TYPE/ prefix", []string{"--kubeconfig", kc, "watch", "sts/"}, []string{"sts/postgres"}},
		{"one target only", []string{"--kubeconfig", kc, "watch", "webapp", ""}, nil},
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
