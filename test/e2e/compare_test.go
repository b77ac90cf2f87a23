//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/rand"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/compare"
)

// readyTime is when the pod's Ready condition last turned true.
func readyTime(p corev1.Pod) time.Time {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady && c.Status == corev1.ConditionTrue {
			return c.LastTransitionTime.Time
		}
	}
	return time.Time{}
}

// TestCompareAgreesWithTheCluster runs compare with the database 20 s late
// and checks its report against the pods' own conditions and restart counts.
func TestCompareAgreesWithTheCluster(t *testing.T) {
	t.Parallel()
	ns := newNamespace(t, "compare")
	ctx, cancel := context.WithTimeout(context.Background(), 9*time.Minute)
	defer cancel()
	plugin, rec, stderr := startPlugin(t, ctx, "compare", "-n", ns, "--keep", "--db-delay", "20s", "--timeout", "8m", "-o", "json")
	if err := plugin.Wait(); err != nil {
		t.Fatalf("compare: %v\n%s", err, stderr)
	}
	lines := rec.snapshot()
	var rep struct {
		Kind string `json:"kind"`
		compare.Report
	}
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &rep); err != nil || rep.Kind != "compare" {
		t.Fatalf("last line is not the report: %q (%v)", lines[len(lines)-1], err)
	}
	pods, err := clientset.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	byDeployment := map[string]corev1.Pod{}
	for _, p := range pods.Items {
		if p.DeletionTimestamp == nil {
			byDeployment[compare.DeploymentOfPod(p.Name)] = p
		}
	}
	db, ok := byDeployment["postgres"]
	if !ok {
		t.Fatalf("no postgres pod in %v", pods.Items)
	}
	near := func(what string, ours, theirs time.Time) {
		t.Helper()
		// Conditions carry whole seconds; the timeline has the moment it saw them, which on
		// two cores busy with the other tests can be a few seconds after the kubelet's.
		if d := ours.Sub(theirs); d < -time.Second || d > 3*time.Second {
			t.Errorf("%s: compare says %s, the cluster says %s", what, ours.Format(time.RFC3339Nano), theirs.Format(time.RFC3339))
		}
	}
	near("database Ready", rep.DatabaseReadyAt, readyTime(db))
	got := map[string]compare.Measure{}
	for _, m := range rep.Variants {
		got[m.Variant] = m
	}
	for _, name := range []string{"webapp", "webapp-naive", "webapp-waitdb"} {
		m, ok := got[name]
		if !ok || !m.Ready || m.ReadyAfterDBSeconds == nil {
			t.Fatalf("%s missing or not ready in the report: %+v", name, m)
		}
		p := byDeployment[name]
		near(name+" Ready", m.ReadyAt, readyTime(p))
		var restarts int32
		for _, cs := range append(p.Status.InitContainerStatuses, p.Status.ContainerStatuses...) {
			restarts += cs.RestartCount
		}
		if int32(m.Restarts) != restarts {
			t.Errorf("%s: compare counts %d restarts, the pod %d", name, m.Restarts, restarts)
		}
		initDone := "-"
		if m.InitDoneAfterDBSecs != nil {
			initDone = fmt.Sprintf("%.2fs", *m.InitDoneAfterDBSecs)
		}
		t.Logf("%s: restarts %d, %.1fs in Error/CrashLoopBackOff, %.1fs in Init, init done %s and Ready %.2fs after the database",
			name, m.Restarts, m.InCrashSeconds, m.InInitSeconds, initDone, *m.ReadyAfterDBSeconds)
	}
	if got["webapp"].Restarts != 0 || got["webapp-waitdb"].Restarts != 0 {
		t.Errorf("init variants restarted: %+v %+v", got["webapp"], got["webapp-waitdb"])
	}
	if got["webapp-naive"].Restarts == 0 || got["webapp-naive"].InCrashSeconds == 0 || got["webapp-naive"].ErrorLogLines == 0 {
		t.Errorf("naive variant did not crash-loop: %+v", got["webapp-naive"])
	}
	if got["webapp"].InInitSeconds < 15 {
		t.Errorf("webapp spent only %.1fs in Init with the database 20 s late", got["webapp"].InInitSeconds)
	}
	var sawFatal bool
	for _, l := range lines {
		sawFatal = sawFatal || strings.Contains(l, "failed to open connection to database")
	}
	if !sawFatal {
		t.Error("the naive webapp's FATAL line is not on the timeline")
	}
}

// TestCompareDeletesANamespaceItMade: `-n` naming a namespace that does not exist yet
// makes compare create it, and then (without --keep) delete it again; the text table
// prints the latencies with two decimals.
func TestCompareDeletesANamespaceItMade(t *testing.T) {
	t.Parallel()
	ns := "compare-new-" + rand.String(5)
	t.Cleanup(func() { _ = clientset.CoreV1().Namespaces().Delete(context.Background(), ns, metav1.DeleteOptions{}) })
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	plugin, rec, stderr := startPlugin(t, ctx, "compare", "-n", ns, "--variants", "waitdb", "--db-delay", "1s", "--timeout", "4m")
	if err := plugin.Wait(); err != nil {
		t.Fatalf("compare: %v\n%s", err, stderr)
	}
	out := strings.Join(rec.snapshot(), "\n")
	if !regexp.MustCompile(`webapp-waitdb .* -?\d+\.\d\ds +\d+\.\d\ds\s*$`).MatchString(out) {
		t.Errorf("no table row with two-decimal latencies:\n%s", out)
	}
	got, err := clientset.CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{})
	if err == nil && got.DeletionTimestamp == nil {
		t.Errorf("namespace %s that compare created is still there (phase %s)", ns, got.Status.Phase)
	} else if err != nil && !apierrors.IsNotFound(err) {
		t.Fatal(err)
	}
}
