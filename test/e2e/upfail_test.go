//go:build e2e

package e2e

// What can never start, on the real kubelet: `up` and `compare` with an
// image the cluster cannot pull stop within 90 s with one error line and
// leave the stack in place; `watch --until ready` says once, for each container, what keeps it
// from starting (a missing Secret key, an unparsable image) and goes on
// watching until --timeout.
// Run: KUBECONFIG=.cluster/kubeconfig go test -tags e2e -run 'UpFails|WatchHints' ./test/e2e/

import (
	"context"
	"errors"
	"os/exec"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// unpullableImage is a shortener image the cluster can never pull: a tag
// the registry lacks (containerd resolves ghcr.io to the cluster's
// registry, which answers 404: the kubelet's event says "not found").
func unpullableImage() string { return "ghcr.io/kubectl-initwait/shortener:no-such-tag" }

// exitCode is the plugin's exit status (0 without error, -1 if it did not exit).
func exitCode(err error) int {
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee):
		return ee.ExitCode()
	}
	return -1
}

// errorLines are the lines of out that start with "error:".
func errorLines(out string) []string {
	var lines []string
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "error:") {
			lines = append(lines, l)
		}
	}
	return lines
}

// failsFast runs the plugin with args, which must exit 1 within 90 s with
// one error line, and returns that line.
func failsFast(t *testing.T, args ...string) string {
	t.Helper()
	start := time.Now()
	out, err := upRun(t, 3*time.Minute, args...)
	took := time.Since(start)
	t.Logf("%s took %s:\n%s", args[0], took.Round(time.Second), out)
	if code := exitCode(err); code != 1 {
		t.Fatalf("%s exited %d (%v), want 1", args[0], code, err)
	}
	if took > 90*time.Second {
		t.Errorf("%s took %s, want at most 90s", args[0], took.Round(time.Second))
	}
	lines := errorLines(out)
	if len(lines) != 1 {
		t.Fatalf("want one error line, got %d: %q", len(lines), lines)
	}
	return lines[0]
}

func TestUpFailsFastOnUnpullableImage(t *testing.T) {
	t.Parallel()
	ns := newNamespace(t, "upfail")
	img := unpullableImage()
	line := failsFast(t, "up", "-n", ns, "--image", img, "--color", "never")
	for _, want := range []string{
		"error: pod webapp-", `: container go-url-shortener (image "` + img + `") cannot start: `,
		`Failed to pull image "` + img + `": `, "not found", // the kubelet's event, containerd's error
		"; pass --image REF with an image the cluster can pull, or load the image into the cluster: kind load docker-image " + img,
		"minikube image load " + img, "k3d image import " + img, "crane push",
		"; the stack is left in place for inspection; remove it with kubectl initwait down -n " + ns,
	} {
		if !strings.Contains(line, want) {
			t.Errorf("the error line lacks %q:\n%s", want, line)
		}
	}
	// Left in place: the webapp and its pod, still failing to pull.
	ctx := context.Background()
	if _, err := clientset.AppsV1().Deployments(ns).Get(ctx, "webapp", metav1.GetOptions{}); err != nil {
		t.Errorf("the webapp Deployment is gone: %v", err)
	}
	pods, err := clientset.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: "app.kubernetes.io/name=webapp"})
	if err != nil || len(pods.Items) == 0 {
		t.Fatalf("the webapp pod is gone (%v)", err)
	}
	// The way out the line names works.
	if out, err := upRun(t, 2*time.Minute, "down", "-n", ns); err != nil {
		t.Errorf("down: %v\n%s", err, out)
	}
}

func TestCompareFailsFastOnUnpullableImage(t *testing.T) {
	t.Parallel()
	ns := newNamespace(t, "cmpfail")
	img := unpullableImage()
	line := failsFast(t, "compare", "-n", ns, "--variants", "naive", "--image", img, "--color", "never")
	if !strings.Contains(line, `(image "`+img+`") cannot start: `) ||
		!strings.HasSuffix(line, "; the stack is left in place for inspection; remove it with kubectl initwait down -n "+ns) {
		t.Fatalf("want the line to name the image and how to remove the stack:\n%s", line)
	}
	if _, err := clientset.AppsV1().Deployments(ns).Get(context.Background(), "webapp-naive", metav1.GetOptions{}); err != nil {
		t.Errorf("compare deleted the stack: %v", err)
	}
}

