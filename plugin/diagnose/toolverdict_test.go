package diagnose

import (
	"context"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/target"
)

// Log lines as the shells and tools print them (checked with Debian's
// busybox-static 1.35, dash and bash 5.2).
const (
	busyboxNotFound = "sh: curl: not found"
	busyboxExecLine = "sh: exec: line 0: dockerize: not found"
	dashNotFound    = "sh: 1: mysqladmin: not found"
	bashNotFound    = "bash: line 1: dockerize: command not found"
	bashNoPath      = "bash: /wait_for.sh: No such file or directory"
	busyboxEnv      = "env: can't execute 'wait-for-it': No such file or directory"
	gnuTimeout      = "timeout: failed to run command 'pg_isready': No such file or directory"
	ncRejects       = "nc: invalid option -- 'z'"
	busyboxBanner   = "BusyBox v1.35.0 (Debian 1:1.35.0-4+deb12u1+b1) multi-call binary."
	ncUsage         = "Usage: nc [-iN] [-wN] [-l] [-p PORT] [-f FILE|IPADDR PORT] [-e PROG]"
	wgetRejects     = "wget: unrecognized option '--no-such'"
)

// signalsOf is the log signals of lines, read as summarizeLog reads a log.
func signalsOf(t *testing.T, lines ...string) logSignals {
	t.Helper()
	s, err := summarizeLog(strings.NewReader(strings.Join(lines, "\n")+"\n"), 5)
	if err != nil {
		t.Fatal(err)
	}
	return s.signals
}

func repeat(n int, lines ...string) []string {
	var out []string
	for range n {
		out = append(out, lines...)
	}
	return out
}

func TestToolProblem(t *testing.T) {
	missingMySQL := []DependencyReport{{Dependency: Dependency{Kind: "http", Tool: "curl", Host: "mysql", Port: 3306},
		Severity: SeverityProblem, Cause: CauseMissingService, Finding: `Service "mysql" does not exist in namespace "demo"`}}
	exit := func(code int32) *int32 { return &code }
	running := &corev1.ContainerStatus{State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}}
	crashing := &corev1.ContainerStatus{RestartCount: 3, State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "CrashLoopBackOff"}}}
	tests := []struct {
		name    string
		typ     string
		status  *corev1.ContainerStatus
		cr      ContainerReport
		logs    []string
		deps    []DependencyReport
		cause   Cause
		verdict string
		// evidence must each be in the evidence lines.
		evidence []string
	}{
		{name: "busybox loop, Running", typ: "init", status: running, logs: repeat(3, busyboxNotFound, "waiting for mysql"), deps: missingMySQL,
			cause:    CauseMissingTool,
			verdict:  "wait-mysql: curl is not in image busybox:1.37, so this can never succeed",
			evidence: []string{`its log says "sh: curl: not found" (3 times)`, `once that is fixed, it would probe mysql:3306, but Service "mysql" does not exist in namespace "demo"`}},
		{name: "busybox exec, exit 127", typ: "init", status: crashing, cr: ContainerReport{LastExitCode: exit(127), LastReason: "Error", Restarts: 3},
			logs: []string{busyboxExecLine}, cause: CauseMissingTool,
			verdict:  "wait-mysql: dockerize is not in image busybox:1.37, so this can never succeed",
			evidence: []string{`it exits with code 127, the shell's "command not found" (3 restarts)`}},
		{name: "dash", typ: "init", status: crashing, cr: ContainerReport{LastExitCode: exit(127)}, logs: []string{dashNotFound},
			cause: CauseMissingTool, verdict: "wait-mysql: mysqladmin is not in image busybox:1.37, so this can never succeed"},
		{name: "bash", typ: "init", status: running, logs: []string{bashNotFound}, cause: CauseMissingTool,
			verdict: "wait-mysql: dockerize is not in image busybox:1.37, so this can never succeed"},
		{name: "bash path", typ: "init", status: running, logs: []string{bashNoPath}, cause: CauseMissingTool,
			verdict: "wait-mysql: /wait_for.sh is not in image busybox:1.37, so this can never succeed"},
		{name: "busybox env", typ: "init", status: running, logs: []string{busyboxEnv}, cause: CauseMissingTool,
			verdict: "wait-mysql: wait-for-it is not in image busybox:1.37, so this can never succeed"},
		{name: "GNU timeout", typ: "init", status: running, logs: []string{gnuTimeout}, cause: CauseMissingTool,
			verdict: "wait-mysql: pg_isready is not in image busybox:1.37, so this can never succeed"},
		{name: "StartError exit 128", typ: "init", status: crashing,
			cr: ContainerReport{Reason: "CrashLoopBackOff", LastExitCode: exit(128), LastReason: "StartError", Restarts: 2,
				LastMessage: `failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: "/wait_for.sh": stat /wait_for.sh: no such file or directory: unknown`},
			deps: missingMySQL, cause: CauseMissingTool,
			verdict:  "wait-mysql: /wait_for.sh is not in image busybox:1.37, so this can never succeed",
			evidence: []string{"the container runtime cannot start it (StartError, exit code 128, 2 restarts): failed to create", `but Service "mysql" does not exist`}},
		{name: "RunContainerError in $PATH", typ: "init", status: crashing,
			cr:    ContainerReport{Reason: "RunContainerError", Message: `failed to start containerd task "x": OCI runtime exec failed: exec: "wait_for.sh": executable file not found in $PATH: unknown`},
			cause: CauseMissingTool, verdict: "wait-mysql: wait_for.sh is not in image busybox:1.37, so this can never succeed"},
		{name: "exit 127, log not read", typ: "init", status: crashing, cr: ContainerReport{LastExitCode: exit(127)}, deps: missingMySQL,
			cause:    CauseMissingTool,
			verdict:  `wait-mysql: a command it runs (curl?) is not in image busybox:1.37 (exit code 127, the shell's "command not found"), so this can never succeed`,
			evidence: []string{"its log was not read"}},
		{name: "busybox nc -z", typ: "init", status: running, logs: repeat(4, ncRejects, busyboxBanner, "", ncUsage, "waiting for mysql"),
			deps:     []DependencyReport{{Dependency: Dependency{Kind: "tcp", Tool: "nc", Host: "mysql", Port: 3306}, OK: true, Severity: SeverityOK, Finding: "ok"}},
			cause:    CauseBrokenProbe,
			verdict:  `wait-mysql: the probe command is broken in this image (nc: invalid option -- 'z'), so the loop cannot end even when mysql:3306 is up`,
			evidence: []string{`its log shows the probe's usage error 4 times (first: "nc: invalid option -- 'z'")`, "the image's nc is BusyBox's", "which is ready: ok"}},
		{name: "wget option, crash", typ: "init", status: crashing, logs: []string{wgetRejects, busyboxBanner},
			cause: CauseBrokenProbe, verdict: `wait-mysql: the probe command is broken in this image (wget: unrecognized option '--no-such'), so the loop cannot end even when what it waits for is up`},
		// Not a tool problem.
		{name: "one usage error, still running", typ: "init", status: running, logs: []string{ncRejects, ncUsage}},
		{name: "app prints usage", typ: "app", status: running, logs: repeat(3, ncUsage)},
		{name: "app crashes with usage", typ: "app", status: crashing, cr: ContainerReport{LastExitCode: exit(1)}, logs: repeat(2, ncRejects, ncUsage)},
		{name: "app says not found but runs", typ: "app", status: running, logs: []string{busyboxNotFound}},
		{name: "curl cannot resolve", typ: "init", status: running, logs: repeat(3, "curl: (6) Could not resolve host: mysql")},
		{name: "application error", typ: "init", status: crashing, cr: ContainerReport{LastExitCode: exit(1)}, logs: []string{"ERROR: user: not found"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := blocker{spec: &corev1.Container{Name: "wait-mysql"}, status: tt.status, typ: tt.typ}
			cr := tt.cr
			cr.Name, cr.Image = "wait-mysql", "busybox:1.37"
			cr.signals = signalsOf(t, tt.logs...)
			got, ok := toolProblem(b, &cr, tt.deps)
			if tt.cause == "" {
				if ok {
					t.Fatalf("got %+v, want no tool problem", got)
				}
				return
			}
			if !ok || got.cause != tt.cause || got.verdict != tt.verdict {
				t.Fatalf("got %v %q %q,\nwant %q %q", ok, got.cause, got.verdict, tt.cause, tt.verdict)
			}
			all := strings.Join(got.evidence, "\n")
			for _, e := range tt.evidence {
				if !strings.Contains(all, e) {
					t.Errorf("evidence lacks %q:\n%s", e, all)
				}
			}
		})
	}
}

