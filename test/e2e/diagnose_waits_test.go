//go:build e2e

package e2e

// `kubectl initwait diagnose` on the waits of issue 14 beyond host probes,
// on the real cluster: a file on an emptyDir that nothing running can
// write, a file on a hostPath that something on the node writes (here: this
// test, on the node's own filesystem), scripts whose host is $1 (inline
// with `sh -c ... -- postgres`, and a ConfigMap's script run with bash or
// by its path), and bad input (a 1 MB script, unbalanced quotes, 20 init
// containers): a verdict each, never a crash or a hang.
// Run: KUBECONFIG=.cluster/kubeconfig go test -tags e2e -run DiagnoseWaits ./test/e2e/

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/diagnose"
)

const postgresImage = "docker.io/library/postgres:15"

// waitsPod is a pod whose init container "wait" is c (image busybox unless
// set), with an app container that sleeps.
func waitsPod(ns, name string, c corev1.Container, vols ...corev1.Volume) *corev1.Pod {
	c.Name = "wait"
	if c.Image == "" {
		c.Image = busybox
	}
	c.ImagePullPolicy = corev1.PullIfNotPresent
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns, Labels: diagLabels},
		Spec: corev1.PodSpec{TerminationGracePeriodSeconds: new(int64), Volumes: vols,
			InitContainers: []corev1.Container{c},
			Containers:     []corev1.Container{{Name: "app", Image: busybox, ImagePullPolicy: corev1.PullIfNotPresent, Command: []string{"sleep", "3600"}}}},
	}
}

