//go:build e2e

package e2e

// `kubectl initwait diagnose` on the real cluster, following the seed's story:
// webapp's init container waits with pg_isready for postgres:5432; diagnose
// names the missing Service, then a Service that selects nothing, then a
// database pod that is starting (no ready endpoints), and exits 0 once all is
// Ready. Also: the STATUS it prints is kubectl's, and bad input is one line.
// Run: KUBECONFIG=.cluster/kubeconfig go test -tags e2e -run Diagnose ./test/e2e/

import (
	"context"
	"encoding/json"
	"errors"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/diagnose"
)

var diagLabels = map[string]string{
	"app.kubernetes.io/managed-by": "kubectl-initwait",
	"app.kubernetes.io/part-of":    "initwait-demo",
}

// diagRun runs `kubectl initwait diagnose args...`; it returns stdout, stderr and the exit code.
func diagRun(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, pluginBin, append([]string{"diagnose"}, args...)...)
	var out, errOut strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	code := 0
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		code = exit.ExitCode()
	} else if err != nil {
		t.Fatalf("running diagnose: %v", err)
	}
	return out.String(), errOut.String(), code
}

// diagJSON runs diagnose -o json and decodes the report.
func diagJSON(t *testing.T, args ...string) (*diagnose.Report, int) {
	t.Helper()
	out, errOut, code := diagRun(t, append(args, "-o", "json")...)
	var rep diagnose.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("diagnose -o json (exit %d): %v\nstdout: %s\nstderr: %s", code, err, out, errOut)
	}
	return &rep, code
}

func diagDeployment(ns, name string, lbls map[string]string, init []corev1.Container, app corev1.Container, vols []corev1.Volume) *appsv1.Deployment {
	all := map[string]string{}
	for k, v := range diagLabels {
		all[k] = v
	}
	for k, v := range lbls {
		all[k] = v
	}
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns, Labels: all},
		Spec: appsv1.DeploymentSpec{
			Selector: &metav1.LabelSelector{MatchLabels: lbls},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: all},
				Spec: corev1.PodSpec{InitContainers: init, Containers: []corev1.Container{app}, Volumes: vols,
					TerminationGracePeriodSeconds: new(int64)},
			},
		},
	}
}

