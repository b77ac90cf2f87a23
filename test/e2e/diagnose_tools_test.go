//go:build e2e

package e2e

// `kubectl initwait diagnose` on init containers whose probe can never
// succeed in their image, on the real cluster with the local busybox image
// (upstream BusyBox built as the official image): curl is not in it (a
// Running loop of `sh: curl: not found`, and an exit-127 crash loop of a
// missing dockerize), an entrypoint that is not in it (StartError, exit 128),
// and its nc rejects -q (`nc: invalid option -- 'q'`: `-q SECS` is
// netcat-traditional's, Debian's nc, which BusyBox's nc does not have — a
// probe written on a Debian host). Then the scan of the namespace and of all
// namespaces groups them by cause and exits 1.
// Run: KUBECONFIG=.cluster/kubeconfig go test -tags e2e -run DiagnoseTools ./test/e2e/

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/diagnose"
)

// toolPod is a busybox pod whose init container "wait" runs command.
func toolPod(ns, name string, command ...string) *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns, Labels: diagLabels},
		Spec: corev1.PodSpec{TerminationGracePeriodSeconds: new(int64),
			InitContainers: []corev1.Container{{Name: "wait", Image: busybox, ImagePullPolicy: corev1.PullIfNotPresent, Command: command}},
			Containers:     []corev1.Container{{Name: "app", Image: busybox, ImagePullPolicy: corev1.PullIfNotPresent, Command: []string{"sleep", "3600"}}}},
	}
}

// initState is the pod's first init container status, if any.
func initState(ctx context.Context, ns, name string) (*corev1.ContainerStatus, error) {
	p, err := clientset.CoreV1().Pods(ns).Get(ctx, name, metav1.GetOptions{})
	if err != nil || len(p.Status.InitContainerStatuses) == 0 {
		return nil, err
	}
	return &p.Status.InitContainerStatuses[0], nil
}

func podLog(ctx context.Context, ns, name string, previous bool) string {
	b, _ := clientset.CoreV1().Pods(ns).GetLogs(name, &corev1.PodLogOptions{Container: "wait", Previous: previous}).DoRaw(ctx)
	return string(b)
}

