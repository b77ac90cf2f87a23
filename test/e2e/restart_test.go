//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// TestWatchSurvivesAPIServerRestart kills kube-apiserver while an init
// container is logging and the watch is streaming, starts it again, and
// checks that no log line and no transition is lost or repeated.
func TestWatchSurvivesAPIServerRestart(t *testing.T) {
	clusterState(t) // skips on a cluster that is not the project's own
	ns := newNamespace(t, "watch-restart")
	t.Cleanup(func() { healCluster(t) })
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Minute)
	defer cancel()
	plugin, prec, stderr := startPlugin(t, ctx, "watch", "-n", ns, "-l", "app=ticker", "-o", "json", "--until", "ready", "--timeout", "5m")

	const ticks = 40
	init := shContainer("ticker", fmt.Sprintf("for i in $(seq 1 %d); do echo tick $i; sleep 1; done", ticks))
	app := shContainer("app", "sleep 3600")
	if _, err := clientset.AppsV1().Deployments(ns).Create(ctx, deployment(ns, "ticker", []corev1.Container{init}, app), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 2*time.Minute, "the first ticks on the timeline", func(context.Context) (bool, error) {
		return strings.Contains(strings.Join(prec.snapshot(), "\n"), `"line":"tick 3"`), nil
	})

	clusterCtl(t, "kill", "kube-apiserver")
	time.Sleep(8 * time.Second)
	clusterCtl(t, "restart", "kube-apiserver")
	t.Log("kube-apiserver is back")

	if err := plugin.Wait(); err != nil {
		t.Fatalf("plugin: %v\n%s", err, stderr)
	}
	count := map[string]int{}
	var statuses []string
	for _, j := range jsonLines(t, prec.snapshot()) {
		switch j.Kind {
		case "log":
			count[*j.Line]++
		case "status":
			statuses = append(statuses, j.Status)
		}
	}
	for i := 1; i <= ticks; i++ {
		if l := fmt.Sprintf("tick %d", i); count[l] != 1 {
			t.Errorf("%q printed %d times", l, count[l])
		}
	}
	if len(statuses) == 0 || statuses[len(statuses)-1] != "Running" {
		t.Errorf("statuses = %v, want to end Running", statuses)
	}
	for i := 1; i < len(statuses); i++ {
		if statuses[i] == statuses[i-1] && statuses[i] != "Running" {
			t.Errorf("transition repeated: %v", statuses)
		}
	}
}
