package diagnose

import (
	"context"
	"fmt"
	"path"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// hostPathWriters says who could write a file a container waits for on a
// hostPath volume: something on the pod's node — a process of the node
// itself, or a pod on that node that mounts the same host directory
// writable (the pods of a DaemonSet, say). It is not a problem: diagnose
// cannot see the node's processes.
func (d *Diagnoser) hostPathWriters(ctx context.Context, r DependencyReport, pod *corev1.Pod, on string) DependencyReport {
	hostFile := hostFileOf(pod, r.Dependency)
	node := pod.Spec.NodeName
	if node == "" {
		return r.unknown(on + ": something on the node the pod runs on writes it")
	}
	now, _ := volumeWriters(pod, r.container, r.Volume.Name)
	writers := append([]string{}, now...)
	pods, err := d.reader.PodsOnNode(ctx, node)
	if err != nil {
		r.Evidence = append(r.Evidence, fmt.Sprintf("cannot list the pods of node %s: %s", node, oneLine(err.Error())))
	}
	for i := range pods {
		p := &pods[i]
		if p.Spec.NodeName != node || p.Name == pod.Name && p.Namespace == pod.Namespace {
			continue
		}
		if c := hostPathWriter(p, hostFile); c != "" {
			writers = append(writers, c)
		}
	}
	switch {
	case len(writers) > 0:
		for _, w := range writers {
			r.Evidence = append(r.Evidence, w+" mounts it writable")
		}
		return r.unknown(fmt.Sprintf("%s, written on node %s: by %s, or a process of the node", on, node, strings.Join(writers, " or ")))
	case err != nil:
		return r.unknown(fmt.Sprintf("%s, written on node %s by a process of the node or a pod there", on, node))
	}
	return r.unknown(fmt.Sprintf("%s, and no other pod on node %s mounts %s writable: only a process of the node itself can create it", on, node, hostFile))
}

// hostFileOf is the path on the node of the file dep waits for.
func hostFileOf(pod *corev1.Pod, dep Dependency) string {
	for _, v := range pod.Spec.Volumes {
		if v.Name == dep.Volume.Name && v.HostPath != nil {
			rel := strings.TrimPrefix(strings.TrimPrefix(path.Clean(dep.Path), path.Clean(dep.Volume.MountPath)), "/")
			return path.Join(v.HostPath.Path, rel)
		}
	}
	return dep.Path
}

// hostPathWriter names the first container of p that mounts, writable, a
// hostPath volume holding hostFile; "" if none.
func hostPathWriter(p *corev1.Pod, hostFile string) string {
	for _, v := range p.Spec.Volumes {
		if v.HostPath == nil {
			continue
		}
		dir := path.Clean(v.HostPath.Path)
		if hostFile != dir && !strings.HasPrefix(hostFile, strings.TrimSuffix(dir, "/")+"/") {
			continue
		}
		for _, c := range append(append([]corev1.Container{}, p.Spec.InitContainers...), p.Spec.Containers...) {
			if mountsWritable(&c, v.Name) {
				owner := ""
				if ref := metav1.GetControllerOf(p); ref != nil {
					owner = fmt.Sprintf(" of %s %s", ref.Kind, ref.Name)
				}
				return fmt.Sprintf("container %q of pod %s/%s%s (hostPath %s)", c.Name, p.Namespace, p.Name, owner, v.HostPath.Path)
			}
		}
	}
	return ""
}