func TestDiagnoseFollowsTheChain(t *testing.T) {
	t.Parallel()
	ns := newNamespace(t, "diag")
	ctx := context.Background()
	webapp := diagDeployment(ns, "webapp", map[string]string{"app": "webapp"},
		[]corev1.Container{{Name: "check-db-ready", Image: "docker.io/library/postgres:15", ImagePullPolicy: corev1.PullIfNotPresent,
			Command: []string{"sh", "-c", "until pg_isready -h postgres -p 5432; do echo waiting for database; sleep 2; done"}}},
		corev1.Container{Name: "webapp", Image: "docker.io/library/busybox:1.37", ImagePullPolicy: corev1.PullIfNotPresent,
			Command: []string{"sleep", "3600"}}, nil)
	if _, err := clientset.AppsV1().Deployments(ns).Create(ctx, webapp, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}

	// 1. No Service: the verdict names it, exit 1, STATUS as kubectl prints it.
	var pod string
	waitFor(t, 2*time.Minute, "the init container to print a waiting line", func(ctx context.Context) (bool, error) {
		pods, err := clientset.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: "app=webapp"})
		if err != nil || len(pods.Items) != 1 {
			return false, err
		}
		pod = pods.Items[0].Name
		st := pods.Items[0].Status.InitContainerStatuses
		if len(st) == 0 || st[0].State.Running == nil {
			return false, nil
		}
		logs, err := clientset.CoreV1().Pods(ns).GetLogs(pod, &corev1.PodLogOptions{Container: "check-db-ready"}).DoRaw(ctx)
		return err == nil && strings.Contains(string(logs), "waiting for database"), nil
	})
	out, errOut, code := diagRun(t, "webapp", "-n", ns)
	first := strings.SplitN(out, "\n", 2)[0]
	want := regexp.MustCompile(`^` + regexp.QuoteMeta(pod) + `: Init:0/1 for \d+(m\d+)?s — check-db-ready waits for postgres:5432, but Service "postgres" does not exist in namespace "` + ns + `"$`)
	if code != 1 || !want.MatchString(first) {
		t.Fatalf("no Service: exit %d, first line %q, want exit 1 and %s\n%s%s", code, first, want, out, errOut)
	}
	if !strings.HasPrefix(errOut, "error: problem found: 1 of 1 pod(s)") || strings.Count(errOut, "\n") != 1 {
		t.Errorf("stderr %q: want one error line", errOut)
	}
	for _, s := range []string{"| waiting for database", "next: kubectl logs " + pod + " -n " + ns + " -c check-db-ready", "kubectl get svc -n " + ns} {
		if !strings.Contains(out, s) {
			t.Errorf("output lacks %q:\n%s", s, out)
		}
	}
	rep, _ := diagJSON(t, "deployment/webapp", "-n", ns)
	p := rep.Pods[0]
	kubectlStatus := strings.Fields(kubectl(t, "get", "pod", pod, "-n", ns, "--no-headers"))[2]
	if p.Status != kubectlStatus || p.Blocking == nil || p.Blocking.WaitingLines < 1 || p.Dependencies[0].Host != "postgres" || p.Dependencies[0].Port != 5432 {
		t.Errorf("JSON: status %q (kubectl %q), blocking %+v, deps %+v", p.Status, kubectlStatus, p.Blocking, p.Dependencies)
	}

	// 2. A Service whose selector matches nothing.
	svc := &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: "postgres", Namespace: ns, Labels: diagLabels},
		Spec: corev1.ServiceSpec{Selector: map[string]string{"app": "postgres"},
			Ports: []corev1.ServicePort{{Name: "postgres", Port: 5432, TargetPort: intstr.FromString("postgres")}}},
	}
	if _, err := clientset.CoreV1().Services(ns).Create(ctx, svc, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	out, _, code = diagRun(t, "webapp", "-n", ns)
	if wantS := `Service "postgres" selects app=postgres, which matches no pods in namespace "` + ns + `"`; code != 1 || !strings.Contains(out, wantS) {
		t.Fatalf("selector matches nothing: exit %d, want 1 and %q:\n%s", code, wantS, out)
	}

	// 3. The database starts: readiness is held back 25s, so diagnose must see no ready
	// endpoints and a backing pod that runs but is not Ready, and call it progress (exit 0).
	empty := func(name, path string) (corev1.Volume, corev1.VolumeMount) {
		return corev1.Volume{Name: name, VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}},
			corev1.VolumeMount{Name: name, MountPath: path}
	}
	var vols []corev1.Volume
	var mounts []corev1.VolumeMount
	for name, path := range map[string]string{"data": "/var/lib/postgresql/data", "run": "/var/run/postgresql", "tmp": "/tmp"} {
		v, m := empty(name, path)
		vols, mounts = append(vols, v), append(mounts, m)
	}
	db := diagDeployment(ns, "postgres", map[string]string{"app": "postgres"}, nil, corev1.Container{
		Name: "postgres", Image: "docker.io/library/postgres:15", ImagePullPolicy: corev1.PullIfNotPresent,
		Env:   []corev1.EnvVar{{Name: "POSTGRES_PASSWORD", Value: "e2e-secret"}, {Name: "POSTGRES_USER", Value: "app"}, {Name: "POSTGRES_DB", Value: "app"}},
		Ports: []corev1.ContainerPort{{Name: "postgres", ContainerPort: 5432}},
		ReadinessProbe: &corev1.Probe{
			ProbeHandler:        corev1.ProbeHandler{Exec: &corev1.ExecAction{Command: []string{"pg_isready", "-h", "127.0.0.1", "-U", "app"}}},
			InitialDelaySeconds: 25, PeriodSeconds: 2,
		},
		VolumeMounts: mounts,
	}, vols)
	if _, err := clientset.AppsV1().Deployments(ns).Create(ctx, db, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	var seen []string
	waitFor(t, 90*time.Second, "diagnose to report the database pod running but not Ready", func(ctx context.Context) (bool, error) {
		rep, code := diagJSON(t, "webapp", "-n", ns)
		p := rep.Pods[0]
		if len(p.Dependencies) == 0 {
			return false, nil
		}
		f := p.Dependencies[0].Finding
		if len(seen) == 0 || seen[len(seen)-1] != f {
			seen = append(seen, f)
		}
		if !strings.Contains(f, `Service "postgres" has no ready endpoints on port 5432`) || !strings.Contains(f, "but not Ready yet") {
			return false, nil
		}
		// Starting normally is progress, not a problem: exit 0.
		if p.Severity != diagnose.SeverityProgressing || code != 0 {
			return false, errors.New("a starting database was judged a problem: " + p.Verdict)
		}
		return true, nil
	})
	t.Logf("while the database starts:\n  %s", strings.Join(seen, "\n  "))

	// 4. Everything Ready: exit 0.
	waitFor(t, 3*time.Minute, "webapp to become Ready", func(ctx context.Context) (bool, error) {
		d, err := clientset.AppsV1().Deployments(ns).Get(ctx, "webapp", metav1.GetOptions{})
		return err == nil && d.Status.ReadyReplicas == 1, err
	})
	out, errOut, code = diagRun(t, "webapp", "-n", ns)
	if code != 0 || !strings.Contains(out, ": Running — Ready") || !strings.Contains(out, "1 ready, 0 progressing, 0 with a problem") {
		t.Fatalf("all Ready: exit %d, want 0:\n%s%s", code, out, errOut)
	}
	out, _, code = diagRun(t, "-l", "app.kubernetes.io/part-of=initwait-demo", "-n", ns)
	if code != 0 || !strings.Contains(out, "2 pod(s)") {
		t.Errorf("selector over both: exit %d:\n%s", code, out)
	}
}

