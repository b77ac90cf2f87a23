//go:build e2e

package e2e

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

// labelled is deployment() with the pods labelled app=cols and part=part,
// so that one selector follows two Deployments.
func labelled(ns, name, part string) *appsv1.Deployment {
	d := deployment(ns, name, nil, shContainer("app", "sleep 3600"))
	labels := map[string]string{"app": "cols", "part": part}
	d.Spec.Selector.MatchLabels, d.Spec.Template.Labels = labels, labels
	return d
}

// statusColumn is where the STATUS cell of a text status line starts, in
// runes and in bytes ("HH:MM:SS.mmm status POD…  STATUS"); ok is false for
// any other line.
func statusColumn(line string) (runes, bytes int, ok bool) {
	const kind = " status "
	if len(line) < 12+len(kind) || line[12:12+len(kind)] != kind {
		return 0, 0, false
	}
	rest := line[12+len(kind):]
	gap := strings.Index(rest, "  ")
	if gap < 0 {
		return 0, 0, false
	}
	at := 12 + len(kind) + gap + len(rest[gap:]) - len(strings.TrimLeft(rest[gap:], " "))
	return utf8.RuneCountInString(line[:at]), at, true
}

// TestWatchColumnsStayPut: the text timeline's pod column keeps its width
// when a Deployment is scaled from 1 to 3 mid-watch and when pods with a
// longer name arrive later (shortened in the middle): STATUS starts at the
// same column on every status line, and at the same byte offset on every
// line whose pod name was not shortened (… is one column, three bytes).
func TestWatchColumnsStayPut(t *testing.T) {
	t.Parallel()
	ns := newNamespace(t, "watch-cols")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	deploys := clientset.AppsV1().Deployments(ns)
	if _, err := deploys.Create(ctx, labelled(ns, "cols", "short"), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, time.Minute, "the first pod", func(ctx context.Context) (bool, error) {
		pods, err := clientset.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: "app=cols"})
		return err == nil && len(pods.Items) == 1, err
	})
	plugin, rec, stderr := startPlugin(t, ctx, "watch", "-n", ns, "-l", "app=cols", "--color", "never")
	waitFor(t, time.Minute, "the first status line", func(context.Context) (bool, error) {
		for _, l := range rec.snapshot() {
			if _, _, ok := statusColumn(l); ok {
				return true, nil
			}
		}
		return false, nil
	})
	scale, err := deploys.GetScale(ctx, "cols", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	scale.Spec.Replicas = 3
	if _, err := deploys.UpdateScale(ctx, "cols", scale, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	long := labelled(ns, "cols-with-a-much-longer-name", "long")
	long.Spec.Replicas = ptr.To[int32](1)
	if _, err := deploys.Create(ctx, long, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	// Every pod Running: 4 pods, the long one shortened.
	waitFor(t, 3*time.Minute, "every pod Running in the timeline", func(context.Context) (bool, error) {
		running, shortened := map[string]bool{}, false
		for _, l := range rec.snapshot() {
			if _, _, ok := statusColumn(l); ok && strings.Contains(l, " Running ") {
				running[strings.Fields(l)[2]] = true
				shortened = shortened || strings.Contains(l, "…")
			}
		}
		return len(running) == 4 && shortened, nil
	})
	if err := plugin.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	if err := plugin.Wait(); err != nil {
		t.Fatalf("watch: %v\n%s", err, stderr)
	}
	lines := rec.snapshot()
	timeline := strings.Join(lines, "\n")
	first, firstBytes, n := -1, -1, 0
	for _, l := range lines {
		runes, bytes, ok := statusColumn(l)
		if !ok {
			continue
		}
		n++
		if first < 0 {
			first, firstBytes = runes, bytes
		}
		if runes != first {
			t.Errorf("STATUS at column %d, the first line's at %d:\n%s", runes, first, l)
		}
		if !strings.Contains(l, "…") && bytes != firstBytes {
			t.Errorf("STATUS at byte %d, the first line's at %d:\n%s", bytes, firstBytes, l)
		}
		if strings.Contains(l, "cols-with-a-much-longer-name") {
			t.Errorf("a pod that came after the first lines widened the column:\n%s", l)
		}
	}
	if n < 5 || t.Failed() {
		t.Fatalf("%d status lines:\n%s", n, timeline)
	}
	t.Logf("timeline:\n%s", timeline)
}
