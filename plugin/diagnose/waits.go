package diagnose

import (
	"context"
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/waitfor"
)

// checkFile says who could create the file a container waits for: the
// volume it is on, and which of the pod's containers mount that volume
// writable and run while the waiting container does.
func (d *Diagnoser) checkFile(ctx context.Context, pod *corev1.Pod, dep Dependency) DependencyReport {
	r := DependencyReport{Dependency: dep}
	v := dep.Volume
	switch {
	case strings.ContainsAny(dep.Path, "$…"):
		return r.unknown(fmt.Sprintf("the path %s is only known when the container runs: not followed", dep.Path))
	case v == nil:
		return r.problem(CauseWaitingFile, fmt.Sprintf("%s is on the container's own filesystem, not on a volume: no other container can create it", dep.Path))
	}
	on := fmt.Sprintf("%s is on %s volume %q", dep.Path, v.Kind, v.Name)
	if v.Source != "" {
		on += " (" + v.Source + ")"
	}
	switch v.Kind {
	case "configMap", "secret", "projected", "downwardAPI":
		return r.unknown(on + ": the kubelet writes it from the pod spec's sources, no container does")
	case "hostPath":
		return d.hostPathWriters(ctx, r, pod, on)
	case "emptyDir":
	default:
		return r.unknown(on + ", written from outside the pod: not followed")
	}
	now, other := volumeWriters(pod, dep.container, v.Name)
	for _, w := range now {
		r.Evidence = append(r.Evidence, w+" mounts it writable and runs meanwhile")
	}
	for _, w := range other {
		r.Evidence = append(r.Evidence, w+" mounts it writable")
	}
	switch {
	case len(now) > 0:
		return r.unknown(fmt.Sprintf("%s, which %s can write", on, strings.Join(now, " and ")))
	case len(other) == 1:
		return r.problem(CauseWaitingFile, fmt.Sprintf("%s; only %s mounts it writable, and it does not run while %q waits", on, other[0], dep.container))
	case len(other) > 1:
		return r.problem(CauseWaitingFile, fmt.Sprintf("%s; only %s mount it writable, and none runs while %q waits", on, strings.Join(other, " and "), dep.container))
	}
	return r.problem(CauseWaitingFile, on+", which no other container of the pod mounts writable: nothing can create it")
}

// volumeWriters lists the containers other than waiting that mount volume
// writable: now those that run while waiting does (sidecars started before
// an init container; for an app container, the sidecars and other app
// containers), other the rest (init containers that finished before it or
// start after it, app containers that start after the init containers).
func volumeWriters(pod *corev1.Pod, waiting, volume string) (now, other []string) {
	type entry struct {
		c       *corev1.Container
		init    bool
		sidecar bool
	}
	var all []entry
	waitAt, waitInit := -1, false
	for i := range pod.Spec.InitContainers {
		c := &pod.Spec.InitContainers[i]
		all = append(all, entry{c, true, isSidecar(c)})
	}
	for i := range pod.Spec.Containers {
		all = append(all, entry{&pod.Spec.Containers[i], false, false})
	}
	for i, e := range all {
		if e.c.Name == waiting {
			waitAt, waitInit = i, e.init && !e.sidecar
		}
	}
	for i, e := range all {
		if i == waitAt || !mountsWritable(e.c, volume) {
			continue
		}
		name := fmt.Sprintf("container %q", e.c.Name)
		switch {
		case e.sidecar:
			name = fmt.Sprintf("sidecar %q", e.c.Name)
		case e.init:
			name = fmt.Sprintf("init container %q", e.c.Name)
		}
		concurrent := !e.init || e.sidecar // app containers and sidecars run together
		if waitInit {
			concurrent = e.sidecar && i < waitAt
		}
		if concurrent {
			now = append(now, name)
		} else {
			other = append(other, name)
		}
	}
	return now, other
}

func mountsWritable(c *corev1.Container, volume string) bool {
	for _, m := range c.VolumeMounts {
		if m.Name == volume && !m.ReadOnly {
			return true
		}
	}
	return false
}

// objectFinding words a wait on a Kubernetes object, which diagnose does
// not follow.
func objectFinding(dep Dependency) string {
	o := dep.Object
	what := dep.Address()
	if o.Condition != "" {
		what += " (" + o.Condition + ")"
	}
	if o.Namespace != "" {
		what += " in namespace " + o.Namespace
	}
	return fmt.Sprintf("it waits for %s, a Kubernetes object: not followed", what)
}

// objectNext is the command to look at the object waited on.
func objectNext(o *waitfor.Object, ns string) string {
	if o.Namespace != "" {
		ns = o.Namespace
	}
	target := o.Kind
	if o.Name != "" {
		target += " " + o.Name
	}
	if o.Selector != "" {
		target += " -l " + o.Selector
	}
	return fmt.Sprintf("kubectl get %s -n %s", target, ns)
}
