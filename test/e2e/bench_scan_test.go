//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/metadata"
	"k8s.io/client-go/rest"
	"k8s.io/utils/ptr"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/diagnose"
	"github.com/kubectl-initwait/kubectl-initwait/plugin/source"
)

// The published figure the scan is measured against: k8sgpt analyze took
// about 30 s for about 30 findings.
const (
	k8sgptSeconds  = 30.0
	k8sgptFindings = 30.0
)

// benchNode is a Node object with no kubelet behind it: the scan benchmark's
// pods are bound to it, so that 1,000 pods can be stuck in Init on one machine.
const benchNode = "initwait-bench-no-kubelet"

// stuckStatus is the status a kubelet writes for a pod stuck in Init, in
// one of three ways by i: its wait loop running, its init container
// exiting 127 in a crash loop, or a missing Secret.
func stuckStatus(i int, started metav1.Time) corev1.PodStatus {
	init := corev1.ContainerStatus{Name: "wait", Image: busybox, ContainerID: fmt.Sprintf("containerd://bench%06d", i),
		State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: started}}}
	switch i % 4 {
	case 1:
		init.RestartCount = 5
		init.State = corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "CrashLoopBackOff",
			Message: "back-off 2m40s restarting failed container=wait"}}
		init.LastTerminationState = corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: 127, Reason: "Error",
			StartedAt: started, FinishedAt: started}}
	case 2:
		init.ContainerID = ""
		init.State = corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "CreateContainerConfigError",
			Message: `secret "db-creds" not found`}}
	}
	return corev1.PodStatus{Phase: corev1.PodPending, StartTime: &started, HostIP: "127.0.0.1",
		Conditions: []corev1.PodCondition{
			{Type: corev1.PodScheduled, Status: corev1.ConditionTrue, LastTransitionTime: started},
			{Type: corev1.PodInitialized, Status: corev1.ConditionFalse, Reason: "ContainersNotInitialized", LastTransitionTime: started},
			{Type: corev1.PodReady, Status: corev1.ConditionFalse, Reason: "ContainersNotReady", LastTransitionTime: started},
		},
		InitContainerStatuses: []corev1.ContainerStatus{init},
		ContainerStatuses: []corev1.ContainerStatus{{Name: "app", Image: busybox,
			State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "PodInitializing"}}}},
	}
}

// stuckPod is pod i: its init container waits for a Service that does not
// exist (postgres) or, for every fourth pod, one without endpoints (db).
func stuckPod(ns string, i int) *corev1.Pod {
	host := "postgres"
	if i%4 == 3 {
		host = "db"
	}
	c := corev1.Container{Name: "wait", Image: busybox, Command: []string{"sh", "-c",
		"until pg_isready -h " + host + " -p 5432; do echo waiting for database; sleep 2; done"}}
	if i%4 == 2 {
		c.EnvFrom = []corev1.EnvFromSource{{SecretRef: &corev1.SecretEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: "db-creds"}}}}
	}
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("stuck-%04d", i), Namespace: ns, Labels: map[string]string{"bench": "scan"}},
		Spec: corev1.PodSpec{NodeName: benchNode, TerminationGracePeriodSeconds: new(int64),
			InitContainers: []corev1.Container{c},
			Containers:     []corev1.Container{{Name: "app", Image: busybox, Command: []string{"sleep", "3600"}}}},
	}
}

// makeStuckPods creates perNS stuck pods in each namespace (and a Service db
// selecting nothing ready), 16 at a time, each with its status written through
// the status subresource.
func makeStuckPods(b *testing.B, namespaces []string, perNS int) {
	ctx := context.Background()
	started := metav1.NewTime(time.Now().Add(-5 * time.Minute).Truncate(time.Second))
	type job struct {
		ns string
		i  int
	}
	work := make(chan job)
	var failed atomic.Int32
	var firstErr atomic.Value
	var wg sync.WaitGroup
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range work {
				p, err := clientset.CoreV1().Pods(j.ns).Create(ctx, stuckPod(j.ns, j.i), metav1.CreateOptions{})
				if err == nil {
					p.Status = stuckStatus(j.i, started)
					_, err = clientset.CoreV1().Pods(j.ns).UpdateStatus(ctx, p, metav1.UpdateOptions{})
				}
				if err != nil {
					failed.Add(1)
					firstErr.CompareAndSwap(nil, err)
				}
			}
		}()
	}
	for _, ns := range namespaces {
		svc := &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: "db", Namespace: ns},
			Spec: corev1.ServiceSpec{Selector: map[string]string{"app": "db"}, Ports: []corev1.ServicePort{{Port: 5432}}}}
		if _, err := clientset.CoreV1().Services(ns).Create(ctx, svc, metav1.CreateOptions{}); err != nil {
			b.Fatal(err)
		}
		for i := range perNS {
			work <- job{ns, i}
		}
	}
	close(work)
	wg.Wait()
	if n := failed.Load(); n > 0 {
		b.Fatalf("%d stuck pods could not be made: %v", n, firstErr.Load())
	}
}