func TestUpFailsFastOnPrivateImage(t *testing.T) {
	t.Parallel()
	// The shortener pushed under a private tag to a registry that wants a
	// login; up without a pull secret must fail as for a missing tag, and
	// say that the registry wants credentials.
	reg := startPrivateRegistry(t)
	img := reg.Copy(t, clusterRegistry+"/kubectl-initwait/shortener:v0.1.0", "kubectl-initwait/shortener:private")
	ns := newNamespace(t, "upauth")
	line := failsFast(t, "up", "-n", ns, "--image", img, "--color", "never")
	for _, want := range []string{
		`: container go-url-shortener (image "` + img + `") cannot start: `,
		`Failed to pull image "` + img + `": `, "401 Unauthorized",
		"; the registry wants credentials: give the pods an image pull secret (kubectl create secret docker-registry regcred -n " + ns,
		"; the stack is left in place for inspection; remove it with kubectl initwait down -n " + ns,
	} {
		if !strings.Contains(line, want) {
			t.Errorf("the error line lacks %q:\n%s", want, line)
		}
	}
}

// hintDeployment is a one-replica busybox Deployment whose container env
// or image is broken by change.
func hintDeployment(name string, change func(*corev1.Container)) *appsv1.Deployment {
	labels := map[string]string{"app.kubernetes.io/name": name, "app.kubernetes.io/part-of": "hints"}
	c := corev1.Container{Name: "app", Image: busybox, Command: []string{"sleep", "3600"}}
	change(&c)
	one := int32(1)
	return &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels},
		Spec: appsv1.DeploymentSpec{Replicas: &one, Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec: corev1.PodSpec{Containers: []corev1.Container{c}, TerminationGracePeriodSeconds: new(int64)}}}}
}

func TestWatchHintsOnceAndGoesOn(t *testing.T) {
	t.Parallel()
	ns := newNamespace(t, "hints")
	ctx := context.Background()
	_, err := clientset.CoreV1().Secrets(ns).Create(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "db-credentials"},
		StringData: map[string]string{"user": "shop"}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// An env var from a key the Secret lacks (CreateContainerConfigError), and
	// an image reference the kubelet cannot parse (InvalidImageName).
	for _, d := range []*appsv1.Deployment{
		hintDeployment("missing-key", func(c *corev1.Container) {
			c.Env = []corev1.EnvVar{{Name: "DATABASE_URL", ValueFrom: &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{
				LocalObjectReference: corev1.LocalObjectReference{Name: "db-credentials"}, Key: "DATABASE_URL"}}}}
		}),
		hintDeployment("bad-image", func(c *corev1.Container) { c.Image = "docker.io/library/BusyBox:1.36" }),
	} {
		if _, err := clientset.AppsV1().Deployments(ns).Create(ctx, d, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	const timeout = 50 * time.Second
	start := time.Now()
	out, err := upRun(t, 3*time.Minute, "watch", "-n", ns, "-l", "app.kubernetes.io/part-of=hints",
		"--until", "ready", "--timeout", timeout.String(), "--color", "never")
	took := time.Since(start)
	t.Logf("watch took %s:\n%s", took.Round(time.Second), out)
	if code := exitCode(err); code != 1 {
		t.Fatalf("watch exited %d (%v), want 1 (its --timeout)", code, err)
	}
	if took < timeout {
		t.Errorf("watch ended after %s, before its --timeout %s: it must keep watching", took.Round(time.Second), timeout)
	}
	var hints []string
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, "will not start by itself:") {
			hints = append(hints, l)
		}
	}
	for _, want := range []string{
		"CreateContainerConfigError: couldn't find key DATABASE_URL in Secret " + ns + "/db-credentials; add key DATABASE_URL to Secret db-credentials (kubectl edit secret db-credentials -n " + ns + ")",
		`InvalidImageName: Failed to apply default image tag "docker.io/library/BusyBox:1.36": couldn't parse image name "docker.io/library/BusyBox:1.36": invalid reference format`,
	} {
		n := 0
		for _, h := range hints {
			if strings.Contains(h, want) {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%d hints with %q, want 1; hints:\n%s", n, want, strings.Join(hints, "\n"))
		}
	}
	if len(hints) != 2 {
		t.Errorf("%d hints, want 2", len(hints))
	}
	if lines := errorLines(out); len(lines) != 1 || !strings.HasPrefix(lines[0], "error: timed out after 50s") {
		t.Errorf("error lines %q, want the timeout alone", lines)
	}
}
