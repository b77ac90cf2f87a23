//go:build e2e

package e2e

// `kubectl initwait diagnose` on init containers that wait for a Job, pods
// or a Service through the Kubernetes API, as groundnuty/k8s-wait-for and
// `kubectl wait` do, on the real cluster. The upstream image cannot be
// pulled here: ghcr.io/kubectl-initwait/k8s-wait-for:e2e (test/cluster/images.sh)
// holds busybox, the cluster's kubectl and a wait_for.sh of this project
// with the same command line, so the pods really poll the API server with
// their ServiceAccount's token. Their ServiceAccount may not read Jobs
// (k8s-wait-for's most reported issue): the verdict says so first with the
// fix, and running the fix it suggests lets the wait end.
// Run: KUBECONFIG=.cluster/kubeconfig go test -tags e2e -run DiagnoseObjects ./test/e2e/

import (
	"context"
	"os/exec"
	"strings"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/diagnose"
)

const k8sWaitForImage = "ghcr.io/kubectl-initwait/k8s-wait-for:e2e"

func e2eJob(ns, name, script string) *batchv1.Job {
	return &batchv1.Job{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns, Labels: diagLabels},
		Spec: batchv1.JobSpec{BackoffLimit: ptr.To(int32(0)), Template: corev1.PodTemplateSpec{
			ObjectMeta: metav1.ObjectMeta{Labels: diagLabels},
			Spec: corev1.PodSpec{RestartPolicy: corev1.RestartPolicyNever, TerminationGracePeriodSeconds: new(int64),
				Containers: []corev1.Container{{Name: "main", Image: busybox, ImagePullPolicy: corev1.PullIfNotPresent, Command: []string{"sh", "-c", script}}}}}}}
}

// readerRole lets ServiceAccount sa of ns get, list and watch rules' resources in ns.
func readerRole(t *testing.T, ns, sa string, rules ...rbacv1.PolicyRule) {
	t.Helper()
	ctx := context.Background()
	if sa != "default" {
		if _, err := clientset.CoreV1().ServiceAccounts(ns).Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: sa, Namespace: ns}}, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := clientset.RbacV1().Roles(ns).Create(ctx, &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Name: sa + "-reader", Namespace: ns}, Rules: rules}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := clientset.RbacV1().RoleBindings(ns).Create(ctx, &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Name: sa + "-reader", Namespace: ns},
		RoleRef:  rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "Role", Name: sa + "-reader"},
		Subjects: []rbacv1.Subject{{Kind: "ServiceAccount", Name: sa, Namespace: ns}}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
}

var readVerbs = []string{"get", "list", "watch"}

