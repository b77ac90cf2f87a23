//go:build e2e

package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/render"
)

const busybox = "docker.io/library/busybox:1.37"

// lineRecorder collects the lines a process writes, safe for concurrent use.
type lineRecorder struct {
	mu    sync.Mutex
	lines []string
}

func (r *lineRecorder) consume(rd io.Reader) {
	sc := bufio.NewScanner(rd)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		r.mu.Lock()
		r.lines = append(r.lines, sc.Text())
		r.mu.Unlock()
	}
}

func (r *lineRecorder) snapshot() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.lines...)
}

// startPlugin runs kubectl-initwait with args and records its stdout.
func startPlugin(t testing.TB, ctx context.Context, args ...string) (*exec.Cmd, *lineRecorder, *bytes.Buffer) {
	t.Helper()
	cmd := exec.CommandContext(ctx, pluginBin, args...)
	cmd.Env = append(os.Environ(), "NO_COLOR=1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	rec := &lineRecorder{}
	go rec.consume(out)
	return cmd, rec, &stderr
}

func jsonLines(t testing.TB, lines []string) []render.JSONLine {
	t.Helper()
	var out []render.JSONLine
	for _, l := range lines {
		var j render.JSONLine
		if err := json.Unmarshal([]byte(l), &j); err != nil {
			t.Fatalf("not a JSON line: %q: %v", l, err)
		}
		out = append(out, j)
	}
	return out
}

// dedupe drops consecutive repeats.
func dedupe(in []string) []string {
	var out []string
	for _, s := range in {
		if len(out) == 0 || out[len(out)-1] != s {
			out = append(out, s)
		}
	}
	return out
}

func deployment(ns, name string, init []corev1.Container, app corev1.Container) *appsv1.Deployment {
	labels := map[string]string{"app": name}
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		Spec: appsv1.DeploymentSpec{
			Replicas: ptr.To[int32](1),
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec: corev1.PodSpec{InitContainers: init, Containers: []corev1.Container{app},
					TerminationGracePeriodSeconds: ptr.To[int64](1)},
			},
		},
	}
}

func shContainer(name, script string) corev1.Container {
	return corev1.Container{Name: name, Image: busybox, ImagePullPolicy: corev1.PullIfNotPresent,
		Command: []string{"sh", "-c", script}}
}

