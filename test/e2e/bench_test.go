//go:build e2e

package e2e

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/utils/ptr"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/source"
	"github.com/kubectl-initwait/kubectl-initwait/plugin/stream"
	"github.com/kubectl-initwait/kubectl-initwait/plugin/target"
	"github.com/kubectl-initwait/kubectl-initwait/plugin/timeline"
)

// Benchmarks of the watch on the real cluster, each against an anchor
// measured in the same run (make bench; run once: -benchtime=1x).

// pendingPod is a pod no node can take: it stays Pending and costs the
// kubelet nothing.
func pendingPod(ns, name string, labels map[string]string) *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns, Labels: labels},
		Spec: corev1.PodSpec{NodeSelector: map[string]string{"initwait-bench": "nowhere"},
			Containers: []corev1.Container{{Name: "c", Image: busybox}}},
	}
}

// firstSeen records when each pod name first appears on a line.
type firstSeen struct {
	mu   sync.Mutex
	seen map[string]time.Time
}

func (f *firstSeen) scan(cmd *exec.Cmd, match func(line string) string) error {
	out, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	f.seen = map[string]time.Time{}
	if err := cmd.Start(); err != nil {
		return err
	}
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			now := time.Now()
			if name := match(sc.Text()); name != "" {
				f.mu.Lock()
				if _, ok := f.seen[name]; !ok {
					f.seen[name] = now
				}
				f.mu.Unlock()
			}
		}
	}()
	return nil
}

func (f *firstSeen) get(name string) (time.Time, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	t, ok := f.seen[name]
	return t, ok
}

func percentile(d []time.Duration, p float64) time.Duration {
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[min(len(s)-1, int(p*float64(len(s))))]
}

// BenchmarkWatchLatency: pod change → printed line, plugin vs kubectl get pods -w.
func BenchmarkWatchLatency(b *testing.B) {
	const pods = 100
	ns := newNamespace(b, "bench-lat")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	name := func(i int) string { return fmt.Sprintf("lat-%03d", i) }
	var kube, ours firstSeen
	if err := kube.scan(exec.CommandContext(ctx, kubectlBin(), "get", "pods", "-w", "-n", ns, "-l", "bench=lat", "--no-headers"),
		func(l string) string { return strings.Fields(l + " ")[0] }); err != nil {
		b.Fatal(err)
	}
	pcmd := exec.CommandContext(ctx, pluginBin, "watch", "-n", ns, "-l", "bench=lat", "--color", "never")
	if err := ours.scan(pcmd, func(l string) string {
		f := strings.Fields(l)
		if len(f) > 2 && f[1] == "status" {
			return f[2]
		}
		return ""
	}); err != nil {
		b.Fatal(err)
	}
	time.Sleep(3 * time.Second)
	b.ResetTimer()
	sent := make([]time.Time, pods)
	for i := range pods {
		sent[i] = time.Now()
		if _, err := clientset.CoreV1().Pods(ns).Create(ctx, pendingPod(ns, name(i), map[string]string{"bench": "lat"}), metav1.CreateOptions{}); err != nil {
			b.Fatal(err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	var kl, ol, added []time.Duration
	deadline := time.Now().Add(30 * time.Second)
	for i := 0; i < pods; i++ {
		kt, kok := kube.get(name(i))
		ot, ook := ours.get(name(i))
		if !kok || !ook {
			if time.Now().After(deadline) {
				b.Fatalf("%s: seen by kubectl %v, by the plugin %v", name(i), kok, ook)
			}
			time.Sleep(50 * time.Millisecond)
			i--
			continue
		}
		kl, ol = append(kl, kt.Sub(sent[i])), append(ol, ot.Sub(sent[i]))
		added = append(added, ot.Sub(kt))
	}
	b.StopTimer()
	kp50, kp99, op50, op99 := percentile(kl, .5), percentile(kl, .99), percentile(ol, .5), percentile(ol, .99)
	b.ReportMetric(float64(op50.Microseconds())/1000, "plugin-p50-ms")
	b.ReportMetric(float64(op99.Microseconds())/1000, "plugin-p99-ms")
	b.ReportMetric(float64(kp50.Microseconds())/1000, "kubectl-p50-ms")
	b.ReportMetric(float64(kp99.Microseconds())/1000, "kubectl-p99-ms")
	// The plugin's own share: how much later than kubectl it printed the same change.
	b.ReportMetric(float64(percentile(added, .5).Microseconds())/1000, "added-p50-ms")
	b.ReportMetric(float64(percentile(added, .99).Microseconds())/1000, "added-p99-ms")
	b.ReportMetric(float64(op50)/float64(kp50), "p50-ratio")
	b.ReportMetric(float64(op99)/float64(kp99), "p99-ratio")
}

// rssOfWatch runs the plugin on one Deployment's pods in ns for a while and
// returns its peak resident memory and its anonymous (heap, stacks) resident
// memory at the end, in MiB. The rest of the peak is the binary's own pages.
func rssOfWatch(b *testing.B, ns string) (peak, anon float64) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	app := shContainer("app", "sleep 3600")
	if _, err := clientset.AppsV1().Deployments(ns).Create(ctx, deployment(ns, "rss", nil, app), metav1.CreateOptions{}); err != nil {
		b.Fatal(err)
	}
	cmd := exec.CommandContext(ctx, pluginBin, "watch", "rss", "-n", ns, "--color", "never")
	cmd.Stdout, cmd.Stderr = nil, os.Stderr
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	time.Sleep(15 * time.Second)
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", cmd.Process.Pid))
	if err != nil {
		b.Fatal(err)
	}
	for _, l := range strings.Split(string(status), "\n") {
		f := strings.Fields(l)
		if len(f) < 2 {
			continue
		}
		kb, _ := strconv.ParseFloat(f[1], 64)
		switch f[0] {
		case "VmHWM:":
			peak = kb / 1024
		case "RssAnon:":
			anon = kb / 1024
		}
	}
	if peak == 0 || anon == 0 {
		b.Fatal("no VmHWM or RssAnon in /proc status")
	}
	return peak, anon
}

// BenchmarkWatchRSS: peak RSS watching one Deployment in a namespace with
// 2,000 unrelated pods, against the same watch in an empty namespace.
func BenchmarkWatchRSS(b *testing.B) {
	const unrelated = 2000
	empty, emptyAnon := rssOfWatch(b, newNamespace(b, "bench-rss0"))
	busy := newNamespace(b, "bench-rss1")
	var wg sync.WaitGroup
	var failed atomic.Int32
	work := make(chan int)
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				p := pendingPod(busy, fmt.Sprintf("noise-%04d", i), map[string]string{"bench": "noise"})
				if _, err := clientset.CoreV1().Pods(busy).Create(context.Background(), p, metav1.CreateOptions{}); err != nil {
					failed.Add(1)
				}
			}
		}()
	}
	for i := range unrelated {
		work <- i
	}
	close(work)
	wg.Wait()
	if failed.Load() > 0 {
		b.Fatalf("%d of %d noise pods failed to create", failed.Load(), unrelated)
	}
	full, fullAnon := rssOfWatch(b, busy)
	b.ReportMetric(empty, "MiB-empty-ns")
	b.ReportMetric(full, "MiB-2000-pods")
	b.ReportMetric(full/empty, "rss-ratio")
	b.ReportMetric(emptyAnon, "anon-MiB-empty-ns")
	b.ReportMetric(fullAnon, "anon-MiB-2000-pods")
	b.ReportMetric(fullAnon/emptyAnon, "anon-ratio")
	_ = clientset.CoreV1().Pods(busy).DeleteCollection(context.Background(),
		metav1.DeleteOptions{GracePeriodSeconds: ptr.To[int64](0)}, metav1.ListOptions{LabelSelector: "bench=noise"})
}