func TestDiagnoseBadInput(t *testing.T) {
	t.Parallel()
	ns := newNamespace(t, "diag-bad")
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"nope", "-n", ns}, `error: deployment "nope" not found in namespace "` + ns + `"`},
		{[]string{"pod/nope", "-n", ns}, `error: pod "nope" not found in namespace "` + ns + `"`},
		{[]string{"-l", "app=nothing", "-n", ns}, `error: no pods match -l app=nothing (selector app=nothing) in namespace "` + ns + `"`},
		{[]string{"service/x", "-n", ns}, `error: unsupported target type "service" (Service): use a kind that runs pods: deployment, statefulset, daemonset, replicaset, job or pod`},
		{[]string{"x", "--server", "https://127.0.0.1:1", "--kubeconfig", "/dev/null", "--insecure-skip-tls-verify"}, "error: cannot reach the cluster at https://127.0.0.1:1: "},
	}
	for _, tt := range tests {
		out, errOut, code := diagRun(t, tt.args...)
		if code != 1 || out != "" || !strings.HasPrefix(errOut, tt.want) || strings.Count(errOut, "\n") != 1 {
			t.Errorf("diagnose %q: exit %d, stdout %q, stderr %q; want exit 1 and one line %q", tt.args, code, out, errOut, tt.want)
		}
	}
}

// TestDiagnoseFailedJobAndServiceAccountNamespace: a Job's pod whose init
// container exits 2 (restartPolicy Never) names that container, its exit
// code and log; the Kubernetes docs' init-container example, which reads
// the namespace from the service account, is looked up in the pod's namespace.
func TestDiagnoseFailedJobAndServiceAccountNamespace(t *testing.T) {
	t.Parallel()
	ns := newNamespace(t, "fx-diag-e2e")
	ctx := context.Background()
	busybox := func(name string, script string) corev1.Container {
		return corev1.Container{Name: name, Image: "docker.io/library/busybox:1.37", ImagePullPolicy: corev1.PullIfNotPresent,
			Command: []string{"sh", "-c", script}}
	}
	job := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "failjob", Namespace: ns, Labels: diagLabels},
		Spec: corev1.PodSpec{RestartPolicy: corev1.RestartPolicyNever, TerminationGracePeriodSeconds: new(int64),
			InitContainers: []corev1.Container{busybox("migrate", "echo 'relation users does not exist'; exit 2")},
			Containers:     []corev1.Container{busybox("main", "true")}},
	}
	docs := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "myapp", Namespace: ns, Labels: diagLabels},
		Spec: corev1.PodSpec{TerminationGracePeriodSeconds: new(int64),
			InitContainers: []corev1.Container{busybox("init-myservice",
				"until nslookup myservice.$(cat /var/run/secrets/kubernetes.io/serviceaccount/namespace).svc.cluster.local; do echo waiting for myservice; sleep 2; done")},
			Containers: []corev1.Container{busybox("app", "sleep 3600")}},
	}
	for _, p := range []*corev1.Pod{job, docs} {
		if _, err := clientset.CoreV1().Pods(ns).Create(ctx, p, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, 2*time.Minute, "failjob to fail and myapp's init container to run", func(ctx context.Context) (bool, error) {
		f, err := clientset.CoreV1().Pods(ns).Get(ctx, "failjob", metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		m, err := clientset.CoreV1().Pods(ns).Get(ctx, "myapp", metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		st := m.Status.InitContainerStatuses
		return f.Status.Phase == corev1.PodFailed && len(st) == 1 && st[0].State.Running != nil, nil
	})

	out, _, code := diagRun(t, "pod/failjob", "-n", ns)
	if code != 1 || !strings.Contains(out, `init container "migrate" exited 2 (Error); the pod failed`) ||
		!strings.Contains(out, "| relation users does not exist") {
		t.Errorf("failed Job pod (exit %d):\n%s", code, out)
	}
	rep, code := diagJSON(t, "pod/myapp", "-n", ns)
	want := `Service "myservice" does not exist in namespace "` + ns + `"`
	if code != 1 || len(rep.Pods) != 1 || !strings.Contains(rep.Pods[0].Verdict, want) {
		t.Errorf("docs example (exit %d): %+v, want a verdict containing %q", code, rep.Pods, want)
	}
}
