package diagnose

import (
	"context"
	"fmt"
	"path"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/waitfor"
)

// podFiles is a container's filesystem as its pod spec tells: which volume
// holds a path, and the content of ConfigMap and Secret keys mounted as
// files (read through refs). It implements waitfor.Files.
type podFiles struct {
	ctx     context.Context
	refs    RefReader
	pod     *corev1.Pod
	mounts  []corev1.VolumeMount
	volumes map[string]*corev1.Volume
}

func newPodFiles(ctx context.Context, refs RefReader, pod *corev1.Pod, c *corev1.Container) podFiles {
	f := podFiles{ctx: ctx, refs: refs, pod: pod, mounts: c.VolumeMounts, volumes: map[string]*corev1.Volume{}}
	for i := range pod.Spec.Volumes {
		f.volumes[pod.Spec.Volumes[i].Name] = &pod.Spec.Volumes[i]
	}
	return f
}

// mountAt finds the mount holding p (the longest mount path that contains
// it) and p relative to it.
func (f podFiles) mountAt(p string) (m corev1.VolumeMount, v *corev1.Volume, rel string, ok bool) {
	p = path.Clean(p)
	best := -1
	for _, mt := range f.mounts {
		mp := path.Clean(mt.MountPath)
		if (p == mp || strings.HasPrefix(p, strings.TrimSuffix(mp, "/")+"/")) && len(mp) > best && f.volumes[mt.Name] != nil {
			m, best = mt, len(mp)
		}
	}
	if best < 0 {
		return m, nil, "", false
	}
	rel = strings.TrimPrefix(strings.TrimPrefix(p, path.Clean(m.MountPath)), "/")
	if m.SubPath != "" {
		rel = path.Join(m.SubPath, rel)
	}
	return m, f.volumes[m.Name], rel, true
}

// VolumeAt implements waitfor.Files.
func (f podFiles) VolumeAt(p string) (waitfor.Volume, bool) {
	m, v, _, ok := f.mountAt(p)
	if !ok {
		return waitfor.Volume{}, false
	}
	kind, source := volumeKind(v)
	return waitfor.Volume{Name: v.Name, Kind: kind, Source: source, MountPath: m.MountPath, ReadOnly: m.ReadOnly}, true
}

// ReadFile implements waitfor.Files: ConfigMap, Secret and projected
// volumes are read through refs; other volumes' content is not known.
func (f podFiles) ReadFile(p string) (string, bool, string) {
	_, v, rel, ok := f.mountAt(p)
	if !ok {
		return "", false, "it is not on a volume of the pod (the image's own file)"
	}
	switch {
	case v.ConfigMap != nil:
		return f.configMapFile(v.ConfigMap.Name, v.ConfigMap.Items, rel)
	case v.Secret != nil:
		return f.secretFile(v.Secret.SecretName, v.Secret.Items, rel)
	case v.Projected != nil:
		why := fmt.Sprintf("no source of projected volume %q has it", v.Name)
		for _, s := range v.Projected.Sources {
			var content string
			switch {
			case s.ConfigMap != nil:
				content, ok, why = f.configMapFile(s.ConfigMap.Name, s.ConfigMap.Items, rel)
			case s.Secret != nil:
				content, ok, why = f.secretFile(s.Secret.Name, s.Secret.Items, rel)
			}
			if ok {
				return content, true, ""
			}
		}
		return "", false, why
	}
	kind, _ := volumeKind(v)
	return "", false, fmt.Sprintf("it is on %s volume %q, whose files the pod spec does not show", kind, v.Name)
}

// keyFor maps a file of a ConfigMap or Secret volume to its key.
func keyFor(items []corev1.KeyToPath, rel string) string {
	for _, it := range items {
		if path.Clean(it.Path) == rel {
			return it.Key
		}
	}
	if len(items) > 0 {
		return ""
	}
	return rel
}

// scriptReader is a RefReader that reads the data of a ConfigMap a script
// is run from even when it reads only the metadata of the others (a scan).
type scriptReader interface {
	ScriptConfigMap(ctx context.Context, namespace, name string) (map[string]string, error)
}

func (f podFiles) configMapFile(name string, items []corev1.KeyToPath, rel string) (string, bool, string) {
	var data map[string]string
	var err error
	if sr, ok := f.refs.(scriptReader); ok {
		data, err = sr.ScriptConfigMap(f.ctx, f.pod.Namespace, name)
	} else {
		data, err = configMapData(f.ctx, f.refs, f.pod.Namespace, name)
	}
	if err != nil {
		return "", false, fmt.Sprintf("ConfigMap %q could not be read", name)
	}
	s, ok := data[keyFor(items, rel)]
	if !ok {
		return "", false, fmt.Sprintf("ConfigMap %q has no key for %s", name, rel)
	}
	return s, true, ""
}

func (f podFiles) secretFile(name string, items []corev1.KeyToPath, rel string) (string, bool, string) {
	data, err := secretData(f.ctx, f.refs, f.pod.Namespace, name)
	if err != nil {
		return "", false, fmt.Sprintf("Secret %q could not be read", name)
	}
	b, ok := data[keyFor(items, rel)]
	if !ok {
		return "", false, fmt.Sprintf("Secret %q has no key for %s", name, rel)
	}
	return string(b), true, ""
}

// volumeKind names a volume's type and what backs it.
func volumeKind(v *corev1.Volume) (kind, source string) {
	s := v.VolumeSource
	switch {
	case s.EmptyDir != nil:
		return "emptyDir", ""
	case s.HostPath != nil:
		return "hostPath", fmt.Sprintf("%s on the node", s.HostPath.Path)
	case s.ConfigMap != nil:
		return "configMap", fmt.Sprintf("ConfigMap %q", s.ConfigMap.Name)
	case s.Secret != nil:
		return "secret", fmt.Sprintf("Secret %q", s.Secret.SecretName)
	case s.PersistentVolumeClaim != nil:
		return "persistentVolumeClaim", fmt.Sprintf("claim %q", s.PersistentVolumeClaim.ClaimName)
	case s.Projected != nil:
		return "projected", ""
	case s.DownwardAPI != nil:
		return "downwardAPI", ""
	case s.Ephemeral != nil:
		return "ephemeral", ""
	case s.NFS != nil:
		return "nfs", fmt.Sprintf("%s:%s", s.NFS.Server, s.NFS.Path)
	case s.CSI != nil:
		return "csi", fmt.Sprintf("driver %q", s.CSI.Driver)
	}
	return "other", ""
}
