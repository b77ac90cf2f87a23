package cli

import (
	"strings"
	"testing"

	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/target/targettest"
)

// TestTargetSpellingsThroughTheCommands runs watch and diagnose as the
// shell does, against a server that serves a real v1.34 cluster's
// discovery and nothing else: every TYPE spelling goes through the flags'
// own RESTMapper; a TYPE that resolves gets as far as reading the object
// (not found here), one that does not is refused, in the same words for
// both commands.
func TestTargetSpellingsThroughTheCommands(t *testing.T) {
	const kinds = "use a kind that runs pods: deployment, statefulset, daemonset, replicaset, job or pod"
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"webapp"}, `deployment "webapp" not found in namespace "demo"`},
		{[]string{"deploy/webapp"}, `deployment "webapp" not found in namespace "demo"`},
		{[]string{"deployments.v1.apps/webapp"}, `deployment "webapp" not found in namespace "demo"`},
		{[]string{"deployment.apps", "webapp"}, `deployment "webapp" not found in namespace "demo"`},
		{[]string{"deployment", "webapp"}, `deployment "webapp" not found in namespace "demo"`},
		{[]string{"sts", "db"}, `statefulset "db" not found in namespace "demo"`},
		{[]string{"rs/web-5d8"}, `replicaset "web-5d8" not found in namespace "demo"`},
		{[]string{"ds/agent"}, `daemonset "agent" not found in namespace "demo"`},
		{[]string{"job", "migrate"}, `job "migrate" not found in namespace "demo"`},
		{[]string{"po/web-1"}, `pod "web-1" not found in namespace "demo"`},
		{[]string{"svc/webapp"}, `unsupported target type "svc" (Service): ` + kinds},
		{[]string{"cm", "cfg"}, `unsupported target type "cm" (ConfigMap): ` + kinds},
		{[]string{"foo/x"}, `unsupported target type "foo" (the cluster has no such resource type): ` + kinds},
		{[]string{"pod.batch/x"}, `unsupported target type "pod.batch" (the cluster has no such resource type): ` + kinds},
		{[]string{"deploy/"}, `invalid target "deploy/": use NAME (a Deployment), TYPE/NAME, TYPE NAME or -l SELECTOR`},
		{[]string{"a/b/c"}, `invalid target "a/b/c"`},
		{[]string{"deploy/x", "y"}, `invalid target "deploy/x y"`},
		{[]string{"deployment", "webapp", "-l", "app=x"}, "give a target or -l SELECTOR, not both"},
		{[]string{"deployment", "webapp", "extra"}, "accepts at most 2 arg(s), received 3"},
		{nil, "give a target: NAME (a Deployment), TYPE/NAME, TYPE NAME or -l SELECTOR"},
	}
	for _, command := range []string{"watch", "diagnose"} {
		for _, tt := range tests {
			if command == "diagnose" && tt.args == nil {
				continue // diagnose with no target scans the namespace (diagnose_scan_test.go)
			}
			t.Run(command+" "+strings.Join(tt.args, " "), func(t *testing.T) {
				streams, _, out, errOut := genericiooptions.NewTestIOStreams()
				root := NewRootCmd(streams)
				args := append([]string{command, "--server", targettest.URL(), "--kubeconfig", "/dev/null",
					"--cache-dir", t.TempDir(), "-n", "demo"}, tt.args...)
				root.SetArgs(args)
				if err := Execute(root, streams); err == nil {
					t.Fatalf("%q succeeded", args)
				}
				if got, want := errOut.String(), "error: "+tt.want; !strings.HasPrefix(got, want) || strings.Count(got, "\n") != 1 {
					t.Errorf("stderr = %q; want one line starting %q", got, want)
				}
				if out.Len() != 0 {
					t.Errorf("stdout = %q; want nothing", out.String())
				}
			})
		}
	}
}

func TestSetTargetArgs(t *testing.T) {
	first, second := "preset", "name"
	if err := setTargetArgs(nil, &first, &second); err != nil || first != "preset" || second != "name" {
		t.Errorf("no args: %q %q %v; want the preset kept", first, second, err)
	}
	if err := setTargetArgs([]string{"deploy/web"}, &first, &second); err != nil || first != "deploy/web" || second != "" {
		t.Errorf("one arg: %q %q %v", first, second, err)
	}
	if err := setTargetArgs([]string{"deploy", "web"}, &first, &second); err != nil || first != "deploy" || second != "web" {
		t.Errorf("two args: %q %q %v", first, second, err)
	}
	if err := setTargetArgs([]string{"a", "b", "c"}, &first, &second); err == nil {
		t.Error("three args accepted")
	}
	for _, tc := range []struct {
		first, second string
		want          []string
	}{{"", "", nil}, {"web", "", []string{"web"}}, {"deploy", "web", []string{"deploy", "web"}}, {"", "web", []string{"", "web"}}} {
		if got := targetArgs(tc.first, tc.second); strings.Join(got, "|") != strings.Join(tc.want, "|") || len(got) != len(tc.want) {
			t.Errorf("targetArgs(%q, %q) = %q; want %q", tc.first, tc.second, got, tc.want)
		}
	}
}
