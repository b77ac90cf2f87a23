package diagnose

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes/fake"
	metadatafake "k8s.io/client-go/metadata/fake"
	k8stesting "k8s.io/client-go/testing"
	clocktesting "k8s.io/utils/clock/testing"
)

// scanWorld is a cluster of n namespaces; in each: a pod waiting for a
// missing Service, perNS pods of one ReplicaSet waiting for a Service
// without endpoints, a pod that needs a missing Secret, a pod whose init
// container exits 127, and a Ready pod.
func scanWorld(n, perNS int) []runtime.Object {
	var objs []runtime.Object
	for i := range n {
		space := fmt.Sprintf("ns-%02d", i)
		at := func(p *corev1.Pod) *corev1.Pod { p.Namespace = space; return p }
		objs = append(objs, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: space}},
			at(webappPod("lonely", "nowhere")))
		svc := service("postgres", map[string]string{"app": "postgres"})
		svc.Namespace = space
		db := at(dbPod("db-0", false))
		objs = append(objs, svc, db)
		for j := range perNS {
			p := at(webappPod(fmt.Sprintf("webapp-%03d", j), "postgres"))
			p.OwnerReferences = []metav1.OwnerReference{{Kind: "ReplicaSet", Name: "webapp-rs", UID: types.UID("rs-" + space), Controller: ptr(true)}}
			objs = append(objs, p)
		}
		secret := at(webappPod("needs-secret", "postgres"))
		secret.Spec.InitContainers[0].EnvFrom = []corev1.EnvFromSource{{SecretRef: &corev1.SecretEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: "db-creds"}}}}
		secret.Status.InitContainerStatuses[0].State = corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "CreateContainerConfigError", Message: `secret "db-creds" not found`}}
		crash := at(webappPod("exit127", "postgres"))
		crash.Status.InitContainerStatuses[0] = corev1.ContainerStatus{Name: "check-db-ready", RestartCount: 4, ContainerID: "containerd://9",
			State:                corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "CrashLoopBackOff"}},
			LastTerminationState: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: 127, Reason: "Error"}}}
		ready := at(dbPod("ready", true))
		ready.Labels = map[string]string{"app": "other"}
		objs = append(objs, secret, crash, ready)
	}
	return objs
}

// newScanner is a Diagnoser over a fake clientset and metadata client
// holding objs; the fakes record every request.
func newScanner(t *testing.T, objs []runtime.Object, maxLogs int) (*Diagnoser, *fake.Clientset, *metadatafake.FakeMetadataClient) {
	t.Helper()
	client := fake.NewClientset(objs...)
	var metas []runtime.Object
	for _, o := range objs {
		if p, ok := o.(*corev1.Pod); ok && p.Name == "ready" {
			// Each namespace has one unrelated Secret: db-creds stays missing.
			metas = append(metas, &metav1.PartialObjectMetadata{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Secret"},
				ObjectMeta: metav1.ObjectMeta{Name: "unrelated", Namespace: p.Namespace}})
		}
	}
	scheme := metadatafake.NewTestScheme()
	metav1.AddMetaToScheme(scheme)
	meta := metadatafake.NewSimpleMetadataClient(scheme, metas...)
	status := map[string]string{"lonely": "Init:0/1", "exit127": "Init:CrashLoopBackOff"}
	d := &Diagnoser{Client: client, Pods: fakePods{client: client, status: status}, Metadata: meta, MaxLogs: maxLogs,
		Clock: clocktesting.NewFakePassiveClock(t0)}
	return d, client, meta
}

// requests counts the fakes' actions as "verb resource[/subresource]".
func requests(actions ...[]k8stesting.Action) map[string]int {
	n := map[string]int{}
	for _, list := range actions {
		for _, a := range list {
			key := a.GetVerb() + " " + a.GetResource().Resource
			if s := a.GetSubresource(); s != "" {
				key += "/" + s
			}
			n[key]++
		}
	}
	return n
}

