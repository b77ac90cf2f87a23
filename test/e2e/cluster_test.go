//go:build e2e

package e2e

// The local cluster's own promises (test/cluster): real init containers that wait on DNS,
// real restarts with kubelet back-off, a DNS that serves only cluster.local, and pods that
// cannot reach outside the machine. Run: KUBECONFIG=.cluster/kubeconfig go test -tags e2e -run Cluster ./test/e2e/

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/util/intstr"
)

const clusterBusybox = "docker.io/library/busybox:1.37"

// clusterPod is a busybox pod running script under sh.
func clusterPod(name, script string, restart corev1.RestartPolicy) *corev1.Pod {
	zero := int64(0)
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{"app": name}},
		Spec: corev1.PodSpec{
			RestartPolicy:                 restart,
			TerminationGracePeriodSeconds: &zero,
			Containers: []corev1.Container{{
				Name: "main", Image: clusterBusybox, ImagePullPolicy: corev1.PullIfNotPresent,
				Command: []string{"sh", "-c", script},
			}},
		},
	}
}

func clusterCreatePod(t *testing.T, ns string, pod *corev1.Pod) *corev1.Pod {
	t.Helper()
	p, err := clientset.CoreV1().Pods(ns).Create(context.Background(), pod, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("creating pod %s: %v", pod.Name, err)
	}
	return p
}

// clusterStatus is the pod's STATUS column as the API server's table printer shows it
// (what `kubectl get pods` prints).
func clusterStatus(t *testing.T, ns, name string) string {
	t.Helper()
	out := kubectl(t, "-n", ns, "get", "pod", name, "--no-headers")
	f := strings.Fields(out)
	if len(f) < 3 {
		t.Fatalf("unexpected kubectl get output: %q", out)
	}
	return f[2]
}

// clusterPodStatusPhrase mirrors the table printer's STATUS for the cases these tests
// meet, so that every status update of a watch can be named.
func clusterPodStatusPhrase(p *corev1.Pod) string {
	for i, c := range p.Status.InitContainerStatuses {
		switch {
		case c.State.Terminated != nil && c.State.Terminated.ExitCode == 0:
			continue
		case c.State.Waiting != nil && c.State.Waiting.Reason != "" && c.State.Waiting.Reason != "PodInitializing":
			return "Init:" + c.State.Waiting.Reason
		default:
			return fmt.Sprintf("Init:%d/%d", i, len(p.Spec.InitContainers))
		}
	}
	for _, c := range p.Status.ContainerStatuses {
		if c.State.Waiting != nil && c.State.Waiting.Reason != "" {
			return c.State.Waiting.Reason
		}
	}
	for _, c := range p.Status.ContainerStatuses {
		if c.State.Running != nil {
			return "Running"
		}
	}
	return string(p.Status.Phase)
}

func clusterLogs(t *testing.T, ns, pod, container string, previous bool) string {
	t.Helper()
	b, err := clientset.CoreV1().Pods(ns).GetLogs(pod, &corev1.PodLogOptions{Container: container, Previous: previous}).
		Do(context.Background()).Raw()
	if err != nil {
		return ""
	}
	return string(b)
}