func TestDiagnoseToolsNotInImage(t *testing.T) {
	t.Parallel()
	ns := newNamespace(t, "diag-tools")
	ctx := context.Background()
	pods := []*corev1.Pod{
		toolPod(ns, "curl-loop", "sh", "-c", "until curl -s mysql:3306; do echo waiting for mysql; sleep 1; done"),
		toolPod(ns, "dockerize", "sh", "-c", "dockerize -wait tcp://mysql:3306 -timeout 30s"),
		toolPod(ns, "entrypoint", "/wait_for.sh", "mysql:3306"),
		toolPod(ns, "nc-q", "sh", "-c", "until nc -q 1 mysql 3306; do echo waiting for mysql; sleep 1; done"),
	}
	for _, p := range pods {
		if _, err := clientset.CoreV1().Pods(ns).Create(ctx, p, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, 2*time.Minute, "each pod's failure to show", func(ctx context.Context) (bool, error) {
		if !strings.Contains(podLog(ctx, ns, "curl-loop", false), "sh: curl: not found") {
			return false, nil
		}
		if strings.Count(podLog(ctx, ns, "nc-q", false), "nc: invalid option -- 'q'") < 2 {
			return false, nil
		}
		for _, name := range []string{"dockerize", "entrypoint"} {
			st, err := initState(ctx, ns, name)
			if err != nil || st == nil || st.LastTerminationState.Terminated == nil && st.State.Terminated == nil {
				return false, err
			}
		}
		return true, nil
	})
	// What the cluster wrote, for the record of the real wordings.
	for _, name := range []string{"dockerize", "entrypoint"} {
		st, _ := initState(ctx, ns, name)
		term := st.LastTerminationState.Terminated
		if term == nil {
			term = st.State.Terminated
		}
		t.Logf("%s: exit %d %s: %s; log %q", name, term.ExitCode, term.Reason, term.Message, podLog(ctx, ns, name, st.RestartCount > 0))
	}

	image := "docker.io/library/busybox:1.37"
	// crash: the pod crash-loops, so its report is taken while the status
	// holds an ended instance (crashReport) and its exit code is evidence.
	tests := []struct {
		pod, verdict string
		crash        bool
		evidence     []string
	}{
		{"curl-loop", "wait: curl is not in image " + image + ", so this can never succeed", false,
			[]string{`its log says "sh: curl: not found"`, `once that is fixed, it would probe mysql:3306, but Service "mysql" does not exist in namespace "` + ns + `"`}},
		{"dockerize", "wait: dockerize is not in image " + image + ", so this can never succeed", true,
			[]string{`its log says "sh: dockerize: not found"`, `it exits with code 127, the shell's "command not found"`}},
		{"entrypoint", "wait: /wait_for.sh is not in image " + image + ", so this can never succeed", true,
			[]string{"the container runtime cannot start it (", "exit code 128", `exec: "/wait_for.sh"`}},
		{"nc-q", "wait: the probe command is broken in this image (nc: invalid option -- 'q'), so the loop cannot end even when mysql:3306 is up", false,
			[]string{"its log shows the probe's usage error", "the image's nc is BusyBox's", `once that is fixed, it would probe mysql:3306, but Service "mysql" does not exist`}},
	}
	for _, tt := range tests {
		report := podReport
		if tt.crash {
			report = crashReport
		}
		p, code := report(t, ns, tt.pod)
		if code != 1 || p.Verdict != tt.verdict || p.Severity != diagnose.SeverityProblem {
			t.Errorf("%s: exit %d, verdict %q (%s),\n want exit 1 and %q", tt.pod, code, p.Verdict, p.Severity, tt.verdict)
		}
		all := strings.Join(p.Evidence, "\n")
		for _, e := range tt.evidence {
			if !strings.Contains(all, e) {
				b, _ := json.Marshal(p)
				t.Errorf("%s: evidence lacks %q: %s", tt.pod, e, b)
			}
		}
	}
	out, _, _ := diagRun(t, "pod/curl-loop", "-n", ns)
	if first := strings.SplitN(out, "\n", 2)[0]; !strings.HasSuffix(first, " — "+tests[0].verdict) {
		t.Errorf("text: first line %q, want the verdict first", first)
	}

	// The namespace scan: the four pods in their groups, exit 1.
	ready := toolPod(ns, "fine", "true")
	if _, err := clientset.CoreV1().Pods(ns).Create(ctx, ready, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, time.Minute, "pod fine to be Ready", func(ctx context.Context) (bool, error) {
		p, err := clientset.CoreV1().Pods(ns).Get(ctx, "fine", metav1.GetOptions{})
		return err == nil && isPodReady(p), err
	})
	out, errOut, code := diagRun(t, "-n", ns)
	for _, s := range []string{"missing tool: 3 pod(s)\n", "broken probe: 1 pod(s)\n", "  curl-loop: Init:0/1",
		`4 of 5 pod(s) in namespace "` + ns + `" not Ready: 4 with a problem, 0 progressing (3 missing tool, 1 broken probe)`} {
		if !strings.Contains(out, s) {
			t.Errorf("scan lacks %q:\n%s", s, out)
		}
	}
	if code != 1 || !strings.HasPrefix(errOut, "error: problem found: 4 of 4 pod(s) not Ready in namespace") || strings.Contains(out, "next:") {
		t.Errorf("scan: exit %d, stderr %q, want exit 1, one error line and no details without -v:\n%s", code, errOut, out)
	}
	out, _, _ = diagRun(t, "-n", ns, "-v")
	if !strings.Contains(out, "    next: kubectl logs nc-q -n "+ns+" -c wait") {
		t.Errorf("scan -v lacks the details:\n%s", out)
	}

	// Every namespace, as JSON: this namespace's pods are in their groups.
	jsonOut, errOut, code := diagRun(t, "-A", "-o", "json")
	var scan diagnose.ScanReport
	if err := json.Unmarshal([]byte(jsonOut), &scan); err != nil || code != 1 || !scan.AllNamespaces {
		t.Fatalf("-A -o json: exit %d, %v\n%s%s", code, err, jsonOut, errOut)
	}
	found := map[string]diagnose.Cause{}
	for _, g := range scan.Groups {
		if g.Count != len(g.Pods) {
			t.Errorf("group %s: count %d, %d pods", g.Cause, g.Count, len(g.Pods))
		}
		for _, p := range g.Pods {
			if p.Namespace == ns {
				found[p.Name] = g.Cause
			}
		}
	}
	if found["dockerize"] != diagnose.CauseMissingTool || found["entrypoint"] != diagnose.CauseMissingTool || found["fine"] != "" {
		t.Errorf("-A groups of namespace %s: %v", ns, found)
	}
	out, _, _ = diagRun(t, "--all-namespaces")
	if !strings.Contains(out, "  "+ns+"/entrypoint: ") || !strings.Contains(out, " in all namespaces not Ready: ") {
		t.Errorf("-A text lacks %s/entrypoint or the summary:\n%s", ns, out)
	}
}
