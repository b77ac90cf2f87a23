// Command soak runs `kubectl initwait watch -l` for a long time against a
// churning namespace and reports whether the plugin stays flat: 20 pods
// whose init containers exit 1 every 10 s (CrashLoopBackOff climbs to its
// 5-minute cap) plus a Deployment rolled every minute. Each minute it
// samples the plugin's RSS (/proc/PID/status) and goroutine count (the
// pprof endpoint of --debug-addr); at the end it prints both series, their
// least-squares slopes and last/first ratios, and checks that every init
// log line was printed exactly once. It is `make soak` (hack/soak.sh), not
// part of `make test`.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/utils/ptr"
)

const busybox = "docker.io/library/busybox:1.37"

// sample is one minute's measurement of the plugin.
type sample struct {
	minute     float64
	rssKiB     int64
	goroutines int64
}

func main() {
	duration := flag.Duration("duration", 30*time.Minute, "how long to watch")
	pods := flag.Int("pods", 20, "crash-looping pods")
	plugin := flag.String("plugin", "bin/kubectl-initwait", "the plugin binary")
	every := flag.Duration("sample", time.Minute, "sampling interval")
	flag.Parse()
	if err := run(*duration, *pods, *plugin, *every); err != nil {
		fmt.Fprintln(os.Stderr, "error: soak:", err)
		os.Exit(1)
	}
}

func run(duration time.Duration, pods int, plugin string, every time.Duration) error {
	cfg, err := clientcmd.BuildConfigFromFlags("", os.Getenv("KUBECONFIG"))
	if err != nil {
		return err
	}
	c := kubernetes.NewForConfigOrDie(cfg)
	ctx := context.Background()
	ns := fmt.Sprintf("soak-%d", time.Now().Unix())
	if _, err := c.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
		return err
	}
	defer func() { _ = c.CoreV1().Namespaces().Delete(context.Background(), ns, metav1.DeleteOptions{}) }()
	if err := waitServiceAccount(ctx, c, ns); err != nil {
		return err
	}
	addr, err := freeAddr()
	if err != nil {
		return err
	}
	// The watch is ended with Ctrl-C (SIGINT) after the last sample; its
	// --timeout is only a backstop.
	cmd := exec.Command(plugin, "watch", "-n", ns, "-l", "soak=1", "-o", "json", "--color", "never",
		"--debug-addr", addr, "--timeout", (duration + 2*time.Minute).String())
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return err
	}
	lines := make(chan []string, 1)
	go func() { lines <- readLines(stdout) }()
	fmt.Printf("soak: namespace %s, %d crash-looping pods + 1 Deployment rolled every minute, for %s; plugin pid %d, pprof on %s\n",
		ns, pods, duration, cmd.Process.Pid, addr)

	if _, err := c.AppsV1().Deployments(ns).Create(ctx, crashers(ns, pods), metav1.CreateOptions{}); err != nil {
		return err
	}
	if _, err := c.AppsV1().Deployments(ns).Create(ctx, rolled(ns), metav1.CreateOptions{}); err != nil {
		return err
	}
	var samples []sample
	start := time.Now()
	tick := time.NewTicker(every)
	defer tick.Stop()
	rolls := 0
	for time.Since(start)+every/2 < duration {
		<-tick.C
		if err := roll(ctx, c, ns); err != nil {
			fmt.Fprintln(os.Stderr, "soak: rolling the Deployment:", err)
		} else {
			rolls++
		}
		s := sample{minute: time.Since(start).Minutes(), rssKiB: rss(cmd.Process.Pid), goroutines: goroutines(addr)}
		samples = append(samples, s)
		fmt.Printf("soak: %5.1f min  RSS %7d KiB  goroutines %5d\n", s.minute, s.rssKiB, s.goroutines)
	}
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		return fmt.Errorf("stopping the plugin: %w", err)
	}
	werr := cmd.Wait()
	out := <-lines
	if werr != nil {
		return fmt.Errorf("the plugin failed: %w", werr)
	}
	restarts, err := initRestarts(ctx, c, ns)
	if err != nil {
		return err
	}
	report(samples)
	fmt.Printf("soak: %d rollouts\n", rolls)
	return checkLines(out, restarts)
}

