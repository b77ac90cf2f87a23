//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/render"
)

// faultCase is one fault injected into the local cluster while an init
// container logs and the watch streams.
type faultCase struct {
	// ticks is how many lines the first instance logs, one a second: it
	// must outlast the fault.
	ticks int
	// inject breaks the cluster and brings it back.
	inject func(t *testing.T, ns string)
	// notice, if set, must be said exactly once on the timeline.
	notice string
}

// secondRun is how many lines the second instance logs.
const secondRun = 5

// runFault streams -l app=ticker while the init container's first instance
// logs ticks lines and exits 1, and its second logs secondRun lines and
// succeeds; fc.inject runs once the first lines are on the timeline. Then
// every line of both instances must be printed exactly once, every STATUS
// `kubectl get pods -w` showed must be in the plugin's sequence, in order,
// and no event may be printed twice with the same count.
func runFault(t *testing.T, fc faultCase) {
	clusterState(t)
	if err := clusterHealthy(t); err != nil {
		t.Fatalf("the cluster is not healthy before the fault: %v", err)
	}
	ns := newNamespace(t, "fault")
	t.Cleanup(func() { healCluster(t) })
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()

	krec := kubectlWatch(ctx, ns, "app=ticker")
	plugin, prec, stderr := startPlugin(t, ctx, "watch", "-n", ns, "-l", "app=ticker", "-o", "json", "--until", "ready", "--timeout", "7m")
	init := shContainer("ticker", fmt.Sprintf(`n=$(cat /state/n 2>/dev/null || echo 0); n=$((n+1)); echo $n > /state/n
last=%d; [ $n -ge 2 ] && last=%d
for i in $(seq 1 $last); do echo "run $n tick $i"; sleep 1; done
[ $n -ge 2 ]`, fc.ticks, secondRun))
	init.VolumeMounts = []corev1.VolumeMount{{Name: "state", MountPath: "/state"}}
	d := deployment(ns, "ticker", []corev1.Container{init}, shContainer("app", "sleep 3600"))
	d.Spec.Template.Spec.Volumes = []corev1.Volume{{Name: "state", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}}}
	if _, err := clientset.AppsV1().Deployments(ns).Create(ctx, d, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 2*time.Minute, "the first ticks on the timeline", func(context.Context) (bool, error) {
		return strings.Contains(strings.Join(prec.snapshot(), "\n"), `"line":"run 1 tick 3"`), nil
	})
	fc.inject(t, ns)
	waitHealthy(t, 3*time.Minute)

	err := plugin.Wait()
	time.Sleep(2 * time.Second) // kubectl may print the last change a moment later
	cancel()
	if err != nil {
		t.Fatalf("plugin: %v\n%s", err, stderr)
	}
	evs, err := clientset.CoreV1().Events(ns).List(context.Background(), metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	checkTimeline(t, jsonLines(t, prec.snapshot()), krec.snapshot(), evs.Items, fc)
}

// eventsWithCount counts, by "object reason message", the Event objects
// whose count reached each value: how often the timeline may print that
// event with that count (a restarted kubelet loses its event cache and
// records the same event again as a new object with count 1).
func eventsWithCount(evs []corev1.Event) func(key string, count int32) int {
	counts := map[string][]int32{}
	for _, e := range evs {
		c := max(e.Count, 1)
		if e.Series != nil && e.Series.Count > c {
			c = e.Series.Count
		}
		k := fmt.Sprintf("%s/%s %s %q", strings.ToLower(e.InvolvedObject.Kind), e.InvolvedObject.Name, e.Reason, e.Message)
		counts[k] = append(counts[k], c)
	}
	return func(key string, count int32) int {
		n := 0
		for _, c := range counts[key] {
			if c >= count {
				n++
			}
		}
		return n
	}
}

// checkTimeline counts what the plugin printed.
func checkTimeline(t *testing.T, lines []render.JSONLine, kubectlRows []string, evs []corev1.Event, fc faultCase) {
	t.Helper()
	type eventKey struct {
		key   string
		count int32
	}
	count := map[string]int{}
	events := map[eventKey]int{}
	notices := 0
	var ours []string
	for _, j := range lines {
		switch j.Kind {
		case "log":
			count[*j.Line]++
		case "status":
			ours = append(ours, j.Status)
		case "event":
			events[eventKey{fmt.Sprintf("%s %s %q", j.Object, j.Reason, j.Message), j.Count}]++
		case "notice":
			if fc.notice != "" && strings.Contains(j.Message, fc.notice) {
				notices++
			}
		}
	}
	want := 0
	for run, n := range []int{fc.ticks, secondRun} {
		for i := 1; i <= n; i++ {
			want++
			if l := fmt.Sprintf("run %d tick %d", run+1, i); count[l] != 1 {
				t.Errorf("%q printed %d times", l, count[l])
			}
		}
	}
	if len(count) != want {
		t.Errorf("printed %d distinct lines, want %d", len(count), want)
	}
	allowed := eventsWithCount(evs)
	for e, n := range events {
		if a := allowed(e.key, e.count); n > max(a, 1) {
			t.Errorf("event printed %d times with count %d, but %d Event objects reached that count: %s", n, e.count, a, e.key)
		}
	}
	var theirs []string
	for _, row := range kubectlRows {
		// a pod row: NAME READY STATUS RESTARTS AGE (kubectl's own messages are not rows)
		if f := strings.Fields(row); len(f) >= 5 && readyCell.MatchString(f[1]) {
			theirs = append(theirs, f[2])
		} else {
			t.Logf("kubectl get pods -w printed a line that is not a row: %q", row)
		}
	}
	if !isSubsequence(dedupe(theirs), dedupe(ours)) {
		t.Errorf("a STATUS kubectl get pods -w showed is missing or out of order:\n plugin  %v\n kubectl %v", dedupe(ours), dedupe(theirs))
	}
	if len(ours) == 0 || ours[len(ours)-1] != "Running" {
		t.Errorf("statuses = %v, want to end Running", ours)
	}
	if fc.notice != "" && notices != 1 {
		t.Errorf("notice %q said %d times, want once", fc.notice, notices)
	}
	t.Logf("%d log lines, %d statuses (%v), %d distinct events", want, len(ours), dedupe(ours), len(events))
}

