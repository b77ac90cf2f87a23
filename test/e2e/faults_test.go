//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// faultCase is one fault injected into the local cluster while an init
// container logs and the watch streams.
type faultCase struct {
	// inject breaks the cluster and brings it back.
	inject func(t *testing.T, ns string)
	// notice, if set, must be said exactly once on the timeline.
	notice string
}

// secondRun is how many lines the second instance logs.
const secondRun = 5

// maxTicks caps the first instance's lines (one a second): it stops once
// the cluster has recovered and the timeline shows it live again (see
// runFault); the cap only ends a run that a failed test left behind.
const maxTicks = 300

// afterRecovery is how many more lines of the first instance the timeline
// must show, after the cluster passed `cluster.sh status` again, before the
// test lets that instance end.
const afterRecovery = 3

// runFault streams -l app=ticker while the init container's first instance
// logs a line a second and exits 1, and its second logs secondRun lines and
// succeeds; fc.inject runs once the first lines are on the timeline. The
// first instance ticks until the cluster has recovered and afterRecovery
// more of its lines are on the timeline, then the test creates the stop
// file on a hostPath the container watches; the container writes how many
// lines it logged there too, which is what the timeline is counted against.
// Then every line of both instances must be printed exactly once, every STATUS
// `kubectl get pods -w` showed must be in the plugin's sequence, in order,
// and no event may be printed twice with the same count.
func runFault(t *testing.T, fc faultCase) {
	clusterState(t)
	if err := clusterHealthy(t); err != nil {
		t.Fatalf("the cluster is not healthy before the fault: %v", err)
	}
	ns := newNamespace(t, "fault")
	t.Cleanup(func() { healCluster(t) })
	ctl := t.TempDir() // on the node: the local cluster runs here
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()

	krec := kubectlWatch(ctx, ns, "app=ticker")
	plugin, prec, stderr := startPlugin(t, ctx, "watch", "-n", ns, "-l", "app=ticker", "-o", "json", "--until", "ready", "--timeout", "7m")
	init := shContainer("ticker", fmt.Sprintf(`n=$(cat /state/n 2>/dev/null || echo 0); n=$((n+1)); echo $n > /state/n
if [ $n -ge 2 ]; then for i in $(seq 1 %d); do echo "run $n tick $i"; sleep 1; done; exit 0; fi
i=0; while [ $i -lt %d ] && [ ! -e /ctl/stop ]; do i=$((i+1)); echo "run 1 tick $i"; echo $i > /ctl/ticks; sleep 1; done
exit 1`, secondRun, maxTicks))
	init.VolumeMounts = []corev1.VolumeMount{{Name: "state", MountPath: "/state"}, {Name: "ctl", MountPath: "/ctl"}}
	d := deployment(ns, "ticker", []corev1.Container{init}, shContainer("app", "sleep 3600"))
	dirType := corev1.HostPathDirectory
	d.Spec.Template.Spec.Volumes = []corev1.Volume{{Name: "state", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}},
		{Name: "ctl", VolumeSource: corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: ctl, Type: &dirType}}}}
	if _, err := clientset.AppsV1().Deployments(ns).Create(ctx, d, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 2*time.Minute, "the first ticks on the timeline", func(context.Context) (bool, error) {
		return strings.Contains(strings.Join(prec.snapshot(), "\n"), `"line":"run 1 tick 3"`), nil
	})
	fc.inject(t, ns)
	waitHealthy(t, 3*time.Minute)
	live := ticksLogged(t, ctl) + afterRecovery
	waitFor(t, time.Minute, fmt.Sprintf("run 1 tick %d on the timeline after the recovery", live), func(context.Context) (bool, error) {
		return strings.Contains(strings.Join(prec.snapshot(), "\n"), fmt.Sprintf(`"line":"run 1 tick %d"`, live)), nil
	})
	writeFile(t, filepath.Join(ctl, "stop"), nil)

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
	checkTimeline(t, jsonLines(t, prec.snapshot()), krec.snapshot(), evs.Items, ticksLogged(t, ctl), fc.notice)
}

// ticksLogged reads how many lines the first instance has logged from the
// file it keeps on the hostPath ctl.
func ticksLogged(t *testing.T, ctl string) int {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(ctl, "ticks"))
	if err != nil {
		t.Fatalf("the ticker's count: %v", err)
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatalf("the ticker's count %q: %v", b, err)
	}
	return n
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

// TestFaultAPIServerRestarted: kube-apiserver killed (connections reset)
// and started again 8 s later.
func TestFaultAPIServerRestarted(t *testing.T) {
	runFault(t, faultCase{inject: killAndRestart("kube-apiserver", 8*time.Second)})
}

func TestFaultEtcdRestarted(t *testing.T) {
	runFault(t, faultCase{inject: killAndRestart("etcd", 10*time.Second)})
}

func TestFaultAPIServerHung(t *testing.T) {
	runFault(t, faultCase{inject: func(t *testing.T, _ string) {
		clusterCtl(t, "pause", "kube-apiserver")
		time.Sleep(45 * time.Second)
		clusterCtl(t, "resume", "kube-apiserver")
	}})
}

func TestFaultKubeletRestarted(t *testing.T) {
	runFault(t, faultCase{inject: killAndRestart("kubelet", 5*time.Second)})
}

// TestFaultContainerdRestarted: the container keeps running in its shim,
// the log stream through the kubelet breaks and is read on by timestamp.
func TestFaultContainerdRestarted(t *testing.T) {
	runFault(t, faultCase{inject: killAndRestart("containerd", 5*time.Second)})
}

// TestFaultWatchExpired forces 410 Gone: with the API server down, etcd's
// revision is moved on (a key outside /registry, written and deleted) and
// compacted past every resourceVersion the watch holds, so the reconnect
// must list again; the timeline says so once.
func TestFaultWatchExpired(t *testing.T) {
	runFault(t, faultCase{notice: "re-synced", inject: func(t *testing.T, _ string) {
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
