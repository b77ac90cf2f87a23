package diagnose

import (
	"context"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	authorizationv1 "k8s.io/api/authorization/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/target"
	"github.com/kubectl-initwait/kubectl-initwait/plugin/waitfor"
)

// sarAnswers makes the fake API server answer SubjectAccessReviews: allow
// says what is allowed ("get jobs"), anything else is denied; err, when
// set, is the answer to every review. It records the reviews asked.
func sarAnswers(d *Diagnoser, allow map[string]bool, err error) *[]authorizationv1.SubjectAccessReviewSpec {
	var asked []authorizationv1.SubjectAccessReviewSpec
	d.Client.(*fake.Clientset).PrependReactor("create", "subjectaccessreviews", func(a k8stesting.Action) (bool, runtime.Object, error) {
		sar := a.(k8stesting.CreateAction).GetObject().(*authorizationv1.SubjectAccessReview)
		asked = append(asked, sar.Spec)
		if err != nil {
			return true, nil, err
		}
		ra := sar.Spec.ResourceAttributes
		sar.Status.Allowed = allow[ra.Verb+" "+ra.Resource]
		return true, sar, nil
	})
	return &asked
}

func job(name string, conds ...batchv1.JobCondition) *batchv1.Job {
	return &batchv1.Job{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		Spec:   batchv1.JobSpec{Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"job-name": name}}},
		Status: batchv1.JobStatus{Conditions: conds, Active: 1}}
}

// waitingOn makes the pod's init container run args in the k8s-wait-for image.
func waitingOn(args ...string) func(p *corev1.Pod) {
	return func(p *corev1.Pod) {
		c := &p.Spec.InitContainers[0]
		c.Image, c.Command, c.Args = "groundnuty/k8s-wait-for:v2.0", nil, args
	}
}

var readAll = map[string]bool{"get jobs": true, "list jobs": true, "watch jobs": true, "get pods": true, "list pods": true,
	"watch pods": true, "get services": true, "get deployments": true, "list deployments": true, "watch deployments": true}

