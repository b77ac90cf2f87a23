//go:build e2e

package e2e

import (
	"context"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// webappManifest is applied after the watch has started; its init container
// follows the shape of the Kubernetes documentation's init-container example
// (kubernetes.io/docs/concepts/workloads/pods/init-containers/, "myapp-pod"),
// waiting on a condition it polls, here a count instead of a Service.
const webappManifest = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: webapp
spec:
  replicas: 1
  selector:
    matchLabels: {app: webapp}
  template:
    metadata:
      labels: {app: webapp}
    spec:
      terminationGracePeriodSeconds: 1
      initContainers:
      - name: init-myservice
        image: docker.io/library/busybox:1.37
        imagePullPolicy: IfNotPresent
        command: ['sh', '-c', 'for i in 1 2 3; do echo waiting for myservice $i; sleep 1; done']
      containers:
      - name: myapp-container
        image: docker.io/library/busybox:1.37
        imagePullPolicy: IfNotPresent
        command: ['sh', '-c', 'echo The app is running! && sleep 3600']
`

// TestWatchWaitForCreate starts `watch webapp --wait-for-create` before
// `kubectl apply`: it says once that it waits, then streams the timeline of
// the Deployment once it exists, to Ready.
func TestWatchWaitForCreate(t *testing.T) {
	t.Parallel()
	ns := newNamespace(t, "watch-create")
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	plugin, prec, stderr := startPlugin(t, ctx, "watch", "webapp", "-n", ns, "--wait-for-create", "--until", "ready", "--timeout", "3m", "-o", "json")
	waitFor(t, 30*time.Second, "the waiting notice", func(context.Context) (bool, error) {
		return len(prec.snapshot()) > 0, nil
	})
	time.Sleep(3 * time.Second) // several polls find nothing: the notice must stay single
	apply := exec.CommandContext(ctx, kubectlBin(), "apply", "-n", ns, "-f", "-")
	apply.Stdin = strings.NewReader(webappManifest)
	if out, err := apply.CombinedOutput(); err != nil {
		t.Fatalf("kubectl apply: %v\n%s", err, out)
	}
	if err := plugin.Wait(); err != nil {
		t.Fatalf("plugin: %v\n%s", err, stderr)
	}
	lines := jsonLines(t, prec.snapshot())
	if lines[0].Kind != "notice" || lines[0].Message != "waiting for deployment/webapp to be created" {
		t.Fatalf("first line = %+v, want the waiting notice", lines[0])
	}
	waiting, logs := 0, 0
	var statuses []string
	for _, j := range lines {
		switch {
		case j.Kind == "notice" && strings.Contains(j.Message, "waiting for"):
			waiting++
		case j.Kind == "log":
			logs++
		case j.Kind == "status":
			statuses = append(statuses, j.Status)
		}
	}
	if waiting != 1 {
		t.Errorf("the waiting notice was said %d times, want once", waiting)
	}
	if logs != 3 || len(statuses) == 0 || statuses[len(statuses)-1] != "Running" {
		t.Errorf("timeline after the create: %d init log lines (want 3), statuses %v (want to end Running)", logs, dedupe(statuses))
	}
}

// TestWatchMissingTarget: without --wait-for-create a missing target is the
// plain not-found error; with it, --timeout ends the wait with exit 1.
func TestWatchMissingTarget(t *testing.T) {
	t.Parallel()
	ns := newNamespace(t, "watch-missing")
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no flag", nil, `error: deployment "webapp" not found in namespace "` + ns + `"`},
		{"flag and timeout", []string{"--wait-for-create", "--timeout", "3s"},
			`error: timed out after 3s waiting for deployment/webapp to be created in namespace "` + ns + `"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmd := exec.Command(pluginBin, append([]string{"watch", "webapp", "-n", ns}, tt.args...)...)
			var stderr strings.Builder
			cmd.Stderr = &stderr
			err := cmd.Run()
			if code := cmd.ProcessState.ExitCode(); err == nil || code != 1 {
				t.Fatalf("exit code %d (%v), want 1", code, err)
			}
			if got := strings.TrimSpace(stderr.String()); got != tt.want {
				t.Fatalf("stderr = %q, want %q", got, tt.want)
			}
		})
	}
}