func TestScanListsEachKindOnceNeverPerPod(t *testing.T) {
	tests := []struct {
		name        string
		namespaces  int
		perNS       int
		all         bool
		maxLogs     int
		wantLists   int // per kind
		wantLogs    int
		wantPods    int // diagnosed
		wantProblem int
	}{
		{name: "-A, 3 namespaces of 5", namespaces: 3, perNS: 5, all: true, maxLogs: 0, wantLists: 1, wantLogs: DefaultScanLogs, wantPods: 3 * 9, wantProblem: 3 * 3},
		{name: "-A, 10 namespaces of 40", namespaces: 10, perNS: 40, all: true, maxLogs: 0, wantLists: 1, wantLogs: DefaultScanLogs, wantPods: 10 * 44, wantProblem: 10 * 3},
		{name: "one namespace", namespaces: 4, perNS: 20, all: false, maxLogs: 3, wantLists: 1, wantLogs: 3, wantPods: 24, wantProblem: 3},
		{name: "no logs", namespaces: 2, perNS: 3, all: true, maxLogs: -1, wantLists: 1, wantLogs: 0, wantPods: 2 * 7, wantProblem: 2 * 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, client, meta := newScanner(t, scanWorld(tt.namespaces, tt.perNS), tt.maxLogs)
			client.ClearActions()
			rep, err := d.Scan(context.Background(), "ns-01", tt.all)
			if err != nil {
				t.Fatal(err)
			}
			got := requests(client.Actions(), meta.Actions())
			for _, kind := range []string{"list pods", "list services", "list endpointslices", "list events", "list secrets"} {
				if got[kind] != tt.wantLists {
					t.Errorf("%s: %d requests, want %d (all: %v)", kind, got[kind], tt.wantLists, got)
				}
			}
			if got["get pods/log"] != tt.wantLogs || rep.LogsRead != tt.wantLogs {
				t.Errorf("log reads: %d (report %d), want %d", got["get pods/log"], rep.LogsRead, tt.wantLogs)
			}
			for k, n := range got {
				if strings.HasPrefix(k, "get ") && k != "get pods/log" {
					t.Errorf("%d %q requests: a scan must not get objects one by one", n, k)
				}
			}
			if rep.NotReady != tt.wantPods || rep.Problems != tt.wantProblem {
				t.Errorf("diagnosed %d, %d problems; want %d, %d", rep.NotReady, rep.Problems, tt.wantPods, tt.wantProblem)
			}
		})
	}
}

func TestScanGroupsByCause(t *testing.T) {
	d, _, _ := newScanner(t, scanWorld(2, 4), -1)
	rep, err := d.Scan(context.Background(), "", true)
	if err != nil {
		t.Fatal(err)
	}
	var summary []string
	for _, g := range rep.Groups {
		summary = append(summary, fmt.Sprintf("%s/%s=%d", g.Severity, g.Cause, g.Count))
		for _, p := range g.Pods {
			if p.Namespace == "" || p.Cause != g.Cause {
				t.Errorf("pod %s in group %s: namespace %q, cause %q", p.Name, g.Cause, p.Namespace, p.Cause)
			}
		}
	}
	want := "problem/missing-tool=2 problem/missing-service=2 problem/missing-secret=2 progressing/dependency-not-ready=8 progressing/not-ready=2"
	if got := strings.Join(summary, " "); got != want {
		t.Errorf("groups:\n got %s\nwant %s", got, want)
	}
	var text bytes.Buffer
	if err := WriteScanText(&text, rep, false); err != nil {
		t.Fatal(err)
	}
	out := text.String()
	for _, s := range []string{
		"missing Secret: 2 pod(s)\n  ns-00/needs-secret: ",
		`  ns-00/lonely: Init:0/1 for 4m12s — check-db-ready waits for nowhere:5432, but Service "nowhere" does not exist in namespace "ns-00"` + "\n",
		`ns-00/exit127: Init:CrashLoopBackOff for 4m12s — check-db-ready: a command it runs (pg_isready?) is not in image postgres:15 (exit code 127`,
		"progressing, dependency not ready: 8 pod(s)\n",
		"16 of 18 pod(s) in all namespaces not Ready: 6 with a problem, 10 progressing (2 missing tool, 2 missing Service, 2 missing Secret)\n",
	} {
		if !strings.Contains(out, s) {
			t.Errorf("text lacks %q:\n%s", s, out)
		}
	}
	if strings.Contains(out, "  next:") {
		t.Errorf("details without -v:\n%s", out)
	}
	text.Reset()
	_ = WriteScanText(&text, rep, true)
	if !strings.Contains(text.String(), "    next: kubectl logs exit127 -n ns-00 -c check-db-ready") {
		t.Errorf("-v lacks the details:\n%s", text.String())
	}
	var js bytes.Buffer
	if err := WriteScanJSON(&js, rep); err != nil {
		t.Fatal(err)
	}
	var back ScanReport
	if err := json.Unmarshal(js.Bytes(), &back); err != nil || len(back.Groups) != len(rep.Groups) || back.Groups[0].Pods[0].Verdict != rep.Groups[0].Pods[0].Verdict {
		t.Errorf("JSON round trip: %v\n%s", err, js.String())
	}
}