// TestWatchStatusMatchesKubectl runs the plugin and `kubectl get pods -w`
// side by side on the same pod and compares the STATUS sequences.
func TestWatchStatusMatchesKubectl(t *testing.T) {
	t.Parallel()
	ns := newNamespace(t, "watch-seq")
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()

	kc := exec.CommandContext(ctx, kubectlBin(), "get", "pods", "-w", "-n", ns, "-l", "app=seq", "--no-headers")
	kout, _ := kc.StdoutPipe()
	if err := kc.Start(); err != nil {
		t.Fatal(err)
	}
	krec := &lineRecorder{}
	go krec.consume(kout)

	plugin, prec, stderr := startPlugin(t, ctx, "watch", "-n", ns, "-l", "app=seq", "-o", "json", "--until", "ready", "--timeout", "3m")
	waitFor(t, 30*time.Second, "the plugin's first notice", func(context.Context) (bool, error) {
		return len(prec.snapshot()) > 0, nil
	})
	time.Sleep(time.Second) // let kubectl's watch open too

	init := shContainer("check", "for i in 1 2 3; do echo waiting for dependency $i; sleep 1; done")
	app := shContainer("app", "touch /tmp/ready; sleep 3600")
	app.ReadinessProbe = &corev1.Probe{PeriodSeconds: 1, ProbeHandler: corev1.ProbeHandler{
		Exec: &corev1.ExecAction{Command: []string{"cat", "/tmp/ready"}}}}
	if _, err := clientset.AppsV1().Deployments(ns).Create(ctx, deployment(ns, "seq", []corev1.Container{init}, app), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := plugin.Wait(); err != nil {
		t.Fatalf("plugin: %v\n%s", err, stderr)
	}
	time.Sleep(2 * time.Second) // kubectl may print the last change a moment later
	_ = kc.Process.Kill()
	_ = kc.Wait()

	var ours []string
	var logs []string
	for _, j := range jsonLines(t, prec.snapshot()) {
		switch j.Kind {
		case "status":
			ours = append(ours, j.Status)
		case "log":
			logs = append(logs, *j.Line)
		}
	}
	var theirs []string
	for _, l := range krec.snapshot() {
		f := strings.Fields(l)
		if len(f) >= 3 {
			theirs = append(theirs, f[2])
		}
	}
	t.Logf("plugin: %v\nkubectl: %v", ours, theirs)
	if got, want := strings.Join(dedupe(ours), " "), strings.Join(dedupe(theirs), " "); got != want {
		t.Fatalf("STATUS sequence differs:\n plugin  %s\n kubectl %s", got, want)
	}
	for _, want := range []string{"Init:0/1", "Running"} {
		if !strings.Contains(strings.Join(ours, " "), want) {
			t.Errorf("sequence lacks %s", want)
		}
	}
	if strings.Join(logs, "|") != "waiting for dependency 1|waiting for dependency 2|waiting for dependency 3" {
		t.Errorf("init logs = %q", logs)
	}
}

// TestWatchInitRestartsEveryLineOnce: an init container fails three times
// before it succeeds; every line of every instance is printed exactly once.
func TestWatchInitRestartsEveryLineOnce(t *testing.T) {
	t.Parallel()
	ns := newNamespace(t, "watch-logs")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	plugin, prec, stderr := startPlugin(t, ctx, "watch", "-n", ns, "-l", "app=flaky", "-o", "json", "--until", "ready", "--timeout", "4m")

	init := shContainer("flaky", `n=$(cat /state/n 2>/dev/null || echo 0); n=$((n+1)); echo $n > /state/n
for i in 1 2 3; do echo "attempt $n line $i"; done
[ "$n" -ge 4 ] || exit 1`)
	init.VolumeMounts = []corev1.VolumeMount{{Name: "state", MountPath: "/state"}}
	app := shContainer("app", "sleep 3600")
	d := deployment(ns, "flaky", []corev1.Container{init}, app)
	d.Spec.Template.Spec.Volumes = []corev1.Volume{{Name: "state", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}}}
	if _, err := clientset.AppsV1().Deployments(ns).Create(ctx, d, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := plugin.Wait(); err != nil {
		t.Fatalf("plugin: %v\n%s", err, stderr)
	}
	count := map[string]int{}
	ids := map[string]bool{}
	attemptIDs := map[string]map[string]bool{} // "attempt N" → the container IDs its lines came under
	var statuses []string
	var backoff bool
	for _, j := range jsonLines(t, prec.snapshot()) {
		switch j.Kind {
		case "log":
			count[*j.Line]++
			ids[j.ContainerID] = true
			attempt, _, _ := strings.Cut(*j.Line, " line ")
			if attemptIDs[attempt] == nil {
				attemptIDs[attempt] = map[string]bool{}
			}
			attemptIDs[attempt][j.ContainerID] = true
		case "status":
			statuses = append(statuses, j.Status)
			if j.Status == "Init:CrashLoopBackOff" && j.BackOffSeconds != nil {
				backoff = true
			}
		}
	}
	for n := 1; n <= 4; n++ {
		for i := 1; i <= 3; i++ {
			l := fmt.Sprintf("attempt %d line %d", n, i)
			if count[l] != 1 {
				t.Errorf("%q printed %d times", l, count[l])
			}
		}
	}
	if len(count) != 12 {
		t.Errorf("printed %d distinct lines, want 12: %v", len(count), count)
	}
	if len(ids) != 4 {
		t.Errorf("lines came from %d container instances, want 4", len(ids))
	}
	// Each instance writes its own attempt number: all of an attempt's lines
	// carry that instance's ID, never the one before or after it.
	for attempt, under := range attemptIDs {
		if len(under) != 1 {
			t.Errorf("%s's lines were printed under %d container IDs: %v", attempt, len(under), under)
		}
	}
	if !backoff {
		t.Errorf("no Init:CrashLoopBackOff status with its back-off in %v", dedupe(statuses))
	}
}

// kubectlBin is the kubectl the cluster scripts built (KUBECTL), else PATH's.
func kubectlBin() string {
	if k := os.Getenv("KUBECTL"); k != "" {
		return k
	}
	return "kubectl"
}