// TestClusterInitContainerWaitsForService: an init container that waits for a Service by
// DNS name keeps the pod in Init:0/1 (logging its attempts) until the Service and a ready
// backing pod exist; then the pod goes PodInitializing → Running.
func TestClusterInitContainerWaitsForService(t *testing.T) {
	t.Parallel()
	ns := newNamespace(t, "cluster-init")
	ctx := context.Background()

	app := clusterPod("app", "echo started; sleep 3600", corev1.RestartPolicyAlways)
	app.Spec.InitContainers = []corev1.Container{{
		Name: "wait-for-db", Image: clusterBusybox, ImagePullPolicy: corev1.PullIfNotPresent,
		Command: []string{"sh", "-c",
			"until nslookup db." + ns + ".svc.cluster.local >/dev/null 2>&1; do echo waiting for db; sleep 1; done; echo db is there"},
	}}
	// Watch from before the pod exists, recording every STATUS it shows.
	w, err := clientset.CoreV1().Pods(ns).Watch(ctx, metav1.ListOptions{FieldSelector: fields.OneTermEqualSelector("metadata.name", "app").String()})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	seen := make(chan string, 1000)
	go func() {
		for ev := range w.ResultChan() {
			if p, ok := ev.Object.(*corev1.Pod); ok {
				seen <- clusterPodStatusPhrase(p)
			} else {
				t.Logf("watch event %s: %#v", ev.Type, ev.Object)
			}
		}
		close(seen)
	}()
	clusterCreatePod(t, ns, app)

	waitFor(t, 2*time.Minute, "the init container to log 'waiting for db' twice", func(context.Context) (bool, error) {
		return strings.Count(clusterLogs(t, ns, "app", "wait-for-db", false), "waiting for db") >= 2, nil
	})
	if got := clusterStatus(t, ns, "app"); got != "Init:0/1" {
		t.Fatalf("kubectl get pod app: STATUS = %s, want Init:0/1 while the Service is missing", got)
	}

	db := clusterPod("db", "httpd -f -p 8080 -h /tmp", corev1.RestartPolicyAlways)
	db.Spec.Containers[0].ReadinessProbe = &corev1.Probe{
		ProbeHandler:  corev1.ProbeHandler{TCPSocket: &corev1.TCPSocketAction{Port: intstr.FromInt32(8080)}},
		PeriodSeconds: 1,
	}
	clusterCreatePod(t, ns, db)
	_, err = clientset.CoreV1().Services(ns).Create(ctx, &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: "db"},
		Spec: corev1.ServiceSpec{
			Selector: map[string]string{"app": "db"},
			Ports:    []corev1.ServicePort{{Port: 80, TargetPort: intstr.FromInt32(8080)}},
		},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}

	var phrases []string
	deadline := time.After(2 * time.Minute)
	for len(phrases) == 0 || phrases[len(phrases)-1] != "Running" {
		select {
		case s, ok := <-seen:
			if !ok {
				t.Fatalf("watch ended; statuses so far: %v", phrases)
			}
			if len(phrases) == 0 || phrases[len(phrases)-1] != s {
				phrases = append(phrases, s)
			}
		case <-deadline:
			t.Fatalf("pod app not Running after the Service appeared; statuses: %v", phrases)
		}
	}
	t.Logf("STATUS sequence: %v", phrases)
	// PodInitializing is not required: it lasts from the init container's exit to the app's
	// start, and a busy kubelet may report both in one status update (kubectl never shows it then).
	want := []string{"Init:0/1", "Running"}
	i := 0
	for _, s := range phrases {
		if i < len(want) && s == want[i] {
			i++
		}
	}
	if i != len(want) {
		t.Errorf("STATUS sequence %v does not contain %v in order", phrases, want)
	}
	logs := clusterLogs(t, ns, "app", "wait-for-db", false)
	if !strings.Contains(logs, "waiting for db") || !strings.Contains(logs, "db is there") {
		t.Errorf("init container log = %q", logs)
	}
	if got := clusterStatus(t, ns, "app"); got != "Running" {
		t.Errorf("kubectl get pod app: STATUS = %s, want Running", got)
	}
}