// countedTransport counts the requests of every client built with it.
type countedTransport struct {
	next http.RoundTripper
	n    *atomic.Int64
}

func (c countedTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return c.next.RoundTrip(r)
}

// BenchmarkDiagnoseScan: `diagnose -A` over 1,000 pods stuck in Init in 50
// namespaces, wall time and API requests, against k8sgpt's published 30 s
// for ~30 findings.
func BenchmarkDiagnoseScan(b *testing.B) {
	const namespaces, perNS = 50, 20
	ctx := context.Background()
	node := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: benchNode, Labels: map[string]string{"initwait-bench": "no-kubelet"}}}
	if _, err := clientset.CoreV1().Nodes().Create(ctx, node, metav1.CreateOptions{}); err != nil {
		b.Fatal(err)
	}
	var names []string
	for range namespaces {
		names = append(names, newNamespace(b, "bench-scan"))
	}
	b.Cleanup(func() {
		// No kubelet confirms a deletion on that node: delete the pods at once.
		for _, ns := range names {
			_ = clientset.CoreV1().Pods(ns).DeleteCollection(context.Background(),
				metav1.DeleteOptions{GracePeriodSeconds: ptr.To[int64](0)}, metav1.ListOptions{LabelSelector: "bench=scan"})
		}
		_ = clientset.CoreV1().Nodes().Delete(context.Background(), benchNode, metav1.DeleteOptions{})
	})
	made := time.Now()
	makeStuckPods(b, names, perNS)
	b.Logf("%d pods in %d namespaces are bound to Node %s, which has no kubelet: their statuses (init container running, "+
		"exiting 127, or waiting on a missing Secret) were written through the status subresource, as a kubelet would for stuck pods (made in %s)",
		namespaces*perNS, namespaces, benchNode, time.Since(made).Round(time.Second))

	// The scan with client-go's default QPS (5, burst 10), as the plugin runs, counting every request.
	var counted atomic.Int64
	cfg := rest.CopyConfig(restConfig)
	cfg.QPS, cfg.Burst = 0, 0
	cfg.WrapTransport = func(rt http.RoundTripper) http.RoundTripper { return countedTransport{next: rt, n: &counted} }
	kube := kubernetes.NewForConfigOrDie(cfg)
	tables, err := source.NewRESTPodTables(cfg, "")
	if err != nil {
		b.Fatal(err)
	}
	meta := metadata.NewForConfigOrDie(cfg)
	var rep *diagnose.ScanReport
	b.ResetTimer()
	start := time.Now()
	for range b.N {
		d := &diagnose.Diagnoser{Client: kube, Pods: diagnose.TablePodLister{Tables: tables}, Metadata: meta}
		if rep, err = d.Scan(ctx, "", true); err != nil {
			b.Fatal(err)
		}
		if err := diagnose.WriteScanText(io.Discard, rep, false); err != nil {
			b.Fatal(err)
		}
	}
	wall := time.Since(start) / time.Duration(b.N)
	b.StopTimer()
	requests := float64(counted.Load()) / float64(b.N)
	var ours int
	for _, g := range rep.Groups {
		b.Logf("  %s (%s): %d", g.Title, g.Severity, g.Count)
		for _, p := range g.Pods {
			if strings.HasPrefix(p.Namespace, "bench-scan-") {
				ours++
			}
		}
	}
	if ours != namespaces*perNS {
		b.Fatalf("the scan diagnosed %d of the %d stuck pods", ours, namespaces*perNS)
	}
	// The binary end to end (start-up, kubeconfig, printing) for the same scan.
	binStart := time.Now()
	_ = exec.Command(pluginBin, "diagnose", "-A").Run() // exit 1: problems found
	binWall := time.Since(binStart)

	b.ReportMetric(float64(wall.Milliseconds()), "scan-ms")
	b.ReportMetric(float64(binWall.Milliseconds()), "binary-ms")
	b.ReportMetric(requests, "api-requests")
	b.ReportMetric(float64(rep.LogsRead), "log-requests")
	b.ReportMetric(float64(rep.NotReady), "pods-diagnosed")
	b.ReportMetric(wall.Seconds()/k8sgptSeconds, "wall-ratio-vs-k8sgpt")
	b.ReportMetric((wall.Seconds()/float64(rep.NotReady))/(k8sgptSeconds/k8sgptFindings), "per-finding-ratio-vs-k8sgpt")
	b.Logf("scan of %d not-Ready pods: %s in process, %s as the binary, %.0f API requests (%d of them logs); "+
		"k8sgpt's published figure: %.0f s for ~%.0f findings (targets: <= 2 s, <= 15 requests)",
		rep.NotReady, wall.Round(time.Millisecond), binWall.Round(time.Millisecond), requests, rep.LogsRead, k8sgptSeconds, k8sgptFindings)
}