// TestFollowObjects: a wait on a Job, Pod, Service or Deployment follows
// the object: missing, done, failed for good, or on its way with what its
// pods do; and the pod's ServiceAccount must be allowed to read it.
func TestFollowObjects(t *testing.T) {
	complete := batchv1.JobCondition{Type: batchv1.JobComplete, Status: corev1.ConditionTrue}
	failed := batchv1.JobCondition{Type: batchv1.JobFailed, Status: corev1.ConditionTrue, Reason: "BackoffLimitExceeded", Message: "Job has reached the specified backoff limit"}
	jobPod := dbPod("migrate-x1", false)
	jobPod.Labels = map[string]string{"job-name": "migrate"}
	jobPod.Status.ContainerStatuses[0].State = corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "ImagePullBackOff", Message: "Back-off pulling image"}}
	stuck := deployment("api", map[string]string{"app": "api"})
	stuck.Spec.Replicas = ptr(int32(2))
	stuck.Status = appsv1.DeploymentStatus{AvailableReplicas: 1, UpdatedReplicas: 2, Conditions: []appsv1.DeploymentCondition{{
		Type: appsv1.DeploymentProgressing, Status: corev1.ConditionFalse, Reason: "ProgressDeadlineExceeded", Message: `ReplicaSet "api-1" has timed out progressing.`}}}
	tests := []struct {
		name     string
		mutate   func(p *corev1.Pod)
		objs     []runtime.Object
		allow    map[string]bool
		sarErr   error
		severity Severity
		cause    Cause
		verdict  string
		evidence string
		next     string
	}{
		{name: "job missing", mutate: waitingOn("job", "migrate"), allow: readAll, severity: SeverityProblem, cause: CauseMissingObject,
			verdict:  `check-db-ready waits for job/migrate, but Job "migrate" does not exist in namespace "demo"`,
			evidence: `ServiceAccount "default" of namespace "demo" may read it (get, list, watch on jobs.batch)`},
		{name: "job complete", mutate: waitingOn("job", "migrate"), objs: []runtime.Object{job("migrate", complete)}, allow: readAll,
			severity: SeverityProgressing, verdict: `waits for job/migrate, which is ready now (Job "migrate" completed (0 succeeded)): its next attempt should pass`},
		{name: "job failed", mutate: waitingOn("job", "migrate"), objs: []runtime.Object{job("migrate", failed)}, allow: readAll,
			severity: SeverityProblem, cause: CauseDependency,
			verdict: `waits for job/migrate, but Job "migrate" failed (BackoffLimitExceeded: Job has reached the specified backoff limit, 1 active, 0 succeeded, 0 failed pod(s)), so it can never complete`,
			next:    "kubectl logs job/migrate -n demo"},
		{name: "job failed, wait-for -we accepts it", mutate: waitingOn("job-we", "migrate"), objs: []runtime.Object{job("migrate", failed)}, allow: readAll,
			severity: SeverityProgressing, verdict: "which is ready now"},
		{name: "job running, its pod cannot pull", mutate: waitingOn("job", "migrate"), objs: []runtime.Object{job("migrate"), jobPod}, allow: readAll,
			severity: SeverityProblem, cause: CauseDependency,
			verdict: `Job "migrate" has not completed yet: 1 active, 0 succeeded, 0 failed pod(s): pod migrate-x1 is Running: container "postgres" ImagePullBackOff`},
		{name: "kubectl wait on a job that runs", mutate: func(p *corev1.Pod) {
			p.Spec.InitContainers[0].Command = []string{"kubectl", "wait", "--for=condition=complete", "job/migrate", "--timeout=300s"}
		}, objs: []runtime.Object{job("migrate")}, allow: readAll, severity: SeverityProgressing,
			verdict: `waits for job/migrate: Job "migrate" has not completed yet: 1 active`},
		{name: "pods by label: none", mutate: waitingOn("pod", "-lapp=api"), allow: readAll, severity: SeverityProblem, cause: CauseMissingObject,
			verdict: `no Pod in namespace "demo" matches app=api`},
		{name: "pod by name, not Ready", mutate: waitingOn("pod", "db-0"), objs: []runtime.Object{dbPod("db-0", false)}, allow: readAll,
			severity: SeverityProgressing, verdict: `waits for pod/db-0: pod db-0 is Running, not Ready`},
		{name: "service without endpoints", mutate: waitingOn("service", "postgres"),
			objs: []runtime.Object{service("postgres", map[string]string{"app": "postgres"}), dbPod("db-0", false)}, allow: readAll,
			severity: SeverityProgressing, verdict: `waits for service/postgres: Service "postgres" has no ready endpoints`},
		{name: "rollout status past its deadline", mutate: func(p *corev1.Pod) {
			p.Spec.InitContainers[0].Command = sh("kubectl rollout status deployment/api --timeout=5m")
		}, objs: []runtime.Object{stuck}, allow: readAll, severity: SeverityProblem,
			verdict: `Deployment "api" exceeded its progress deadline: ReplicaSet "api-1" has timed out progressing.`},
		{name: "forbidden comes first", mutate: waitingOn("job", "migrate"), objs: []runtime.Object{job("migrate", complete)},
			allow: map[string]bool{"list jobs": true}, severity: SeverityProblem, cause: CauseForbidden,
			verdict:  `check-db-ready: ServiceAccount "default" of namespace "demo" may not get jobs in namespace "demo", so k8s-wait-for can never see job/migrate: grant it get, list, watch on jobs.batch with a Role and a RoleBinding`,
			evidence: `meanwhile Job "migrate" completed`,
			next:     "kubectl create rolebinding initwait-read-jobs -n demo --role=initwait-read-jobs --serviceaccount=demo:default"},
		{name: "kubectl wait needs watch too", mutate: func(p *corev1.Pod) {
			p.Spec.ServiceAccountName = "migrator"
			p.Spec.InitContainers[0].Command = []string{"kubectl", "wait", "--for=condition=complete", "job/migrate"}
		}, objs: []runtime.Object{job("migrate")}, allow: map[string]bool{"get jobs": true, "list jobs": true},
			severity: SeverityProblem, cause: CauseForbidden,
			verdict: `ServiceAccount "migrator" of namespace "demo" may not watch jobs in namespace "demo", so kubectl wait can never see job/migrate`,
			next:    "kubectl create role initwait-read-jobs -n demo --verb=get,list,watch --resource=jobs.batch"},
		{name: "no right to ask is not a problem", mutate: waitingOn("job", "migrate"), objs: []runtime.Object{job("migrate", complete)},
			sarErr:   apierrors.NewForbidden(authorizationv1.Resource("subjectaccessreviews"), "", nil),
			severity: SeverityProgressing, verdict: "which is ready now",
			evidence: `could not check whether ServiceAccount "default" of namespace "demo" may get jobs: you may not create subjectaccessreviews.authorization.k8s.io`},
		{name: "kubectl get loop until the job exists", mutate: func(p *corev1.Pod) {
			withCommand(p, "until kubectl get job migrate; do sleep 2; done")
		}, allow: readAll, severity: SeverityProblem, cause: CauseMissingObject, verdict: `waits for job/migrate, but Job "migrate" does not exist`},
		{name: "kubectl get loop on the job's status", mutate: func(p *corev1.Pod) {
			withCommand(p, "until [ \"$(kubectl get job migrate -o jsonpath='{.status.succeeded}')\" = 1 ]; do sleep 2; done")
		}, objs: []runtime.Object{job("migrate")}, allow: map[string]bool{}, severity: SeverityProblem, cause: CauseForbidden,
			verdict:  `may not get jobs in namespace "demo", so kubectl get can never see job/migrate`,
			evidence: `meanwhile Job "migrate" has not completed yet`},
		{name: "kubectl wait --for=delete of a gone pod", mutate: func(p *corev1.Pod) {
			p.Spec.InitContainers[0].Command = []string{"kubectl", "wait", "--for=delete", "pod/old", "--timeout=60s"}
		}, allow: readAll, severity: SeverityProgressing, verdict: `which is ready now (Pod "old" is gone from namespace "demo")`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := webappPod("webapp-1", "postgres")
			tt.mutate(p)
			objs := append([]runtime.Object{deployment("webapp", map[string]string{"app": "webapp"}), p}, tt.objs...)
			d := newDiagnoser(nil, objs...)
			sarAnswers(d, tt.allow, tt.sarErr)
			rep, err := d.Diagnose(context.Background(), ns, target.Spec{Kind: "pod", Name: "webapp-1"})
			if err != nil {
				t.Fatal(err)
			}
			got := rep.Pods[0]
			if got.Severity != tt.severity || !strings.Contains(got.Verdict, tt.verdict) || tt.cause != "" && got.Cause != tt.cause {
				t.Errorf("got %s %s %q\nwant %s %s ...%q", got.Severity, got.Cause, got.Verdict, tt.severity, tt.cause, tt.verdict)
			}
			if all := strings.Join(got.Evidence, "\n"); !strings.Contains(all, tt.evidence) {
				t.Errorf("evidence lacks %q:\n%s", tt.evidence, all)
			}
			if tt.next != "" && !contains(got.Next, tt.next) {
				t.Errorf("next %q lacks %q", got.Next, tt.next)
			}
		})
	}
}