func waitServiceAccount(ctx context.Context, c kubernetes.Interface, ns string) error {
	for i := 0; i < 60; i++ {
		if _, err := c.CoreV1().ServiceAccounts(ns).Get(ctx, "default", metav1.GetOptions{}); err == nil {
			return nil
		}
		time.Sleep(time.Second)
	}
	return fmt.Errorf("no default ServiceAccount in %s after a minute", ns)
}

// freeAddr is a loopback address with a free port for --debug-addr.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

func readLines(r io.Reader) []string {
	var out []string
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		out = append(out, sc.Text())
	}
	return out
}

// initScript prints two lines naming the instance (a fresh id) ~5 s apart,
// then, for the crashers, exits 1.
const initScript = `id=$(cat /proc/sys/kernel/random/uuid); echo "soak $HOSTNAME $id 1"; sleep 5; echo "soak $HOSTNAME $id 2"; sleep 5; `

func template(name, initTail string) corev1.PodTemplateSpec {
	return corev1.PodTemplateSpec{
		ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": name, "soak": "1"}},
		Spec: corev1.PodSpec{TerminationGracePeriodSeconds: ptr.To[int64](1),
			InitContainers: []corev1.Container{{Name: "init", Image: busybox, ImagePullPolicy: corev1.PullIfNotPresent,
				Command: []string{"sh", "-c", initScript + initTail}}},
			Containers: []corev1.Container{{Name: "app", Image: busybox, ImagePullPolicy: corev1.PullIfNotPresent,
				Command: []string{"sleep", "3600"}}}},
	}
}

func deploymentOf(ns, name string, replicas int32, tmpl corev1.PodTemplateSpec) *appsv1.Deployment {
	return &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		Spec: appsv1.DeploymentSpec{Replicas: ptr.To(replicas),
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": name}}, Template: tmpl}}
}

func crashers(ns string, n int) *appsv1.Deployment {
	return deploymentOf(ns, "crasher", int32(n), template("crasher", "exit 1"))
}

func rolled(ns string) *appsv1.Deployment {
	return deploymentOf(ns, "rolled", 1, template("rolled", "exit 0"))
}

// roll is `kubectl rollout restart`: a new pod-template annotation.
func roll(ctx context.Context, c kubernetes.Interface, ns string) error {
	patch := fmt.Sprintf(`{"spec":{"template":{"metadata":{"annotations":{"kubectl.kubernetes.io/restartedAt":%q}}}}}`,
		time.Now().Format(time.RFC3339))
	_, err := c.AppsV1().Deployments(ns).Patch(ctx, "rolled", types.StrategicMergePatchType, []byte(patch), metav1.PatchOptions{})
	return err
}

func rss(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return -1
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmRSS:"); ok {
			var n int64
			fmt.Sscanf(strings.TrimSpace(v), "%d", &n)
			return n
		}
	}
	return -1
}

// goroutines reads "goroutine profile: total N" from the pprof endpoint.
func goroutines(addr string) int64 {
	resp, err := http.Get("http://" + addr + "/debug/pprof/goroutine?debug=1")
	if err != nil {
		return -1
	}
	defer resp.Body.Close()
	var n int64
	if _, err := fmt.Fscanf(resp.Body, "goroutine profile: total %d", &n); err != nil {
		return -1
	}
	return n
}

// initRestarts is each crasher pod's init-container restart count at the end.
func initRestarts(ctx context.Context, c kubernetes.Interface, ns string) (map[string]int32, error) {
	list, err := c.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: "app=crasher"})
	if err != nil {
		return nil, err
	}
	out := map[string]int32{}
	for _, p := range list.Items {
		for _, s := range p.Status.InitContainerStatuses {
			out[p.Name] = s.RestartCount
		}
	}
	return out, nil
}

// jsonLine is the part of the plugin's -o json lines the soak reads.
type jsonLine struct {
	Kind        string  `json:"kind"`
	Pod         string  `json:"pod"`
	ContainerID string  `json:"containerID"`
	Line        *string `json:"line"`
}