// countingTransport counts requests and the watches among them.
type countingTransport struct {
	next            http.RoundTripper
	requests, watch atomic.Int64
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.requests.Add(1)
	if r.URL.Query().Get("watch") == "true" || r.URL.Query().Get("follow") == "true" {
		c.watch.Add(1)
	}
	return c.next.RoundTrip(r)
}

// BenchmarkWatchIdleRequests: API requests made during 60 idle seconds of a
// watch (the anchor is the number of streams it keeps open: the target is
// no request beyond them).
func BenchmarkWatchIdleRequests(b *testing.B) {
	ns := newNamespace(b, "bench-idle")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	init := shContainer("check", "echo ready")
	app := shContainer("app", "sleep 3600")
	if _, err := clientset.AppsV1().Deployments(ns).Create(ctx, deployment(ns, "idle", []corev1.Container{init}, app), metav1.CreateOptions{}); err != nil {
		b.Fatal(err)
	}
	counter := &countingTransport{}
	cfg := rest.CopyConfig(restConfig)
	cfg.WrapTransport = func(rt http.RoundTripper) http.RoundTripper { counter.next = rt; return counter }
	kube := kubernetes.NewForConfigOrDie(cfg)
	tables, err := source.NewRESTPodTables(cfg, ns)
	if err != nil {
		b.Fatal(err)
	}
	tgt, err := target.Resolver{Client: kube}.Resolve(ctx, ns, target.Spec{Name: "idle"})
	if err != nil {
		b.Fatal(err)
	}
	var lines atomic.Int64
	go func() {
		_, _ = stream.Run(ctx, stream.Clients{Kube: kube, Tables: tables, Logs: source.ClientLogStreamer{Client: kube}},
			stream.Config{Target: tgt, Until: stream.UntilNever},
			timeline.SinkFunc(func(timeline.Entry) error { lines.Add(1); return nil }))
	}()
	waitFor(b, 2*time.Minute, "the idle pod to be Running", func(ctx context.Context) (bool, error) {
		pods, err := clientset.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: "app=idle"})
		return err == nil && len(pods.Items) == 1 && pods.Items[0].Status.Phase == corev1.PodRunning, nil
	})
	time.Sleep(10 * time.Second) // let the log streams of ended instances finish
	before, watches := counter.requests.Load(), counter.watch.Load()
	b.ResetTimer()
	time.Sleep(60 * time.Second)
	b.StopTimer()
	idle := counter.requests.Load() - before
	b.ReportMetric(float64(idle), "requests-in-60s-idle")
	b.ReportMetric(float64(watches), "streams-opened")
	b.ReportMetric(float64(idle)/float64(max(watches, 1)), "idle-requests-per-stream")
}
