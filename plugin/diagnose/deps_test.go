package diagnose

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/target"
)

// contains tells whether list holds s.
func contains(list []string, s string) bool { return slices.Contains(list, s) }

func emptyDir(name string) corev1.Volume {
	return corev1.Volume{Name: name, VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}}
}

func mount(name, at string) []corev1.VolumeMount {
	return []corev1.VolumeMount{{Name: name, MountPath: at}}
}

// TestWaits: what package waitfor reads beyond host probes is followed
// through the pod spec: files through volumes and their writers, scripts
// from ConfigMaps, Kubernetes objects named; bad commands end in a verdict.
func TestWaits(t *testing.T) {
	fileWait := func(p *corev1.Pod) {
		withCommand(p, "until [ -f /run/x/ready ]; do sleep 1; done")
		p.Spec.Volumes = []corev1.Volume{emptyDir("shared")}
		p.Spec.InitContainers[0].VolumeMounts = mount("shared", "/run/x")
	}
	scripts := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "scripts", Namespace: ns},
		Data: map[string]string{"wait.sh": "#!/bin/sh\nhost=${1:-db}\nuntil pg_isready -h \"$host\" -p 5432; do sleep 1; done\n",
			"big.sh": strings.Repeat("# padding\n", 100<<10)}}
	scriptVolume := func(p *corev1.Pod) {
		p.Spec.Volumes = []corev1.Volume{{Name: "scripts", VolumeSource: corev1.VolumeSource{
			ConfigMap: &corev1.ConfigMapVolumeSource{LocalObjectReference: corev1.LocalObjectReference{Name: "scripts"}}}}}
		p.Spec.InitContainers[0].VolumeMounts = mount("scripts", "/scripts")
	}
	tests := []struct {
		name     string
		mutate   func(p *corev1.Pod)
		objs     []runtime.Object
		severity Severity
		verdict  string
		evidence string
	}{
		{name: "file on emptyDir written by a sidecar", mutate: func(p *corev1.Pod) {
			fileWait(p)
			p.Spec.InitContainers = append([]corev1.Container{{Name: "agent", RestartPolicy: ptr(corev1.ContainerRestartPolicyAlways),
				VolumeMounts: mount("shared", "/out")}}, p.Spec.InitContainers...)
			p.Status.InitContainerStatuses = append([]corev1.ContainerStatus{{Name: "agent", Started: ptr(true), Ready: true,
				State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: metav1.NewTime(start)}}}},
				p.Status.InitContainerStatuses...)
		}, severity: SeverityProgressing,
			verdict: `waits for /run/x/ready: /run/x/ready is on emptyDir volume "shared", which sidecar "agent" can write`},
		{name: "file on emptyDir written only by the app", mutate: func(p *corev1.Pod) {
			fileWait(p)
			p.Spec.Containers[0].VolumeMounts = mount("shared", "/data")
		}, severity: SeverityProblem,
			verdict: `only container "webapp" mounts it writable, and it does not run while "check-db-ready" waits`},
		{name: "file on emptyDir written by a later init container and the app", mutate: func(p *corev1.Pod) {
			fileWait(p)
			p.Spec.InitContainers = append(p.Spec.InitContainers, corev1.Container{Name: "later", VolumeMounts: mount("shared", "/x")})
			p.Spec.Containers[0].VolumeMounts = mount("shared", "/data")
		}, severity: SeverityProblem,
			verdict: `only init container "later" and container "webapp" mount it writable, and none runs while "check-db-ready" waits`},
		{name: "file on emptyDir nobody writes", mutate: fileWait, severity: SeverityProblem,
			verdict: `which no other container of the pod mounts writable: nothing can create it`},
		{name: "file on a hostPath nothing else mounts", mutate: hostWait, severity: SeverityProgressing,
			verdict: `waits for /run/x/ready: /run/x/ready is on hostPath volume "host" (/var/run/x on the node), and no other pod on node node-1 mounts /var/run/x/ready writable: only a process of the node itself can create it`},
		{name: "file on a hostPath a DaemonSet's pod writes", mutate: hostWait, objs: []runtime.Object{agentPod("node-1"), agentPod("node-2")},
			severity: SeverityProgressing,
			verdict:  `/run/x/ready is on hostPath volume "host" (/var/run/x on the node), written on node node-1: by container "agent" of pod demo/agent-node-1 of DaemonSet agent (hostPath /var/run), or a process of the node`},
		{name: "file on the container's own filesystem", mutate: func(p *corev1.Pod) {
			withCommand(p, "while [ ! -e /tmp/done ]; do sleep 1; done")
		}, severity: SeverityProblem, verdict: `/tmp/done is on the container's own filesystem, not on a volume`},
		{name: "script from a ConfigMap with its argument", mutate: func(p *corev1.Pod) {
			scriptVolume(p)
			p.Spec.InitContainers[0].Command = []string{"bash", "/scripts/wait.sh", "postgres"}
		}, objs: []runtime.Object{scripts}, severity: SeverityProblem,
			verdict: `waits for postgres:5432, but Service "postgres" does not exist in namespace "demo"`},
		{name: "script from a ConfigMap, argument defaulted", mutate: func(p *corev1.Pod) {
			scriptVolume(p)
			p.Spec.InitContainers[0].Command = []string{"/scripts/wait.sh"}
		}, objs: []runtime.Object{scripts}, severity: SeverityProblem, verdict: `waits for db:5432, but Service "db" does not exist`},
		{name: "script key missing", mutate: func(p *corev1.Pod) {
			scriptVolume(p)
			p.Spec.InitContainers[0].Command = []string{"sh", "/scripts/nope.sh"}
		}, objs: []runtime.Object{scripts}, severity: SeverityProgressing, verdict: "no dependency recognised",
			evidence: `command: script /scripts/nope.sh is not readable: ConfigMap "scripts" has no key for nope.sh`},
		{name: "1 MB script", mutate: func(p *corev1.Pod) {
			scriptVolume(p)
			p.Spec.InitContainers[0].Command = []string{"sh", "/scripts/big.sh"}
		}, objs: []runtime.Object{scripts}, severity: SeverityProgressing, verdict: "no dependency recognised",
			evidence: "command: script /scripts/big.sh is too large to read (1024000 bytes; the limit is 262144)"},
		{name: "k8s-wait-for job", mutate: func(p *corev1.Pod) {
			p.Spec.InitContainers[0].Image, p.Spec.InitContainers[0].Command = "groundnuty/k8s-wait-for:v1.6", nil
			p.Spec.InitContainers[0].Args = []string{"job", "migrate"}
		}, severity: SeverityProblem, verdict: `waits for job/migrate, but Job "migrate" does not exist in namespace "demo"`},
		{name: "unbalanced quotes", mutate: func(p *corev1.Pod) { withCommand(p, `until nc -z "db 5432; do sleep 1; done`) },
			severity: SeverityProgressing, verdict: "no dependency recognised",
			evidence: "command: unparsable command (sh -c): 1:13: reached EOF without closing quote"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := webappPod("webapp-1", "postgres")
			tt.mutate(p)
			objs := append([]runtime.Object{deployment("webapp", map[string]string{"app": "webapp"}), p}, tt.objs...)
			rep, err := newDiagnoser(nil, objs...).Diagnose(context.Background(), ns, target.Spec{Kind: "deployment", Name: "webapp"})
			if err != nil {
				t.Fatal(err)
			}
			got := rep.Pods[0]
			if got.Severity != tt.severity || !strings.Contains(got.Verdict, tt.verdict) {
				t.Errorf("got %s %q\nwant %s ...%q", got.Severity, got.Verdict, tt.severity, tt.verdict)
			}
			if all := strings.Join(got.Evidence, "\n"); !strings.Contains(all, tt.evidence) {
				t.Errorf("evidence lacks %q:\n%s", tt.evidence, all)
			}
		})
	}
}