func TestDiagnoseObjectsK8sWaitFor(t *testing.T) {
	t.Parallel()
	ns := newNamespace(t, "diag-objects")
	ctx := context.Background()
	// "waiter" may read what it waits for; "default" may read nothing.
	readerRole(t, ns, "waiter", rbacv1.PolicyRule{APIGroups: []string{"batch"}, Resources: []string{"jobs"}, Verbs: readVerbs},
		rbacv1.PolicyRule{APIGroups: []string{""}, Resources: []string{"pods", "services"}, Verbs: readVerbs})
	// "viewer" may read what diagnose reads of one pod, but not create SubjectAccessReviews.
	readerRole(t, ns, "viewer", rbacv1.PolicyRule{APIGroups: []string{"batch"}, Resources: []string{"jobs"}, Verbs: readVerbs},
		rbacv1.PolicyRule{APIGroups: []string{""}, Resources: []string{"pods", "pods/log", "services", "events", "configmaps", "secrets"}, Verbs: readVerbs},
		rbacv1.PolicyRule{APIGroups: []string{"discovery.k8s.io"}, Resources: []string{"endpointslices"}, Verbs: readVerbs})
	for _, j := range []*batchv1.Job{e2eJob(ns, "migrate", "sleep 60"), e2eJob(ns, "broken", "echo 'relation users does not exist'; exit 1")} {
		if _, err := clientset.BatchV1().Jobs(ns).Create(ctx, j, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	// groundnuty/k8s-wait-for, README.md (example StatefulSet: image groundnuty/k8s-wait-for,
	// args ["job", "develop-onezone-ready-check"] and ["pod", "-lapp=develop-volume-ceph-krakow"]),
	// with our names and image.
	wf := func(name, sa string, args ...string) *corev1.Pod {
		p := waitsPod(ns, name, corev1.Container{Image: k8sWaitForImage, Args: args})
		p.Spec.ServiceAccountName = sa
		return p
	}
	// elixierco/elixier, helm/elixier-old/templates/_helpers/wait-createdb.tpl (bitnami/kubectl,
	// args ["wait", "job/...", "--for=condition=complete", "--timeout=300s"]), our kubectl image.
	kw := waitsPod(ns, "kubectl-wait", corev1.Container{Image: k8sWaitForImage, Command: []string{"kubectl"},
		Args: []string{"wait", "job/migrate", "--for=condition=complete", "--timeout=300s"}})
	kw.Spec.ServiceAccountName = "waiter"
	createPods(t, wf("forbidden", "default", "job", "migrate"), wf("missing-job", "waiter", "job", "nope"),
		wf("failed-job", "waiter", "job", "broken"), wf("no-pods", "waiter", "pod", "-lapp=develop-volume-ceph-krakow"), kw)
	waitFor(t, 2*time.Minute, "the waits to poll the API server", func(ctx context.Context) (bool, error) {
		if !strings.Contains(podLog(ctx, ns, "forbidden", false), "(Forbidden)") {
			return false, nil
		}
		j, err := clientset.BatchV1().Jobs(ns).Get(ctx, "broken", metav1.GetOptions{})
		if err != nil || !jobCondition(j, batchv1.JobFailed) {
			return false, err
		}
		// Every wait's init container running in the pod's status too: a busy kubelet may
		// report it a while after its first lines are logged, and diagnose reads the status.
		for _, pod := range []string{"forbidden", "missing-job", "failed-job", "no-pods", "kubectl-wait"} {
			st, err := initState(ctx, ns, pod)
			if err != nil || st == nil || st.State.Running == nil {
				return false, err
			}
		}
		return true, nil
	})

	// 1. The ServiceAccount may not get the Job: that comes first, with the fix; the log is evidence.
	p := verdictOf(t, ns, "forbidden", 1,
		`wait: ServiceAccount "default" of namespace "`+ns+`" may not get jobs in namespace "`+ns+`", so k8s-wait-for can never see job/migrate: grant it get, list, watch on jobs.batch with a Role and a RoleBinding`,
		`its log says "Error from server (Forbidden): jobs.batch \"migrate\" is forbidden: User \"system:serviceaccount:`+ns+`:default\" cannot get resource \"jobs\"`,
		`meanwhile Job "migrate" has not completed yet`)
	if p.Cause != diagnose.CauseForbidden {
		t.Errorf("forbidden: cause %q", p.Cause)
	}
	// 2-4. What the Job or pods do, when the ServiceAccount may read them.
	verdictOf(t, ns, "missing-job", 1, `wait waits for job/nope, but Job "nope" does not exist in namespace "`+ns+`"`,
		`ServiceAccount "waiter" of namespace "`+ns+`" may read it (get, list, watch on jobs.batch)`)
	verdictOf(t, ns, "failed-job", 1, `wait waits for job/broken, but Job "broken" failed (BackoffLimitExceeded: `)
	verdictOf(t, ns, "no-pods", 1, `wait waits for pod -l app=develop-volume-ceph-krakow, but no Pod in namespace "`+ns+`" matches app=develop-volume-ceph-krakow`)
	verdictOf(t, ns, "kubectl-wait", 0, `wait waits for job/migrate: Job "migrate" has not completed yet: 1 active`)

	// 5. A user who may not create SubjectAccessReviews still gets a verdict, and is told; the
	// log's Forbidden lines then say what the review would have.
	rep, code := diagJSON(t, "pod/forbidden", "-n", ns, "--as=system:serviceaccount:"+ns+":viewer")
	if len(rep.Pods) != 1 {
		t.Fatalf("as viewer: %d pods", len(rep.Pods))
	}
	asViewer := rep.Pods[0]
	if ev := strings.Join(asViewer.Evidence, "\n"); code != 1 || asViewer.Cause != diagnose.CauseForbidden ||
		!strings.Contains(asViewer.Verdict, `wait: the API server refuses ServiceAccount "default" of namespace "`+ns+`" (its log: Forbidden), so k8s-wait-for can never see job/migrate`) ||
		!strings.Contains(ev, `could not check whether ServiceAccount "default" of namespace "`+ns+`" may get jobs: you may not create subjectaccessreviews.authorization.k8s.io`) {
		t.Errorf("as viewer: exit %d, cause %s, verdict %q\n%s", code, asViewer.Cause, asViewer.Verdict, ev)
	}

	// 6. The scan groups them, forbidden first among equals.
	out, _, code := diagRun(t, "-n", ns)
	for _, s := range []string{"ServiceAccount may not read what it waits for: 1 pod(s)\n", "missing object it waits for: 2 pod(s)\n", "dependency not ready: 1 pod(s)\n"} {
		if code != 1 || !strings.Contains(out, s) {
			t.Errorf("scan (exit %d) lacks %q:\n%s", code, s, out)
		}
	}

	// 7. Run the fix the report suggests: the wait then sees the Job, which completes, and the pod is Ready.
	for _, next := range p.Next {
		if !strings.HasPrefix(next, "kubectl create role") {
			continue
		}
		args := strings.Fields(strings.TrimPrefix(next, "kubectl "))
		if out, err := exec.Command(kubectlBin(), args...).CombinedOutput(); err != nil {
			t.Fatalf("%s: %v\n%s", next, err, out)
		}
	}
	waitFor(t, 2*time.Minute, "pods forbidden and kubectl-wait to be Ready", func(ctx context.Context) (bool, error) {
		for _, n := range []string{"forbidden", "kubectl-wait"} {
			p, err := clientset.CoreV1().Pods(ns).Get(ctx, n, metav1.GetOptions{})
			if err != nil || !isPodReady(p) {
				return false, err
			}
		}
		return true, nil
	})
	verdictOf(t, ns, "forbidden", 0, "Ready")
}

func jobCondition(j *batchv1.Job, c batchv1.JobConditionType) bool {
	for _, jc := range j.Status.Conditions {
		if jc.Type == c && jc.Status == corev1.ConditionTrue {
			return true
		}
	}
	return false
}