// checkLines: no init line twice; every instance's line 1 before its line 2
// (no gap); each instance's lines under one container ID, its own (no two
// instances share one); each crasher pod showed as many instances as the
// kubelet counts (restarts, plus the one running or backing off at the end).
func checkLines(out []string, restarts map[string]int32) error {
	seen := map[string]int{}
	instances := map[string]map[string]bool{} // pod -> ids
	under := map[string]string{}              // id -> the container ID its first line came under
	var problems []string
	for _, raw := range out {
		var j jsonLine
		if err := json.Unmarshal([]byte(raw), &j); err != nil {
			return fmt.Errorf("not a JSON line: %q", raw)
		}
		if j.Kind != "log" || j.Line == nil || !strings.HasPrefix(*j.Line, "soak ") {
			continue
		}
		seen[*j.Line]++
		f := strings.Fields(*j.Line) // soak POD ID N
		if len(f) == 4 {
			if instances[f[1]] == nil {
				instances[f[1]] = map[string]bool{}
			}
			instances[f[1]][f[2]] = true
			if prev, ok := under[f[2]]; ok && prev != j.ContainerID {
				problems = append(problems, fmt.Sprintf("%q printed under container %s, the instance's line before under %s", *j.Line, j.ContainerID, prev))
			}
			under[f[2]] = j.ContainerID
		}
	}
	for l, n := range seen {
		if n != 1 {
			problems = append(problems, fmt.Sprintf("%q printed %d times", l, n))
		}
		if f := strings.Fields(l); len(f) == 4 && f[3] == "2" && seen[strings.Join(append(f[:3:3], "1"), " ")] == 0 {
			problems = append(problems, fmt.Sprintf("%q printed without its first line", l))
		}
	}
	owner := map[string]string{} // container ID -> the instance id whose lines it carried
	for id, cid := range under {
		if other, ok := owner[cid]; ok {
			problems = append(problems, fmt.Sprintf("instances %s and %s both printed under container %s", other, id, cid))
		}
		owner[cid] = id
	}
	total := 0
	for pod, r := range restarts {
		n := len(instances[pod])
		total += n
		if n < int(r) || n > int(r)+1 {
			problems = append(problems, fmt.Sprintf("pod %s: %d instances on the timeline, the kubelet counts %d restarts", pod, n, r))
		}
	}
	fmt.Printf("soak: %d init log lines, %d crasher instances over %d pods\n", len(seen), total, len(restarts))
	if len(problems) > 0 {
		return fmt.Errorf("%d problems: %s", len(problems), strings.Join(problems, "; "))
	}
	fmt.Println("soak: every init log line printed exactly once")
	return nil
}

// report prints the least-squares slope of RSS and goroutines per minute
// and the last/first ratios (the first sample is the anchor).
func report(s []sample) {
	if len(s) < 2 {
		fmt.Println("soak: fewer than two samples; no slope")
		return
	}
	slope := func(y func(sample) float64) float64 {
		var sx, sy, sxx, sxy float64
		n := float64(len(s))
		for _, p := range s {
			sx, sy, sxx, sxy = sx+p.minute, sy+y(p), sxx+p.minute*p.minute, sxy+p.minute*y(p)
		}
		return (n*sxy - sx*sy) / (n*sxx - sx*sx)
	}
	r := slope(func(p sample) float64 { return float64(p.rssKiB) })
	g := slope(func(p sample) float64 { return float64(p.goroutines) })
	first, last := s[0], s[len(s)-1]
	fmt.Printf("soak: RSS slope %+.1f KiB/min (%.2f%% of the first sample per minute), last/first %.2f\n",
		r, 100*r/float64(first.rssKiB), float64(last.rssKiB)/float64(first.rssKiB))
	fmt.Printf("soak: goroutine slope %+.2f /min, last/first %.2f (%d → %d)\n",
		g, float64(last.goroutines)/float64(first.goroutines), first.goroutines, last.goroutines)
}