// TestClusterCrashLoopBackOff: a container that exits 1 is restarted with growing back-off;
// the kubelet says so in BackOff events.
func TestClusterCrashLoopBackOff(t *testing.T) {
	t.Parallel()
	ns := newNamespace(t, "cluster-crash")
	ctx := context.Background()
	clusterCreatePod(t, ns, clusterPod("crasher", "echo crashing; exit 1", corev1.RestartPolicyAlways))

	var restarts int32
	waitFor(t, 3*time.Minute, "crasher in CrashLoopBackOff with 2+ restarts", func(ctx context.Context) (bool, error) {
		p, err := clientset.CoreV1().Pods(ns).Get(ctx, "crasher", metav1.GetOptions{})
		if err != nil || len(p.Status.ContainerStatuses) == 0 {
			return false, nil
		}
		c := p.Status.ContainerStatuses[0]
		restarts = c.RestartCount
		return c.RestartCount >= 2 && c.State.Waiting != nil && c.State.Waiting.Reason == "CrashLoopBackOff", nil
	})
	if got := clusterStatus(t, ns, "crasher"); got != "CrashLoopBackOff" && got != "Error" {
		t.Errorf("kubectl get pod crasher: STATUS = %s, want CrashLoopBackOff (or Error between restarts)", got)
	}
	if p, err := clientset.CoreV1().Pods(ns).Get(ctx, "crasher", metav1.GetOptions{}); err == nil {
		if term := p.Status.ContainerStatuses[0].LastTerminationState.Terminated; term == nil || term.ExitCode != 1 {
			t.Errorf("last termination = %+v, want exit code 1", term)
		}
	}
	if logs := clusterLogs(t, ns, "crasher", "main", true); !strings.Contains(logs, "crashing") {
		t.Errorf("previous container's log = %q, want it to say crashing", logs)
	}
	waitFor(t, 2*time.Minute, "the restart count to rise past "+fmt.Sprint(restarts), func(ctx context.Context) (bool, error) {
		p, err := clientset.CoreV1().Pods(ns).Get(ctx, "crasher", metav1.GetOptions{})
		if err != nil || len(p.Status.ContainerStatuses) == 0 {
			return false, nil
		}
		return p.Status.ContainerStatuses[0].RestartCount > restarts, nil
	})
	waitFor(t, time.Minute, "a kubelet BackOff event for crasher", func(ctx context.Context) (bool, error) {
		evs, err := clientset.CoreV1().Events(ns).List(ctx, metav1.ListOptions{
			FieldSelector: "involvedObject.name=crasher,reason=BackOff",
		})
		if err != nil {
			return false, err
		}
		for _, e := range evs.Items {
			if (e.Source.Component == "kubelet" || e.ReportingController == "kubelet") &&
				strings.Contains(e.Message, "Back-off restarting failed container") {
				return true, nil
			}
		}
		return false, nil
	})
}

// TestClusterDNSMissingService: a Go program in a pod gets exactly the error the seed
// shows for a Service that does not exist, and names outside cluster.local are NXDOMAIN
// (the cluster DNS has no upstream).
func TestClusterDNSMissingService(t *testing.T) {
	t.Parallel()
	ns := newNamespace(t, "cluster-dns")
	// A static Go program that resolves its arguments, run from a hostPath (one node).
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "main.go"), []byte(`package main

import (
	"fmt"
	"net"
	"os"
)

func main() {
	for _, h := range os.Args[1:] {
		addrs, err := net.LookupHost(h)
		fmt.Printf("%s: %v %v\n", h, addrs, err)
	}
}
`), 0o644)
	os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module lookup\n\ngo 1.22\n"), 0o644)
	build := exec.Command("go", "build", "-o", filepath.Join(dir, "lookup"), ".")
	build.Dir = dir
	build.Env = append(os.Environ(), "CGO_ENABLED=0", "GOFLAGS=", "GOWORK=off")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the lookup program: %v\n%s", err, out)
	}
	pod := clusterPod("lookup", "/probe/lookup postgres kubernetes.default example.com; nslookup example.com; true", corev1.RestartPolicyNever)
	pod.Spec.Volumes = []corev1.Volume{{Name: "probe", VolumeSource: corev1.VolumeSource{
		HostPath: &corev1.HostPathVolumeSource{Path: dir}}}}
	pod.Spec.Containers[0].VolumeMounts = []corev1.VolumeMount{{Name: "probe", MountPath: "/probe", ReadOnly: true}}
	clusterCreatePod(t, ns, pod)
	waitFor(t, 2*time.Minute, "the lookup pod to finish", func(ctx context.Context) (bool, error) {
		p, err := clientset.CoreV1().Pods(ns).Get(ctx, "lookup", metav1.GetOptions{})
		return err == nil && (p.Status.Phase == corev1.PodSucceeded || p.Status.Phase == corev1.PodFailed), nil
	})
	logs := clusterLogs(t, ns, "lookup", "main", false)
	t.Logf("lookup pod says:\n%s", logs)
	for _, want := range []string{
		"postgres: [] lookup postgres on 10.96.0.10:53: no such host",
		"kubernetes.default: [10.96.0.1] <nil>",
		"example.com: [] lookup example.com on 10.96.0.10:53: no such host",
		"NXDOMAIN",
	} {
		if !strings.Contains(logs, want) {
			t.Errorf("lookup pod's output lacks %q", want)
		}
	}
}

