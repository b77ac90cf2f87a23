package target_test

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/client-go/kubernetes/fake"
	clienttesting "k8s.io/client-go/testing"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/apierr"
	"github.com/kubectl-initwait/kubectl-initwait/plugin/target"
	"github.com/kubectl-initwait/kubectl-initwait/plugin/target/targettest"
)

const ns = "demo"

func objectMeta(name string) metav1.ObjectMeta {
	return metav1.ObjectMeta{Name: name, Namespace: ns, UID: types.UID("uid-" + name)}
}

func selector(app string) *metav1.LabelSelector {
	return &metav1.LabelSelector{MatchLabels: map[string]string{"app": app}}
}

// cluster holds one object of every kind a target may be, and two that
// run no pods.
func cluster() []runtime.Object {
	return []runtime.Object{
		&appsv1.Deployment{ObjectMeta: objectMeta("webapp"), Spec: appsv1.DeploymentSpec{Selector: selector("webapp")}},
		&appsv1.Deployment{ObjectMeta: objectMeta("noselector")},
		&appsv1.StatefulSet{ObjectMeta: objectMeta("db"), Spec: appsv1.StatefulSetSpec{Selector: selector("db")}},
		&appsv1.ReplicaSet{ObjectMeta: objectMeta("webapp-5d8"), Spec: appsv1.ReplicaSetSpec{Selector: selector("webapp")}},
		&appsv1.DaemonSet{ObjectMeta: objectMeta("agent"), Spec: appsv1.DaemonSetSpec{Selector: selector("agent")}},
		&batchv1.Job{ObjectMeta: objectMeta("migrate"), Spec: batchv1.JobSpec{Selector: &metav1.LabelSelector{
			MatchLabels: map[string]string{"batch.kubernetes.io/controller-uid": "uid-migrate"}}}},
		&corev1.Pod{ObjectMeta: objectMeta("webapp-5d8-x2x9q")},
		&corev1.Service{ObjectMeta: objectMeta("webapp")},
		&corev1.ConfigMap{ObjectMeta: objectMeta("cfg")},
	}
}