func TestLogSignalsMergeAcrossInstances(t *testing.T) {
	cur := signalsOf(t, ncUsage)
	prev := signalsOf(t, ncRejects, ncUsage, ncRejects, ncUsage)
	cur.merge(prev)
	if cur.attempts() != 3 || cur.usageLine != ncRejects || cur.usageTool != "nc" {
		t.Errorf("merged: attempts %d, line %q, tool %q; want 3, %q, nc", cur.attempts(), cur.usageLine, cur.usageTool, ncRejects)
	}
	a, b := signalsOf(t, busyboxNotFound), signalsOf(t, busyboxNotFound, dashNotFound)
	a.merge(b)
	if a.missing["curl"] != 2 || a.missing["mysqladmin"] != 1 || a.missingTool != "curl" || otherMissing(a) != "mysqladmin" {
		t.Errorf("merged missing: %+v", a)
	}
}

// TestDiagnoseStartErrorVerdictFirst: through Diagnose, a StartError is the
// verdict and cause, its evidence right after the container line, the
// dependency's finding after it.
func TestDiagnoseStartErrorVerdictFirst(t *testing.T) {
	p := webappPod("webapp-1", "postgres")
	p.Spec.InitContainers[0].Command = []string{"/wait_for.sh", "postgres:5432"}
	p.Status.InitContainerStatuses[0] = corev1.ContainerStatus{Name: "check-db-ready", RestartCount: 2, ContainerID: "containerd://3",
		State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "CrashLoopBackOff"}},
		LastTerminationState: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: 128, Reason: "StartError",
			Message: `failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: error during container init: exec: "/wait_for.sh": stat /wait_for.sh: no such file or directory: unknown`}}}
	d := newDiagnoser(nil, p)
	rep, err := d.Diagnose(context.Background(), ns, target.Spec{Kind: "pod", Name: "webapp-1"})
	if err != nil {
		t.Fatal(err)
	}
	pr := rep.Pods[0]
	if pr.Verdict != "check-db-ready: /wait_for.sh is not in image postgres:15, so this can never succeed" || pr.Cause != CauseMissingTool || rep.Problems != 1 {
		t.Fatalf("verdict %q, cause %q, problems %d", pr.Verdict, pr.Cause, rep.Problems)
	}
	if len(pr.Evidence) < 2 || !strings.HasPrefix(pr.Evidence[0], `init container "check-db-ready" (1/1)`) ||
		!strings.HasPrefix(pr.Evidence[1], "the container runtime cannot start it (StartError, exit code 128, 2 restarts)") {
		t.Errorf("evidence order:\n%s", strings.Join(pr.Evidence, "\n"))
	}
}
