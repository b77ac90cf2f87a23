//go:build e2e

package e2e

import (
	"context"
	"errors"
	"os/exec"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

// untilReadyApp is an app container that gets Ready a moment after it starts.
func untilReadyApp(script string) corev1.Container {
	c := shContainer("app", script+"; touch /tmp/ready; sleep 3600")
	c.ReadinessProbe = &corev1.Probe{PeriodSeconds: 1, ProbeHandler: corev1.ProbeHandler{
		Exec: &corev1.ExecAction{Command: []string{"cat", "/tmp/ready"}}}}
	return c
}

func isPodReady(p *corev1.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

func untilPod(t *testing.T, ctx context.Context, ns, name string, init []corev1.Container, app corev1.Container) {
	t.Helper()
	p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns, Labels: map[string]string{"app": "x"}},
		Spec: corev1.PodSpec{InitContainers: init, Containers: []corev1.Container{app}, TerminationGracePeriodSeconds: ptr.To[int64](1)}}
	if _, err := clientset.CoreV1().Pods(ns).Create(ctx, p, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
}

// TestWatchUntilReadyWaitsForEveryListedPod: the first pod listed is Ready
// and the second is not; --until ready must wait for the second.
func TestWatchUntilReadyWaitsForEveryListedPod(t *testing.T) {
	t.Parallel()
	ns := newNamespace(t, "fx-watch-list")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	untilPod(t, ctx, ns, "a", nil, untilReadyApp("true"))
	waitFor(t, time.Minute, "pod a Ready", func(ctx context.Context) (bool, error) {
		p, err := clientset.CoreV1().Pods(ns).Get(ctx, "a", metav1.GetOptions{})
		return err == nil && isPodReady(p), nil
	})
	untilPod(t, ctx, ns, "b", []corev1.Container{shContainer("wait", "for i in 1 2 3 4 5; do echo waiting $i; sleep 1; done")}, untilReadyApp("true"))
	plugin, rec, stderr := startPlugin(t, ctx, "watch", "-n", ns, "-l", "app=x", "-o", "json", "--until", "ready", "--timeout", "2m")
	if err := plugin.Wait(); err != nil {
		t.Fatalf("plugin: %v\n%s", err, stderr)
	}
	b, err := clientset.CoreV1().Pods(ns).Get(ctx, "b", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !isPodReady(b) {
		t.Fatalf("the plugin exited 0 while pod b is %s, not Ready", b.Status.Phase)
	}
	var bReady bool
	for _, j := range jsonLines(t, rec.snapshot()) {
		if j.Kind == "status" && j.Pod == "b" && j.PodReady != nil && *j.PodReady {
			bReady = true
		}
	}
	if !bReady {
		t.Errorf("no status line with pod b Ready in the timeline")
	}
}

// TestWatchUntilReadyStatefulSet: sts/s of 2 replicas is Ready only when
// both replicas are, not when s-0 is and s-1 does not exist yet.
func TestWatchUntilReadyStatefulSet(t *testing.T) {
	t.Parallel()
	ns := newNamespace(t, "fx-watch-sts")
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	labels := map[string]string{"app": "s"}
	sts := &appsv1.StatefulSet{ObjectMeta: metav1.ObjectMeta{Name: "s", Namespace: ns},
		Spec: appsv1.StatefulSetSpec{Replicas: ptr.To[int32](2), ServiceName: "s",
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec: corev1.PodSpec{InitContainers: []corev1.Container{shContainer("init", "echo init of $HOSTNAME; sleep 2")},
					Containers: []corev1.Container{untilReadyApp("true")}, TerminationGracePeriodSeconds: ptr.To[int64](1)}}}}
	if _, err := clientset.AppsV1().StatefulSets(ns).Create(ctx, sts, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	plugin, _, stderr := startPlugin(t, ctx, "watch", "-n", ns, "sts/s", "-o", "json", "--until", "ready", "--timeout", "3m")
	if err := plugin.Wait(); err != nil {
		t.Fatalf("plugin: %v\n%s", err, stderr)
	}
	for _, name := range []string{"s-0", "s-1"} {
		p, err := clientset.CoreV1().Pods(ns).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			t.Fatalf("the plugin exited 0 before %s existed: %v", name, err)
		}
		if !isPodReady(p) {
			t.Fatalf("the plugin exited 0 while %s is not Ready", name)
		}
	}
}

func untilJob(ns, name, script string) *batchv1.Job {
	return &batchv1.Job{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		Spec: batchv1.JobSpec{BackoffLimit: ptr.To[int32](0), Template: corev1.PodTemplateSpec{
			Spec: corev1.PodSpec{RestartPolicy: corev1.RestartPolicyNever, TerminationGracePeriodSeconds: ptr.To[int64](1),
				InitContainers: []corev1.Container{shContainer("init", "echo preparing; sleep 1")},
				Containers:     []corev1.Container{shContainer("work", script)}}}}}
}

// TestWatchUntilReadyJob: job/NAME is done when the Job is Complete (its pod
// is Completed, never Ready), and fails with its reason when it has Failed.
func TestWatchUntilReadyJob(t *testing.T) {
	t.Parallel()
	ns := newNamespace(t, "fx-watch-job")
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	for _, j := range []*batchv1.Job{untilJob(ns, "ok", "echo working; sleep 2; echo done"), untilJob(ns, "bad", "echo failing; exit 3")} {
		if _, err := clientset.BatchV1().Jobs(ns).Create(ctx, j, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	plugin, rec, stderr := startPlugin(t, ctx, "watch", "-n", ns, "job/ok", "--all-containers", "-o", "json", "--until", "ready", "--timeout", "2m")
	if err := plugin.Wait(); err != nil {
		t.Fatalf("job/ok: %v\n%s", err, stderr)
	}
	var lines []string
	for _, j := range jsonLines(t, rec.snapshot()) {
		if j.Kind == "log" {
			lines = append(lines, *j.Line)
		}
	}
	if got := strings.Join(lines, "|"); got != "preparing|working|done" {
		t.Errorf("job/ok log lines = %q", got)
	}

	plugin, _, stderr = startPlugin(t, ctx, "watch", "-n", ns, "job/bad", "--until", "ready", "--timeout", "2m")
	err := plugin.Wait()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Fatalf("job/bad: exit %v, want 1\n%s", err, stderr)
	}
	if got := strings.TrimSpace(stderr.String()); !strings.HasPrefix(got, "error: job/bad failed: BackoffLimitExceeded") || strings.Contains(got, "\n") {
		t.Fatalf("job/bad stderr = %q, want one error: line with the Job's reason", got)
	}
}

// TestWatchUntilReadyDeploymentPastDeadline: as `kubectl rollout status`, a Deployment
// whose rollout passed progressDeadlineSeconds (here an init container that never ends)
// ends --until ready with exit 1 and the controller's reason, not at --timeout.
func TestWatchUntilReadyDeploymentPastDeadline(t *testing.T) {
	t.Parallel()
	ns := newNamespace(t, "fx-watch-deadline")
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	labels := map[string]string{"app": "stuck"}
	dep := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "stuck", Namespace: ns},
		Spec: appsv1.DeploymentSpec{Replicas: ptr.To[int32](1), ProgressDeadlineSeconds: ptr.To[int32](5),
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec: corev1.PodSpec{InitContainers: []corev1.Container{shContainer("wait", "until false; do echo waiting for nothing; sleep 1; done")},
					Containers: []corev1.Container{untilReadyApp("true")}, TerminationGracePeriodSeconds: ptr.To[int64](1)}}}}
	if _, err := clientset.AppsV1().Deployments(ns).Create(ctx, dep, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	plugin, _, stderr := startPlugin(t, ctx, "watch", "-n", ns, "deployment/stuck", "--until", "ready", "--timeout", "3m")
	err := plugin.Wait()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Fatalf("exit %v, want 1\n%s", err, stderr)
	}
	got := strings.TrimSpace(stderr.String())
	if !strings.HasPrefix(got, "error: deployment/stuck exceeded its progress deadline") || strings.Contains(got, "\n") {
		t.Fatalf("stderr = %q, want one error: line with the progress deadline", got)
	}
}