// TestResolveSpellings resolves every spelling kubectl accepts for the six
// kinds through the mapper of the recorded v1.34 discovery.
func TestResolveSpellings(t *testing.T) {
	r := target.Resolver{Client: fake.NewClientset(cluster()...), Mapper: targettest.Mapper()}
	deploy := target.Target{Namespace: ns, LabelSelector: "app=webapp", Description: "deployment/webapp",
		Owners: []target.ObjectRef{{Kind: "Deployment", Name: "webapp", UID: "uid-webapp"}}, Kind: "Deployment", Name: "webapp"}
	sts := target.Target{Namespace: ns, LabelSelector: "app=db", Description: "statefulset/db",
		Owners: []target.ObjectRef{{Kind: "StatefulSet", Name: "db", UID: "uid-db"}}, Kind: "StatefulSet", Name: "db"}
	rs := target.Target{Namespace: ns, LabelSelector: "app=webapp", Description: "replicaset/webapp-5d8",
		Owners: []target.ObjectRef{{Kind: "ReplicaSet", Name: "webapp-5d8", UID: "uid-webapp-5d8"}}, Kind: "ReplicaSet", Name: "webapp-5d8"}
	ds := target.Target{Namespace: ns, LabelSelector: "app=agent", Description: "daemonset/agent",
		Owners: []target.ObjectRef{{Kind: "DaemonSet", Name: "agent", UID: "uid-agent"}}, Kind: "DaemonSet", Name: "agent"}
	job := target.Target{Namespace: ns, LabelSelector: "batch.kubernetes.io/controller-uid=uid-migrate", Description: "job/migrate",
		Owners: []target.ObjectRef{{Kind: "Job", Name: "migrate", UID: "uid-migrate"}}, Kind: "Job", Name: "migrate"}
	pod := target.Target{Namespace: ns, FieldSelector: "metadata.name=webapp-5d8-x2x9q", Description: "pod/webapp-5d8-x2x9q",
		Owners: []target.ObjectRef{{Kind: "Pod", Name: "webapp-5d8-x2x9q", UID: "uid-webapp-5d8-x2x9q"}}, Kind: "Pod", Name: "webapp-5d8-x2x9q"}
	tests := []struct {
		args []string
		want target.Target
	}{
		{[]string{"webapp"}, deploy},
		{[]string{"deploy/webapp"}, deploy},
		{[]string{"deployment/webapp"}, deploy},
		{[]string{"deployments/webapp"}, deploy},
		{[]string{"deployment.apps/webapp"}, deploy},
		{[]string{"deployments.apps/webapp"}, deploy},
		{[]string{"deployments.v1.apps/webapp"}, deploy},
		{[]string{"deploy.apps/webapp"}, deploy},
		{[]string{"Deployment/webapp"}, deploy},
		{[]string{"Deployment.v1.apps/webapp"}, deploy},
		{[]string{"deployment", "webapp"}, deploy},
		{[]string{"deploy", "webapp"}, deploy},
		{[]string{"deployments.v1.apps", "webapp"}, deploy},
		{[]string{"sts/db"}, sts},
		{[]string{"statefulset/db"}, sts},
		{[]string{"statefulsets.apps/db"}, sts},
		{[]string{"statefulset", "db"}, sts},
		{[]string{"rs/webapp-5d8"}, rs},
		{[]string{"replicasets.v1.apps/webapp-5d8"}, rs},
		{[]string{"ds/agent"}, ds},
		{[]string{"daemonset", "agent"}, ds},
		{[]string{"job/migrate"}, job},
		{[]string{"jobs.batch/migrate"}, job},
		{[]string{"jobs.v1.batch/migrate"}, job},
		{[]string{"Job", "migrate"}, job},
		{[]string{"po/webapp-5d8-x2x9q"}, pod},
		{[]string{"pod/webapp-5d8-x2x9q"}, pod},
		{[]string{"pods", "webapp-5d8-x2x9q"}, pod},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			spec, err := target.Parse(tt.args, "")
			if err != nil {
				t.Fatal(err)
			}
			got, err := r.Resolve(context.Background(), ns, spec)
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Resolve(%q) = %+v, %v;\nwant %+v", tt.args, got, err, tt.want)
			}
		})
	}
}

// TestResolveErrors: a TYPE that runs no pods or that the cluster does
// not serve, a missing object, a refusal, a bad selector: one line each,
// in the same words for every command.
func TestResolveErrors(t *testing.T) {
	const kindsRun = ": use a kind that runs pods: deployment, statefulset, daemonset, replicaset, job or pod"
	r := target.Resolver{Client: fake.NewClientset(cluster()...), Mapper: targettest.Mapper()}
	tests := []struct {
		spec target.Spec
		want string
	}{
		{target.Spec{Kind: "svc", Name: "webapp"}, `unsupported target type "svc" (Service)` + kindsRun},
		{target.Spec{Kind: "services", Name: "webapp"}, `unsupported target type "services" (Service)` + kindsRun},
		{target.Spec{Kind: "cm", Name: "cfg"}, `unsupported target type "cm" (ConfigMap)` + kindsRun},
		{target.Spec{Kind: "foo", Name: "x"}, `unsupported target type "foo" (the cluster has no such resource type)` + kindsRun},
		{target.Spec{Kind: "pod.batch", Name: "x"}, `unsupported target type "pod.batch" (the cluster has no such resource type)`},
		{target.Spec{Kind: "deployment.batch", Name: "x"}, `unsupported target type "deployment.batch" (the cluster has no such resource type)`},
		{target.Spec{Kind: "deployments.v1beta1.apps", Name: "x"}, `unsupported target type "deployments.v1beta1.apps" (the cluster has no such resource type)`},
		{target.Spec{Kind: "cronjob", Name: "x"}, `unsupported target type "cronjob" (CronJob)`},
		{target.Spec{Name: "nope"}, `deployment "nope" not found in namespace "demo"`},
		{target.Spec{Kind: "sts", Name: "nope"}, `statefulset "nope" not found in namespace "demo"`},
		{target.Spec{Kind: "po", Name: "nope"}, `pod "nope" not found in namespace "demo"`},
		{target.Spec{Name: "noselector"}, `deployment/noselector has an empty selector`},
		{target.Spec{}, "give a target: NAME (a Deployment), TYPE/NAME, TYPE NAME or -l SELECTOR"},
		{target.Spec{Kind: "deploy"}, `invalid target "deploy/"`},
		{target.Spec{Selector: "a in ("}, `invalid selector "a in ("`},
	}
	for _, tt := range tests {
		_, err := r.Resolve(context.Background(), ns, tt.spec)
		if err == nil || !strings.HasPrefix(err.Error(), tt.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("Resolve(%v) error = %v; want one line %q", tt.spec, err, tt.want)
		}
	}
}

