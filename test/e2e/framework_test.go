//go:build e2e

// Package e2e holds the end-to-end tests that run against the local
// single-node cluster (make cluster-up) or any cluster KUBECONFIG points at.
//
// Every test calls t.Parallel and works in namespaces of its own, except
// the fault tests (TestFault*), which break the cluster itself and so run
// alone. A plain `go test` runs the fault tests first, as Go runs serial
// tests before parallel ones; hack/test.sh runs the rest first (-skip
// '^TestFault' -parallel N), then the fault tests (-run '^TestFault').
package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/rand"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

var (
	restConfig *rest.Config
	clientset  kubernetes.Interface
	// pluginBin is kubectl-initwait built once for the whole run.
	pluginBin string
	// repoRoot is the module's root folder.
	repoRoot string
)

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	kubeconfig := os.Getenv("KUBECONFIG")
	if kubeconfig == "" {
		if os.Getenv("INITWAIT_REQUIRE_CLUSTER") != "" {
			fmt.Fprintln(os.Stderr, "e2e: KUBECONFIG is not set (run make test-e2e)")
			return 1
		}
		fmt.Fprintln(os.Stderr, "e2e: KUBECONFIG not set; skipping (run make test-e2e)")
		return 0
	}
	var err error
	restConfig, err = clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		fmt.Fprintf(os.Stderr, "e2e: %v\n", err)
		return 1
	}
	// The benchmarks create thousands of pods: lift client-go's default 5 QPS.
	restConfig.QPS, restConfig.Burst = 100, 200
	clientset = kubernetes.NewForConfigOrDie(restConfig)
	wd, _ := os.Getwd()
	repoRoot = filepath.Clean(filepath.Join(wd, "..", ".."))
	dir, err := os.MkdirTemp("", "initwait-e2e-")
	if err != nil {
		fmt.Fprintf(os.Stderr, "e2e: %v\n", err)
		return 1
	}
	defer os.RemoveAll(dir)
	pluginBin = filepath.Join(dir, "kubectl-initwait")
	build := exec.Command("go", pluginBuildArgs()...)
	build.Dir = repoRoot
	if os.Getenv("INITWAIT_E2E_RACE") == "" {
		build.Env = append(os.Environ(), "CGO_ENABLED=0")
	}
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "e2e: building the plugin: %v\n%s", err, out)
		return 1
	}
	return m.Run()
}

// pluginBuildArgs is how the tests build the plugin. make test sets
// INITWAIT_E2E_RACE: the binary is built with -race, so a data race in any
// run of the plugin fails its test (the race detector's exit status 66),
// and it reuses the unit tests' -race compiles. Otherwise (make bench, a
// plain go test) it gets the release's flags (hack/dist.sh, make build:
// CGO off, -trimpath), so benchmarks measure the binary users install.
func pluginBuildArgs() []string {
	if os.Getenv("INITWAIT_E2E_RACE") != "" {
		return []string{"build", "-race", "-o", pluginBin, "./cmd/kubectl-initwait"}
	}
	return []string{"build", "-trimpath", "-o", pluginBin, "./cmd/kubectl-initwait"}
}

// newNamespace creates a namespace for one test and deletes it when the test ends.
func newNamespace(t testing.TB, prefix string) string {
	t.Helper()
	name := prefix + "-" + rand.String(5)
	ctx := context.Background()
	_, err := clientset.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{"initwait-e2e": "true"}},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("creating namespace %s: %v", name, err)
	}
	// The default ServiceAccount is created asynchronously; pods need it.
	waitFor(t, time.Minute, "default ServiceAccount in "+name, func(ctx context.Context) (bool, error) {
		_, err := clientset.CoreV1().ServiceAccounts(name).Get(ctx, "default", metav1.GetOptions{})
		return err == nil, nil
	})
	t.Cleanup(func() {
		if t.Failed() && os.Getenv("E2E_KEEP_FAILED") != "" {
			t.Logf("keeping namespace %s", name)
			return
		}
		_ = clientset.CoreV1().Namespaces().Delete(context.Background(), name, metav1.DeleteOptions{})
	})
	return name
}

// waitFor polls cond every 250ms until it returns true, fails, or timeout passes.
func waitFor(t testing.TB, timeout time.Duration, what string, cond func(ctx context.Context) (bool, error)) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	for {
		ok, err := cond(ctx)
		if err != nil {
			t.Fatalf("waiting for %s: %v", what, err)
		}
		if ok {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// kubectl runs kubectl (KUBECTL, else the one on PATH) against the test cluster.
func kubectl(t testing.TB, args ...string) string {
	t.Helper()
	bin := os.Getenv("KUBECTL")
	if bin == "" {
		bin = "kubectl"
	}
	out, err := exec.Command(bin, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("kubectl %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}
