package diagnose

import (
	"context"
	"errors"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/target"
)

// refuse makes every get of resource fail with err.
func refuse(d *Diagnoser, resource string, err error) {
	d.Client.(*fake.Clientset).PrependReactor("get", resource, func(k8stesting.Action) (bool, runtime.Object, error) {
		return true, nil, err
	})
}

var (
	forbiddenSecrets = apierrors.NewForbidden(schema.GroupResource{Resource: "secrets"}, "db", errors.New("RBAC: access denied"))
	secretHostEnv    = []corev1.EnvVar{{Name: "DB_HOST", ValueFrom: &corev1.EnvVarSource{
		SecretKeyRef: &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: "db"}, Key: "host"}}}}
	secretVolume = []corev1.Volume{{Name: "tls", VolumeSource: corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{SecretName: "tls"}}}}
)

// TestUnreadableIsNotAProblem: a Secret that cannot be read (RBAC, timeout)
// proves nothing; only NotFound or a missing key is a problem.
func TestUnreadableIsNotAProblem(t *testing.T) {
	waitingVolume := func(p *corev1.Pod) {
		p.Spec.Volumes = secretVolume
		p.Status.InitContainerStatuses[0].State = corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "PodInitializing"}}
		p.Status.InitContainerStatuses[0].ContainerID = ""
	}
	hostFromSecret := func(p *corev1.Pod) {
		p.Spec.InitContainers[0].Command = []string{"sh", "-c", "until pg_isready -h $DB_HOST; do sleep 2; done"}
		p.Spec.InitContainers[0].Env = secretHostEnv
	}
	backing := dbPod("postgres-0", false)
	backing.Spec.Volumes = secretVolume
	backing.Status.ContainerStatuses[0].State = corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "ContainerCreating"}}
	tests := []struct {
		name     string
		mutate   func(p *corev1.Pod)
		objs     []runtime.Object
		readErr  error // for every Secret get; nil: NotFound from the empty fake
		severity Severity
		verdict  string
		evidence string
	}{
		{name: "host from forbidden secret", mutate: hostFromSecret, readErr: forbiddenSecrets, severity: SeverityProgressing,
			verdict:  `waits for $DB_HOST:5432: its host $DB_HOST could not be read: DB_HOST from Secret "db" key "host" (not readable: secrets "db" is forbidden: RBAC: access denied): not followed`,
			evidence: `pg_isready $DB_HOST:5432: its host`},
		{name: "host from secret read timed out", mutate: hostFromSecret, readErr: context.DeadlineExceeded, severity: SeverityProgressing,
			verdict: `(not readable: context deadline exceeded): not followed`},
		{name: "host from missing secret", mutate: hostFromSecret, severity: SeverityProblem,
			verdict: `but its host $DB_HOST could not be read: DB_HOST from Secret "db" key "host" (Secret "db" does not exist)`},
		{name: "host from missing key", mutate: hostFromSecret, severity: SeverityProblem,
			objs:    []runtime.Object{&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "db", Namespace: ns}, Data: map[string][]byte{"user": []byte("x")}}},
			verdict: `(Secret "db" has no such key)`},
		{name: "host from unset variable", severity: SeverityProgressing,
			mutate: func(p *corev1.Pod) {
				p.Spec.InitContainers[0].Command = []string{"sh", "-c", "until pg_isready -h $DB_HOST; do sleep 2; done"}
			},
			verdict: `DB_HOST is not set in the pod spec (maybe in the image): not followed`},
		{name: "forbidden volume secret", mutate: waitingVolume, readErr: forbiddenSecrets, severity: SeverityProgressing,
			verdict:  `check-db-ready is being created`,
			evidence: `cannot read Secret "tls" (needed by volume "tls"), so it was not checked: secrets "db" is forbidden`},
		{name: "volume secret read timed out", mutate: waitingVolume, readErr: context.DeadlineExceeded, severity: SeverityProgressing,
			verdict: `check-db-ready is being created`, evidence: `so it was not checked: context deadline exceeded`},
		{name: "missing volume secret", mutate: waitingVolume, severity: SeverityProblem,
			verdict: `check-db-ready cannot start: Secret "tls" does not exist in namespace "demo" (needed by volume "tls")`},
		{name: "forbidden envFrom of a running container", readErr: forbiddenSecrets, severity: SeverityProblem,
			mutate: func(p *corev1.Pod) {
				p.Spec.InitContainers[0].EnvFrom = []corev1.EnvFromSource{{SecretRef: &corev1.SecretEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: "db"}}}}
			},
			verdict: `Service "postgres" does not exist`, evidence: `cannot read Secret "db" (needed by envFrom of container "check-db-ready"), so it was not checked`},
		{name: "backing pod with forbidden volume secret", readErr: forbiddenSecrets, severity: SeverityProgressing,
			objs:    []runtime.Object{service("postgres", map[string]string{"app": "postgres"}), backing},
			mutate:  func(*corev1.Pod) {},
			verdict: `pod postgres-0 is Running: container "postgres" is being created`},
		{name: "backing pod with missing volume secret", severity: SeverityProblem,
			objs:    []runtime.Object{service("postgres", map[string]string{"app": "postgres"}), backing},
			mutate:  func(*corev1.Pod) {},
			verdict: `container "postgres" is being created, but Secret "tls" does not exist`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := webappPod("webapp-1", "postgres")
			if tt.mutate != nil {
				tt.mutate(p)
			}
			d := newDiagnoser(nil, append([]runtime.Object{deployment("webapp", map[string]string{"app": "webapp"}), p}, tt.objs...)...)
			if tt.readErr != nil {
				refuse(d, "secrets", tt.readErr)
			}
			rep, err := d.Diagnose(context.Background(), ns, target.Spec{Kind: "deployment", Name: "webapp"})
			if err != nil {
				t.Fatal(err)
			}
			got := rep.Pods[0]
			if got.Severity != tt.severity || !strings.Contains(got.Verdict, tt.verdict) {
				t.Errorf("got %s %q\nwant %s containing %q", got.Severity, got.Verdict, tt.severity, tt.verdict)
			}
			if all := strings.Join(got.Evidence, "\n"); !strings.Contains(all, tt.evidence) {
				t.Errorf("evidence lacks %q:\n%s", tt.evidence, all)
			}
			if want := map[Severity]int{SeverityProblem: 1}[tt.severity]; rep.Problems != want {
				t.Errorf("problems = %d, want %d", rep.Problems, want)
			}
		})
	}
}