func TestResolveSelector(t *testing.T) {
	got, err := target.Resolver{}.Resolve(context.Background(), ns, target.Spec{Selector: "app=web"})
	want := target.Target{Namespace: ns, LabelSelector: "app=web", Description: "pods matching app=web"}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("Resolve(-l app=web) = %+v, %v; want %+v", got, err, want)
	}
	if got.String() != "-l app=web" || got.Subject() != "app=web" {
		t.Errorf("String() = %q, Subject() = %q", got.String(), got.Subject())
	}
}

func TestResolveForbidden(t *testing.T) {
	client := fake.NewClientset(cluster()...)
	client.PrependReactor("get", "statefulsets", func(clienttesting.Action) (bool, runtime.Object, error) {
		return true, nil, apierr.RBACForbidden("system:serviceaccount:demo:viewer", "get",
			schema.GroupResource{Group: "apps", Resource: "statefulsets"}, "db", ns)
	})
	r := target.Resolver{Client: client, Mapper: targettest.Mapper()}
	_, err := r.Resolve(context.Background(), ns, target.Spec{Kind: "sts", Name: "db"})
	want := `forbidden: User "system:serviceaccount:demo:viewer" cannot get statefulsets.apps in namespace "demo"`
	if err == nil || err.Error() != want {
		t.Fatalf("error = %v; want %q", err, want)
	}
}

// TestResolveUnreachable: a TYPE needs discovery; a cluster that does not
// answer is named on one line, as for any other request.
func TestResolveUnreachable(t *testing.T) {
	flags := genericclioptions.NewConfigFlags(true)
	server, cache, kubeconfig := "https://127.0.0.1:1", t.TempDir(), "/dev/null"
	flags.APIServer, flags.CacheDir, flags.KubeConfig = &server, &cache, &kubeconfig
	mapper, err := flags.ToRESTMapper()
	if err != nil {
		t.Fatal(err)
	}
	r := target.Resolver{Client: fake.NewClientset(), Mapper: mapper}
	start := time.Now()
	_, err = r.Resolve(context.Background(), ns, target.Spec{Kind: "sts", Name: "db"})
	if err == nil || !strings.HasPrefix(err.Error(), "cannot reach the cluster at https://127.0.0.1:1: ") || strings.Contains(err.Error(), "\n") {
		t.Fatalf("error = %v; want one line naming the server", err)
	}
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("took %v", took)
	}
}

func TestKinds(t *testing.T) {
	var got []string
	for _, k := range target.Kinds() {
		got = append(got, k.Kind+" "+k.Resource.String())
	}
	want := []string{"Deployment apps/v1, Resource=deployments", "StatefulSet apps/v1, Resource=statefulsets",
		"DaemonSet apps/v1, Resource=daemonsets", "ReplicaSet apps/v1, Resource=replicasets",
		"Job batch/v1, Resource=jobs", "Pod /v1, Resource=pods"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Kinds() = %q; want %q", got, want)
	}
	if k, ok := target.KindNamed("Job"); !ok || k.Word() != "job" {
		t.Errorf("KindNamed(Job) = %+v, %v", k, ok)
	}
	if _, ok := target.KindNamed("Service"); ok {
		t.Error("KindNamed(Service) found a target kind")
	}
}
