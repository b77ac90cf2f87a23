//go:build e2e

package e2e

// Targets on the real cluster: watch and diagnose resolve every TYPE
// spelling kubectl accepts through the cluster's discovery (the RESTMapper
// of the kubeconfig flags), in both forms TYPE/NAME and TYPE NAME, and
// refuse a TYPE that runs no pods in one line that names the kinds that do.
// Run: KUBECONFIG=.cluster/kubeconfig go test -tags e2e -run Target ./test/e2e/

import (
	"context"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

// targetFixture creates Deployment web and StatefulSet db of one replica
// each, Ready a moment after they start, and a Service and a ConfigMap
// (which run no pods); it returns the name of web's pod once both are Ready.
func targetFixture(t *testing.T, ctx context.Context, ns string) string {
	t.Helper()
	web := deployment(ns, "web", []corev1.Container{shContainer("init", "echo init of web")}, untilReadyApp("true"))
	if _, err := clientset.AppsV1().Deployments(ns).Create(ctx, web, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	labels := map[string]string{"app": "db"}
	db := &appsv1.StatefulSet{ObjectMeta: metav1.ObjectMeta{Name: "db", Namespace: ns},
		Spec: appsv1.StatefulSetSpec{Replicas: ptr.To[int32](1), ServiceName: "db",
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec: corev1.PodSpec{Containers: []corev1.Container{untilReadyApp("true")}, TerminationGracePeriodSeconds: ptr.To[int64](1)}}}}
	if _, err := clientset.AppsV1().StatefulSets(ns).Create(ctx, db, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	svc := &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: ns},
		Spec: corev1.ServiceSpec{Selector: map[string]string{"app": "web"}, Ports: []corev1.ServicePort{{Port: 80}}}}
	if _, err := clientset.CoreV1().Services(ns).Create(ctx, svc, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "cfg", Namespace: ns}}
	if _, err := clientset.CoreV1().ConfigMaps(ns).Create(ctx, cm, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	var pod string
	waitFor(t, 2*time.Minute, "web and db Ready", func(ctx context.Context) (bool, error) {
		pods, err := clientset.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{})
		if err != nil || len(pods.Items) != 2 {
			return false, nil
		}
		for i := range pods.Items {
			if !isPodReady(&pods.Items[i]) {
				return false, nil
			}
			if pods.Items[i].Labels["app"] == "web" {
				pod = pods.Items[i].Name
			}
		}
		return pod != "", nil
	})
	return pod
}

func TestTargetSpellings(t *testing.T) {
	t.Parallel()
	ns := newNamespace(t, "target")
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Minute)
	defer cancel()
	pod := targetFixture(t, ctx, ns)
	tests := []struct {
		args []string
		// want is the target as diagnose reports it; pod is a pod of it.
		want, pod string
	}{
		{[]string{"web"}, "deployment/web", pod},
		{[]string{"deploy/web"}, "deployment/web", pod},
		{[]string{"deployments.v1.apps/web"}, "deployment/web", pod},
		{[]string{"deployment", "web"}, "deployment/web", pod},
		{[]string{"Deployment.apps", "web"}, "deployment/web", pod},
		{[]string{"sts/db"}, "statefulset/db", "db-0"},
		{[]string{"statefulsets.apps", "db"}, "statefulset/db", "db-0"},
		{[]string{"po/" + pod}, "pod/" + pod, pod},
		{[]string{"pods", pod}, "pod/" + pod, pod},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			args := append([]string{"watch", "-n", ns, "-o", "json", "--until", "ready", "--timeout", "1m"}, tt.args...)
			plugin, rec, stderr := startPlugin(t, ctx, args...)
			if err := plugin.Wait(); err != nil {
				t.Fatalf("watch %q: %v\n%s", tt.args, err, stderr)
			}
			seen := false
			for _, j := range jsonLines(t, rec.snapshot()) {
				seen = seen || j.Kind == "status" && j.Pod == tt.pod
			}
			if !seen {
				t.Errorf("watch %q: no status line of pod %s:\n%s", tt.args, tt.pod, strings.Join(rec.snapshot(), "\n"))
			}

			rep, code := diagJSON(t, append([]string{"-n", ns}, tt.args...)...)
			if code != 0 || rep.Target != tt.want || len(rep.Pods) != 1 || rep.Pods[0].Name != tt.pod {
				t.Errorf("diagnose %q: exit %d, target %q, pods %+v; want exit 0, %s and pod %s", tt.args, code, rep.Target, rep.Pods, tt.want, tt.pod)
			}
		})
	}
}

// TestTargetBadType: a TYPE that runs no pods, or that the cluster does not
// serve, is refused by both commands in the same one line.
func TestTargetBadType(t *testing.T) {
	t.Parallel()
	ns := newNamespace(t, "target-bad")
	const kinds = ": use a kind that runs pods: deployment, statefulset, daemonset, replicaset, job or pod\n"
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"svc/web"}, `error: unsupported target type "svc" (Service)` + kinds},
		{[]string{"configmap", "cfg"}, `error: unsupported target type "configmap" (ConfigMap)` + kinds},
		{[]string{"foo/x"}, `error: unsupported target type "foo" (the cluster has no such resource type)` + kinds},
		{[]string{"pod.batch/x"}, `error: unsupported target type "pod.batch" (the cluster has no such resource type)` + kinds},
		{[]string{"deploy/"}, `error: invalid target "deploy/": use NAME (a Deployment), TYPE/NAME, TYPE NAME or -l SELECTOR` + "\n"},
		{[]string{"sts", "nope"}, `error: statefulset "nope" not found in namespace "` + ns + `"` + "\n"},
	}
	for _, tt := range tests {
		for _, command := range []string{"watch", "diagnose"} {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			plugin, rec, stderr := startPlugin(t, ctx, append([]string{command, "-n", ns}, tt.args...)...)
			err := plugin.Wait()
			cancel()
			if err == nil || plugin.ProcessState.ExitCode() != 1 || stderr.String() != tt.want || len(rec.snapshot()) != 0 {
				t.Errorf("%s %q: exit %v, stdout %q, stderr %q; want exit 1 and %q", command, tt.args, err, rec.snapshot(), stderr, tt.want)
			}
		}
	}
}