// TestHostFromLog: when the spec does not tell the host, pg_isready's own
// log line does.
func TestHostFromLog(t *testing.T) {
	unreadable := Dependency{Kind: "postgres", Tool: "pg_isready", Host: "$DB_HOST", Port: 5432,
		Unresolved: []string{`DB_HOST from Secret "db" key "host" (not readable)`}}
	missing := unreadable
	missing.missing = true
	tests := []struct {
		name     string
		dep      Dependency
		logs     []string
		wantHost string
		wantNote string
	}{
		{"current log", unreadable, []string{"realdb:5432 - no response", "waiting"}, "realdb:5432", `host realdb read from the container's log ("realdb:5432 - no response")`},
		{"last line wins", unreadable, []string{"old:5432 - no response", "new.db.svc:6543 - rejecting connections"}, "new.db.svc:6543", "host new.db.svc"},
		{"unix socket line ignored", unreadable, []string{"/var/run/postgresql:5432 - no response"}, "$DB_HOST:5432", ""},
		{"no such line", unreadable, []string{"waiting for database"}, "$DB_HOST:5432", ""},
		{"missing secret is not guessed", missing, []string{"realdb:5432 - no response"}, "$DB_HOST:5432", ""},
		{"readable host kept", Dependency{Tool: "pg_isready", Host: "pg", Port: 5432}, []string{"realdb:5432 - no response"}, "pg:5432", ""},
	}
	for _, tt := range tests {
		got, note := hostFromLog(tt.dep, &ContainerReport{Logs: tt.logs})
		if got.Address() != tt.wantHost || !strings.HasPrefix(note, tt.wantNote) || (tt.wantNote == "") != (note == "") {
			t.Errorf("%s: got %s, %q; want %s, %q", tt.name, got.Address(), note, tt.wantHost, tt.wantNote)
		}
		if tt.wantNote != "" && len(got.Unresolved) != 0 {
			t.Errorf("%s: host read from the log still unresolved: %q", tt.name, got.Unresolved)
		}
	}
}

// TestComputedHosts: the Kubernetes docs' init-container example reads the
// namespace from the service account; other command substitutions are
// not followed.
func TestComputedHosts(t *testing.T) {
	docs := "until nslookup myservice.$(cat /var/run/secrets/kubernetes.io/serviceaccount/namespace).svc.cluster.local; do echo waiting for myservice; sleep 2; done"
	tests := []struct {
		name     string
		argv     []string
		objs     []runtime.Object
		severity Severity
		verdict  string
	}{
		{"docs example, no service", sh(docs), nil, SeverityProblem,
			`waits for myservice.demo.svc.cluster.local, but Service "myservice" does not exist in namespace "demo"`},
		{"docs example, service exists", sh(docs), []runtime.Object{service("myservice", nil)}, SeverityProgressing,
			`waits for myservice.demo.svc.cluster.local, which is ready now (Service "myservice" exists`},
		{"backticks", sh("until nslookup myservice.`cat /var/run/secrets/kubernetes.io/serviceaccount/namespace`.svc.cluster.local; do sleep 2; done"), nil,
			SeverityProblem, `Service "myservice" does not exist in namespace "demo"`},
		{"bash $(<file)", []string{"bash", "-c", `until getent hosts "myservice.$(</var/run/secrets/kubernetes.io/serviceaccount/namespace)"; do sleep 2; done`}, nil,
			SeverityProblem, `Service "myservice" does not exist in namespace "demo"`},
		{"other substitution", sh("until nslookup myservice.$(hostname -d); do sleep 2; done"), nil, SeverityProgressing,
			`waits for myservice.$(…): host myservice.$(…) is only known when the container runs (a command substitution or variable): not followed`},
		{"substitution not run by a shell", []string{"nslookup", "myservice.$(cat /var/run/secrets/kubernetes.io/serviceaccount/namespace).svc.cluster.local"}, nil,
			SeverityProgressing, `is only known when the container runs`},
		{"substitution as namespace label", sh("nc -z db.$(cat /etc/ns) 5432"), nil, SeverityProgressing, `not followed`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := webappPod("webapp-1", "")
			p.Spec.InitContainers[0].Command = tt.argv
			d := newDiagnoser(nil, append([]runtime.Object{deployment("webapp", map[string]string{"app": "webapp"}), p}, tt.objs...)...)
			rep, err := d.Diagnose(context.Background(), ns, target.Spec{Kind: "deployment", Name: "webapp"})
			if err != nil {
				t.Fatal(err)
			}
			got := rep.Pods[0]
			if got.Severity != tt.severity || !strings.Contains(got.Verdict, tt.verdict) {
				t.Errorf("got %s %q\nwant %s containing %q", got.Severity, got.Verdict, tt.severity, tt.verdict)
			}
			if strings.Contains(got.Verdict, `namespace "$`) {
				t.Errorf("looked up a namespace that is a substitution: %q", got.Verdict)
			}
		})
	}
}