func createPods(t *testing.T, pods ...*corev1.Pod) {
	t.Helper()
	for _, p := range pods {
		if _, err := clientset.CoreV1().Pods(p.Namespace).Create(context.Background(), p, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
}

// waitRunning waits until the init container of every named pod runs (or has exited once).
func waitRunning(t *testing.T, ns string, names ...string) {
	t.Helper()
	waitFor(t, 2*time.Minute, "the init containers to run", func(ctx context.Context) (bool, error) {
		for _, n := range names {
			st, err := initState(ctx, ns, n)
			if err != nil || st == nil || st.State.Running == nil && st.State.Terminated == nil && st.LastTerminationState.Terminated == nil {
				return false, err
			}
		}
		return true, nil
	})
}

// verdictOf diagnoses pod/name and checks the exit code, that the verdict
// contains verdict and the evidence each of evidence.
func verdictOf(t *testing.T, ns, name string, wantCode int, verdict string, evidence ...string) diagnose.PodReport {
	t.Helper()
	p, code := podReport(t, ns, name)
	return checkVerdict(t, name, p, code, wantCode, verdict, evidence...)
}

// crashVerdictOf is verdictOf for a crash-looping container, from its
// crashReport.
func crashVerdictOf(t *testing.T, ns, name string, wantCode int, verdict string, evidence ...string) diagnose.PodReport {
	t.Helper()
	p, code := crashReport(t, ns, name)
	return checkVerdict(t, name, p, code, wantCode, verdict, evidence...)
}

// crashReport is podReport of a crash-looping pod, diagnosed again until its
// blocking container's status holds an ended instance and none running, which
// is what a crash's verdict and its exit code are about. Between two instances
// the status can hold neither: a shell that fails at once still shows Running
// until the kubelet's next relist (a second or more under load), and the
// kubelet's container GC counts a created, not yet running container as dead
// (kuberuntime_gc.go), so it can remove the last ended instance as the next
// is created.
func crashReport(t *testing.T, ns, name string) (diagnose.PodReport, int) {
	t.Helper()
	var p diagnose.PodReport
	var code int
	waitFor(t, time.Minute, name+"'s report with an ended instance and none running", func(context.Context) (bool, error) {
		p, code = podReport(t, ns, name)
		return p.Blocking != nil && p.Blocking.State != "running" && p.Blocking.LastExitCode != nil, nil
	})
	return p, code
}

// podReport is diagnose -o json's report of pod name and the exit code.
func podReport(t *testing.T, ns, name string) (diagnose.PodReport, int) {
	t.Helper()
	rep, code := diagJSON(t, "pod/"+name, "-n", ns)
	if len(rep.Pods) != 1 {
		t.Fatalf("%s: %d pods", name, len(rep.Pods))
	}
	return rep.Pods[0], code
}

// checkVerdict checks report p of pod name as verdictOf says.
func checkVerdict(t *testing.T, name string, p diagnose.PodReport, code, wantCode int, verdict string, evidence ...string) diagnose.PodReport {
	t.Helper()
	all := strings.Join(p.Evidence, "\n")
	if code != wantCode || !strings.Contains(p.Verdict, verdict) {
		t.Errorf("%s: exit %d, verdict %q\n want exit %d and %q\n evidence:\n%s", name, code, p.Verdict, wantCode, verdict, all)
	}
	for _, e := range evidence {
		if !strings.Contains(all, e) {
			t.Errorf("%s: evidence lacks %q:\n%s", name, e, all)
		}
	}
	return p
}

func TestDiagnoseWaitsFiles(t *testing.T) {
	t.Parallel()
	ns := newNamespace(t, "diag-files")
	// The node is this machine: a hostPath of our own, removed at the end.
	hostDir := filepath.Join("/run/initwait-e2e", ns)
	t.Cleanup(func() { _ = os.RemoveAll(hostDir) })
	dirOrCreate := corev1.HostPathDirectoryOrCreate
	empty := corev1.Volume{Name: "secrets-pv-volume", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}}
	host := corev1.Volume{Name: "x", VolumeSource: corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: hostDir, Type: &dirOrCreate}}}

	// IBM/charts, components/ug/charts/gov-user-prefs-service-chart/templates/_wait-services.tpl
	// ("wait-services"): there the path is on a claim; here on an emptyDir that only the app
	// container (which cannot run before init ends) mounts.
	ibm := waitsPod(ns, "emptydir", corev1.Container{Command: []string{"sh", "-c", "--"},
		Args:         []string{"sleep 60; while [ ! -f /tmp/jwtkey.cer ]; do sleep 2; done;"},
		VolumeMounts: []corev1.VolumeMount{{Name: "secrets-pv-volume", MountPath: "/tmp"}}}, empty)
	ibm.Spec.Containers[0].VolumeMounts = []corev1.VolumeMount{{Name: "secrets-pv-volume", MountPath: "/secrets"}}
	// The issue's own example (issue 14, "File and condition waits"), on a hostPath that a
	// node agent pod also mounts.
	onHost := waitsPod(ns, "hostpath", corev1.Container{Command: []string{"sh", "-c", "until [ -f /run/x/ready ]; do echo waiting for /run/x/ready; sleep 1; done"},
		VolumeMounts: []corev1.VolumeMount{{Name: "x", MountPath: "/run/x"}}}, host)
	agent := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "node-agent", Namespace: ns, Labels: diagLabels},
		Spec: corev1.PodSpec{TerminationGracePeriodSeconds: new(int64), Volumes: []corev1.Volume{host},
			Containers: []corev1.Container{{Name: "agent", Image: busybox, ImagePullPolicy: corev1.PullIfNotPresent,
				Command: []string{"sleep", "3600"}, VolumeMounts: []corev1.VolumeMount{{Name: "x", MountPath: "/out"}}}}}}
	createPods(t, ibm, onHost)
	waitRunning(t, ns, "emptydir", "hostpath")
	p := verdictOf(t, ns, "emptydir", 1,
		`wait waits for /tmp/jwtkey.cer, but /tmp/jwtkey.cer is on emptyDir volume "secrets-pv-volume"; only container "app" mounts it writable, and it does not run while "wait" waits`)
	if p.Cause != diagnose.CauseWaitingFile || len(p.Dependencies) != 1 || p.Dependencies[0].Volume == nil || p.Dependencies[0].Volume.Kind != "emptyDir" {
		t.Errorf("emptydir: cause %s, dependencies %+v", p.Cause, p.Dependencies)
	}
	got, err := clientset.CoreV1().Pods(ns).Get(context.Background(), "hostpath", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	node := got.Spec.NodeName
	verdictOf(t, ns, "hostpath", 0, fmt.Sprintf(`wait waits for /run/x/ready: /run/x/ready is on hostPath volume "x" (%s on the node), and no other pod on node %s mounts %s/ready writable: only a process of the node itself can create it`, hostDir, node, hostDir))

	// A pod on the node that mounts the directory is named as a writer.
	createPods(t, agent)
	waitFor(t, time.Minute, "the node agent to run", func(ctx context.Context) (bool, error) {
		p, err := clientset.CoreV1().Pods(ns).Get(ctx, "node-agent", metav1.GetOptions{})
		return err == nil && isPodReady(p), err
	})
	verdictOf(t, ns, "hostpath", 0, fmt.Sprintf(`written on node %s: by container "agent" of pod %s/node-agent (hostPath %s), or a process of the node`, node, ns, hostDir),
		`container "agent" of pod `+ns+`/node-agent (hostPath `+hostDir+`) mounts it writable`)

	// Something on the node writes it (this test): the wait ends, the pod is Ready, exit 0.
	if err := os.WriteFile(filepath.Join(hostDir, "ready"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	waitFor(t, time.Minute, "pod hostpath to be Ready", func(ctx context.Context) (bool, error) {
		p, err := clientset.CoreV1().Pods(ns).Get(ctx, "hostpath", metav1.GetOptions{})
		return err == nil && isPodReady(p), err
	})
	verdictOf(t, ns, "hostpath", 0, "Ready")
}

// waitForPostgres is docker's wait-for-postgres.sh (docker/docs,
// content/manuals/compose/how-tos/startup-order.md, formerly
// compose/startup-order.md): the host is $1, the command to run after it the rest.
const waitForPostgres = `#!/bin/sh
# wait-for-postgres.sh

set -e

host="$1"
shift

until PGPASSWORD=$POSTGRES_PASSWORD psql -h "$host" -U "postgres" -c '\q'; do
  >&2 echo "Postgres is unavailable - sleeping"
  sleep 1
done

>&2 echo "Postgres is up - executing command"
exec "$@"
`

func TestDiagnoseWaitsScripts(t *testing.T) {
	t.Parallel()
	ns := newNamespace(t, "diag-scripts")
	ctx := context.Background()
	big := strings.Repeat("# padding to make the script one megabyte long\n", 1_000_000/48) + "until nslookup bigdb; do sleep 2; done\n"
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "scripts", Namespace: ns, Labels: diagLabels},
		Data: map[string]string{"wait-for-postgres.sh": waitForPostgres}}
	bigCM := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "big", Namespace: ns, Labels: diagLabels}, Data: map[string]string{"big.sh": big}}
	for _, c := range []*corev1.ConfigMap{cm, bigCM} {
		if _, err := clientset.CoreV1().ConfigMaps(ns).Create(ctx, c, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	scripts := corev1.Volume{Name: "scripts", VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{
		LocalObjectReference: corev1.LocalObjectReference{Name: "scripts"}, DefaultMode: ptr.To(int32(0o755))}}}
	bigVol := corev1.Volume{Name: "big", VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{
		LocalObjectReference: corev1.LocalObjectReference{Name: "big"}}}}
	mounts := []corev1.VolumeMount{{Name: "scripts", MountPath: "/scripts"}}
	pods := []*corev1.Pod{
		// The demo's check-db-ready (README) with the host as $1 of an inline script.
		waitsPod(ns, "inline-arg", corev1.Container{Image: postgresImage,
			Command: []string{"sh", "-c", `until pg_isready -h "$1" -p 5432; do echo waiting for database; sleep 2; done`, "--", "postgres"}}),
		// The nc form (keycloak's and sentry's charts wait with nc -z), the host read from $1.
		waitsPod(ns, "inline-nc", corev1.Container{Command: []string{"sh", "-c", `until nc -z "$1" 5432; do sleep 2; done`, "--", "postgres"}}),
		waitsPod(ns, "configmap-bash", corev1.Container{Image: postgresImage, VolumeMounts: mounts,
			Command: []string{"bash", "/scripts/wait-for-postgres.sh", "postgres", "echo", "ready"}}, scripts),
		waitsPod(ns, "configmap-path", corev1.Container{Image: postgresImage, VolumeMounts: mounts,
			Command: []string{"/scripts/wait-for-postgres.sh", "postgres"}}, scripts),
		waitsPod(ns, "big-script", corev1.Container{Command: []string{"sh", "/scripts/big.sh"},
			VolumeMounts: []corev1.VolumeMount{{Name: "big", MountPath: "/scripts"}}}, bigVol),
		waitsPod(ns, "unbalanced", corev1.Container{Command: []string{"sh", "-c", `until nc -z "db 5432; do sleep 1; done`}}),
	}
	many := waitsPod(ns, "twenty", corev1.Container{})
	many.Spec.InitContainers = nil
	for i := range 20 {
		script := "true"
		if i == 7 {
			script = "until nslookup svc-7; do echo waiting for svc-7; sleep 2; done"
		}
		many.Spec.InitContainers = append(many.Spec.InitContainers, corev1.Container{Name: fmt.Sprintf("init-%02d", i), Image: busybox,
			ImagePullPolicy: corev1.PullIfNotPresent, Command: []string{"sh", "-c", script}})
	}
	createPods(t, append(pods, many)...)
	waitRunning(t, ns, "inline-arg", "inline-nc", "configmap-bash", "configmap-path", "big-script", "unbalanced")
	waitFor(t, 2*time.Minute, "init-07 of pod twenty to run", func(ctx context.Context) (bool, error) {
		p, err := clientset.CoreV1().Pods(ns).Get(ctx, "twenty", metav1.GetOptions{})
		return err == nil && len(p.Status.InitContainerStatuses) == 20 && p.Status.InitContainerStatuses[7].State.Running != nil, err
	})

	missing := `Service "postgres" does not exist in namespace "` + ns + `"`
	verdictOf(t, ns, "inline-arg", 1, "wait waits for postgres:5432, but "+missing)
	verdictOf(t, ns, "inline-nc", 1, "wait waits for postgres:5432, but "+missing)
	verdictOf(t, ns, "configmap-bash", 1, "wait waits for postgres:5432, but "+missing)
	verdictOf(t, ns, "configmap-path", 1, "wait waits for postgres:5432, but "+missing)
	verdictOf(t, ns, "big-script", 0, "no dependency recognised",
		"command: script /scripts/big.sh is too large to read (")
	waitFor(t, time.Minute, "unbalanced to exit", func(ctx context.Context) (bool, error) {
		st, err := initState(ctx, ns, "unbalanced")
		return err == nil && st != nil && st.LastTerminationState.Terminated != nil || st != nil && st.State.Terminated != nil, err
	})
	crashVerdictOf(t, ns, "unbalanced", 1, "wait exits with code 2", "command: unparsable command (sh -c): 1:13: reached EOF without closing quote")
	verdictOf(t, ns, "twenty", 1, `init-07 waits for svc-7, but Service "svc-7" does not exist`, `init container "init-07" (8/20)`)

	// The scan reads the ConfigMap's script too, and groups the pods.
	out, _, code := diagRun(t, "-n", ns)
	for _, s := range []string{"missing Service: 5 pod(s)\n", "  configmap-path: Init:0/1", "  inline-nc: Init:0/1"} {
		if !strings.Contains(out, s) || code != 1 {
			t.Errorf("scan (exit %d) lacks %q:\n%s", code, s, out)
		}
	}

	// A Service whose pod never gets Ready: the $1 scripts now wait for its endpoints (progress, exit 0).
	db := waitsPod(ns, "db", corev1.Container{Command: []string{"true"}})
	db.Labels = map[string]string{"app": "postgres"}
	db.Spec.Containers[0].ReadinessProbe = &corev1.Probe{ProbeHandler: corev1.ProbeHandler{Exec: &corev1.ExecAction{Command: []string{"false"}}}, PeriodSeconds: 2}
	svc := &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: "postgres", Namespace: ns, Labels: diagLabels},
		Spec: corev1.ServiceSpec{Selector: map[string]string{"app": "postgres"}, Ports: []corev1.ServicePort{{Port: 5432, TargetPort: intstr.FromInt32(5432)}}}}
	createPods(t, db)
	if _, err := clientset.CoreV1().Services(ns).Create(ctx, svc, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, time.Minute, "the database pod to run", func(ctx context.Context) (bool, error) {
		p, err := clientset.CoreV1().Pods(ns).Get(ctx, "db", metav1.GetOptions{})
		return err == nil && p.Status.Phase == corev1.PodRunning, err
	})
	for _, name := range []string{"inline-arg", "inline-nc", "configmap-bash", "configmap-path"} {
		verdictOf(t, ns, name, 0, `wait waits for postgres:5432: Service "postgres" has no ready endpoints on port 5432 (target 5432): pod db is Running`)
	}
}