var readyCell = regexp.MustCompile(`^[0-9]+/[0-9]+$`)

// isSubsequence reports whether sub appears in seq in order.
func isSubsequence(sub, seq []string) bool {
	i := 0
	for _, s := range seq {
		if i < len(sub) && sub[i] == s {
			i++
		}
	}
	return i == len(sub)
}

// kubectlWatch records `kubectl get pods -w --no-headers` rows until ctx
// ends, starting it again whenever it exits (it does when the API server
// goes away).
func kubectlWatch(ctx context.Context, ns, selector string) *lineRecorder {
	rec := &lineRecorder{}
	go func() {
		for ctx.Err() == nil {
			kc := exec.CommandContext(ctx, kubectlBin(), "get", "pods", "-w", "-n", ns, "-l", selector, "--no-headers")
			out, err := kc.StdoutPipe()
			if err == nil && kc.Start() == nil {
				rec.consume(out)
				_ = kc.Wait()
			}
			select {
			case <-ctx.Done():
			case <-time.After(time.Second):
			}
		}
	}()
	return rec
}

// killAndRestart SIGKILLs a component, leaves it down for down, and starts it again.
func killAndRestart(c string, down time.Duration) func(*testing.T, string) {
	return func(t *testing.T, _ string) {
		clusterCtl(t, "kill", c)
		time.Sleep(down)
		clusterCtl(t, "restart", c)
	}
}

func TestFaultEtcdRestarted(t *testing.T) {
	runFault(t, faultCase{ticks: 40, inject: killAndRestart("etcd", 10*time.Second)})
}

func TestFaultAPIServerHung(t *testing.T) {
	runFault(t, faultCase{ticks: 70, inject: func(t *testing.T, _ string) {
		clusterCtl(t, "pause", "kube-apiserver")
		time.Sleep(45 * time.Second)
		clusterCtl(t, "resume", "kube-apiserver")
	}})
}

func TestFaultKubeletRestarted(t *testing.T) {
	runFault(t, faultCase{ticks: 40, inject: killAndRestart("kubelet", 5*time.Second)})
}

// TestFaultContainerdRestarted: the container keeps running in its shim,
// the log stream through the kubelet breaks and is read on by timestamp.
func TestFaultContainerdRestarted(t *testing.T) {
	runFault(t, faultCase{ticks: 40, inject: killAndRestart("containerd", 5*time.Second)})
}

// TestFaultWatchExpired forces 410 Gone: with the API server down, etcd's
// revision is moved on (a key outside /registry, written and deleted) and
// compacted past every resourceVersion the watch holds, so the reconnect
// must list again; the timeline says so once.
func TestFaultWatchExpired(t *testing.T) {
	runFault(t, faultCase{ticks: 40, notice: "re-synced", inject: func(t *testing.T, _ string) {
		clusterCtl(t, "kill", "kube-apiserver")
		key := base64.StdEncoding.EncodeToString([]byte("/initwait-e2e/bump"))
		etcdCall(t, "/v3/kv/put", map[string]any{"key": key, "value": base64.StdEncoding.EncodeToString([]byte("x"))})
		rev := etcdCall(t, "/v3/kv/deleterange", map[string]any{"key": key})
		etcdCall(t, "/v3/kv/compaction", map[string]any{"revision": rev, "physical": true})
		t.Logf("compacted etcd at revision %s", rev)
		time.Sleep(3 * time.Second)
		clusterCtl(t, "restart", "kube-apiserver")
	}})
}

// etcdCall posts body to the local etcd's gRPC gateway (127.0.0.1:2379)
// and returns the revision of the answer's header.
func etcdCall(t *testing.T, path string, body map[string]any) string {
	t.Helper()
	b, _ := json.Marshal(body)
	resp, err := http.Post("http://127.0.0.1:2379"+path, "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatalf("etcd %s: %v", path, err)
	}
	defer resp.Body.Close()
	var out struct {
		Header struct {
			Revision string `json:"revision"`
		} `json:"header"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("etcd %s: HTTP %d: %v", path, resp.StatusCode, err)
	}
	return out.Header.Revision
}