// TestAccessReviewsOncePerAccountAndResource: a scan asks each question
// once, however many pods of a ServiceAccount wait on the same resource,
// as the ServiceAccount's user and groups.
func TestAccessReviewsOncePerAccountAndResource(t *testing.T) {
	var objs []runtime.Object
	for _, name := range []string{"a", "b", "c"} {
		p := webappPod("webapp-"+name, "postgres")
		waitingOn("job", "migrate")(p)
		objs = append(objs, p)
	}
	d := newDiagnoser(nil, append(objs, job("migrate"))...)
	asked := sarAnswers(d, map[string]bool{}, nil)
	rep, err := d.Scan(context.Background(), ns, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(*asked) != 1 || rep.Problems != 3 || rep.Groups[0].Cause != CauseForbidden {
		t.Fatalf("%d reviews for 3 pods (want 1: k8s-wait-for gets the Job by name), %d problems, groups %+v", len(*asked), rep.Problems, rep.Groups)
	}
	spec := (*asked)[0]
	if spec.User != "system:serviceaccount:demo:default" || strings.Join(spec.Groups, ",") != "system:serviceaccounts,system:serviceaccounts:demo,system:authenticated" ||
		spec.ResourceAttributes.Group != "batch" || spec.ResourceAttributes.Name != "migrate" {
		t.Errorf("review %+v %+v", spec, spec.ResourceAttributes)
	}
}

// TestForbiddenFromTheLog: when the access could not be asked, the log's
// Forbidden lines alone make it the verdict, with the fix.
func TestForbiddenFromTheLog(t *testing.T) {
	pod := webappPod("webapp-1", "postgres")
	cr := &ContainerReport{Name: "wait"}
	line := `Error from server (Forbidden): jobs.batch "migrate" is forbidden: User "system:serviceaccount:demo:default" cannot get resource "jobs" in API group "batch" in the namespace "demo"`
	dep := DependencyReport{Dependency: Dependency{Kind: "k8s", Tool: "k8s-wait-for", Object: &waitfor.Object{Kind: "job", Name: "migrate", Condition: "complete"}}, accessUnknown: true}
	if _, ok := forbiddenProblem(pod, cr, []DependencyReport{dep}); ok {
		t.Fatal("no Forbidden line in the log, access unknown: not a verdict")
	}
	cr.signals.scan(line)
	cr.signals.scan(line)
	tf, ok := forbiddenProblem(pod, cr, []DependencyReport{dep})
	want := `wait: the API server refuses ServiceAccount "default" of namespace "demo" (its log: Forbidden), so k8s-wait-for can never see job/migrate: grant it get, list, watch on jobs.batch with a Role and a RoleBinding`
	if !ok || tf.cause != CauseForbidden || tf.verdict != want || len(tf.evidence) != 1 || !strings.Contains(tf.evidence[0], "(2 times)") || len(tf.next) != 2 {
		t.Errorf("got %v %+v\nwant %q", ok, tf, want)
	}
}