// TestClusterEgressDropped: pods cannot reach anything outside the machine. The target is
// a documentation address (TEST-NET-2); the connection must time out — dropped, not
// refused — and the drop must be the cluster's egress rule's doing.
func TestClusterEgressDropped(t *testing.T) {
	t.Parallel()
	ns := newNamespace(t, "cluster-egress")
	before, counted := clusterEgressDrops()
	clusterCreatePod(t, ns, clusterPod("egress",
		`nc -v -w 3 198.51.100.7 80 </dev/null; echo "nc exit=$?"`, corev1.RestartPolicyNever))
	waitFor(t, 2*time.Minute, "the egress pod to finish", func(ctx context.Context) (bool, error) {
		p, err := clientset.CoreV1().Pods(ns).Get(ctx, "egress", metav1.GetOptions{})
		return err == nil && (p.Status.Phase == corev1.PodSucceeded || p.Status.Phase == corev1.PodFailed), nil
	})
	logs := clusterLogs(t, ns, "egress", "main", false)
	if !strings.Contains(logs, "timed out") || !strings.Contains(logs, "nc exit=1") {
		t.Errorf("egress pod's output = %q, want a connect that timed out", logs)
	}
	if after, ok := clusterEgressDrops(); counted && ok && after <= before {
		t.Errorf("the egress DROP rule counted %d packets before and %d after; want more", before, after)
	}
}

// TestClusterServiceWithoutEndpointsRefused: as on any kube-proxy cluster, a connection to
// a Service with no ready endpoints is refused at once (not dropped until a timeout), while a
// ClusterIP no Service holds is still dropped by the egress rules.
func TestClusterServiceWithoutEndpointsRefused(t *testing.T) {
	t.Parallel()
	ns := newNamespace(t, "cluster-noendpoints")
	svc := &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: "nodb"},
		Spec: corev1.ServiceSpec{
			Selector: map[string]string{"app": "nothing-matches"},
			Ports:    []corev1.ServicePort{{Port: 5432}},
		},
	}
	if _, err := clientset.CoreV1().Services(ns).Create(context.Background(), svc, metav1.CreateOptions{}); err != nil {
		t.Fatalf("creating Service nodb: %v", err)
	}
	// kube-proxy needs a moment to install the REJECT rule for the new Service. BusyBox's nc
	// says why a connect failed only with -v ("Connection timed out"), a refusal with -vv.
	clusterCreatePod(t, ns, clusterPod("probe", `sleep 2
s=$(date +%s); nc -vv -w 5 nodb 5432 </dev/null; echo "service exit=$? after $(( $(date +%s) - s ))s"
nc -v -w 2 10.111.255.7 5432 </dev/null; echo "unallocated exit=$?"`, corev1.RestartPolicyNever))
	waitFor(t, 2*time.Minute, "the probe pod to finish", func(ctx context.Context) (bool, error) {
		p, err := clientset.CoreV1().Pods(ns).Get(ctx, "probe", metav1.GetOptions{})
		return err == nil && (p.Status.Phase == corev1.PodSucceeded || p.Status.Phase == corev1.PodFailed), nil
	})
	logs := clusterLogs(t, ns, "probe", "main", false)
	for _, want := range []string{"Connection refused", "timed out", "unallocated exit=1"} {
		if !strings.Contains(logs, want) {
			t.Errorf("probe pod's output = %q, want %q in it", logs, want)
		}
	}
	// Refused at once, where a drop would take nc's 5 s: 0 or 1 s by date's whole seconds on
	// an idle node, up to 3 s when the node's two cores are busy with other tests.
	if !regexp.MustCompile(`service exit=1 after [0-3]s`).MatchString(logs) {
		t.Errorf("probe pod's output = %q, want the connection to the Service refused well before nc's 5 s timeout", logs)
	}
}

// clusterEgressDrops reads the packet count of test/cluster's egress DROP rule (needs
// root; ok is false when iptables cannot be read).
func clusterEgressDrops() (n int64, ok bool) {
	out, err := exec.Command("iptables", "-t", "mangle", "-L", "FORWARD", "-v", "-x", "-n").Output()
	if err != nil {
		return 0, false
	}
	for _, line := range bytes.Split(out, []byte("\n")) {
		if bytes.Contains(line, []byte("kubectl-initwait-egress")) {
			if _, err := fmt.Sscan(string(line), &n); err == nil {
				return n, true
			}
		}
	}
	return 0, false
}