// hostWait makes the init container wait for a file on a hostPath, on node-1.
func hostWait(p *corev1.Pod) {
	withCommand(p, "until [ -f /run/x/ready ]; do sleep 1; done")
	p.Spec.NodeName = "node-1"
	p.Spec.Volumes = []corev1.Volume{{Name: "host", VolumeSource: corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: "/var/run/x"}}}}
	p.Spec.InitContainers[0].VolumeMounts = mount("host", "/run/x")
}

// agentPod is a DaemonSet's pod on node that mounts the node's /var/run writable.
func agentPod(node string) *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "agent-" + node, Namespace: ns, OwnerReferences: []metav1.OwnerReference{{
			APIVersion: "apps/v1", Kind: "DaemonSet", Name: "agent", UID: "ds", Controller: ptr(true)}}},
		Spec: corev1.PodSpec{NodeName: node,
			Volumes:    []corev1.Volume{{Name: "run", VolumeSource: corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: "/var/run"}}}},
			Containers: []corev1.Container{{Name: "agent", VolumeMounts: mount("run", "/host/run")}}},
	}
}

// TestManyInitContainers: a pod with 20 init containers gets a verdict on
// the one that blocks it.
func TestManyInitContainers(t *testing.T) {
	p := webappPod("webapp-1", "postgres")
	p.Spec.InitContainers, p.Status.InitContainerStatuses = nil, nil
	for i := range 20 {
		name := fmt.Sprintf("wait-%d", i)
		p.Spec.InitContainers = append(p.Spec.InitContainers, corev1.Container{Name: name, Image: "busybox",
			Command: []string{"sh", "-c", fmt.Sprintf("until nc -z svc-%d 80; do sleep 1; done", i)}})
		st := corev1.ContainerStatus{Name: name, State: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: 0, Reason: "Completed"}}}
		if i >= 7 {
			st.State = corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "PodInitializing"}}
		}
		if i == 7 {
			st.State = corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: metav1.NewTime(start)}}
		}
		p.Status.InitContainerStatuses = append(p.Status.InitContainerStatuses, st)
	}
	rep, err := newDiagnoser(map[string]string{"webapp-1": "Init:7/20"}, deployment("webapp", map[string]string{"app": "webapp"}), p).
		Diagnose(context.Background(), ns, target.Spec{Kind: "deployment", Name: "webapp"})
	if err != nil {
		t.Fatal(err)
	}
	if v := rep.Pods[0].Verdict; !strings.Contains(v, `wait-7 waits for svc-7:80, but Service "svc-7" does not exist`) {
		t.Errorf("verdict %q", v)
	}
}

func sh(script string) []string { return []string{"sh", "-c", script} }
