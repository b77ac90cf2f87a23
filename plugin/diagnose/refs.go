package diagnose

import (
	"context"
	"errors"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
)

// refProblem is a missing Secret, ConfigMap or key that a pod needs.
type refProblem struct {
	// kind is Secret or ConfigMap.
	kind, name string
	// text is the one-line explanation.
	text string
	// volume is true when a volume needs it (the pod stays ContainerCreating),
	// false for env (CreateContainerConfigError).
	volume bool
	// unknown is true when the object could not be read (RBAC, timeout):
	// evidence that it was not checked, not a problem.
	unknown bool
}

// checkRefs finds the non-optional Secrets, ConfigMaps and keys that pod
// refers to (envFrom, env valueFrom, volumes, projected volumes) and that
// are missing (a problem) or unreadable (unknown: not a problem).
func checkRefs(ctx context.Context, refs RefReader, pod *corev1.Pod) []refProblem {
	var out []refProblem
	check := func(kind, name, key string, optional *bool, volume bool, user string) {
		if optional != nil && *optional {
			return
		}
		var keys map[string]bool
		var err error
		if kind == "Secret" {
			var data map[string][]byte
			data, err = refs.SecretData(ctx, pod.Namespace, name)
			keys = map[string]bool{}
			for k := range data {
				keys[k] = true
			}
		} else {
			var data map[string]string
			data, err = refs.ConfigMapData(ctx, pod.Namespace, name)
			keys = map[string]bool{}
			for k := range data {
				keys[k] = true
			}
		}
		p := refProblem{kind: kind, name: name, volume: volume}
		switch {
		case apierrors.IsNotFound(err):
			p.text = fmt.Sprintf("%s %q does not exist in namespace %q (needed by %s)", kind, name, pod.Namespace, user)
		case errors.Is(err, errMetadataOnly):
			return // it exists; its keys are not known
		case err != nil:
			p.unknown = true
			p.text = fmt.Sprintf("cannot read %s %q (needed by %s), so it was not checked: %v", kind, name, user, oneLine(err.Error()))
		case key != "" && !keys[key]:
			p.text = fmt.Sprintf("%s %q has no key %q (needed by %s)", kind, name, key, user)
		default:
			return
		}
		out = append(out, p)
	}
	containers := append(append([]corev1.Container{}, pod.Spec.InitContainers...), pod.Spec.Containers...)
	for _, c := range containers {
		for _, from := range c.EnvFrom {
			user := fmt.Sprintf("envFrom of container %q", c.Name)
			if from.SecretRef != nil {
				check("Secret", from.SecretRef.Name, "", from.SecretRef.Optional, false, user)
			}
			if from.ConfigMapRef != nil {
				check("ConfigMap", from.ConfigMapRef.Name, "", from.ConfigMapRef.Optional, false, user)
			}
		}
		for _, e := range c.Env {
			if e.ValueFrom == nil {
				continue
			}
			user := fmt.Sprintf("env %s of container %q", e.Name, c.Name)
			if r := e.ValueFrom.SecretKeyRef; r != nil {
				check("Secret", r.Name, r.Key, r.Optional, false, user)
			}
			if r := e.ValueFrom.ConfigMapKeyRef; r != nil {
				check("ConfigMap", r.Name, r.Key, r.Optional, false, user)
			}
		}
	}
	for _, v := range pod.Spec.Volumes {
		user := fmt.Sprintf("volume %q", v.Name)
		if s := v.Secret; s != nil {
			for _, key := range itemKeys(s.Items, s.SecretName) {
				check("Secret", s.SecretName, key, s.Optional, true, user)
			}
		}
		if c := v.ConfigMap; c != nil {
			for _, key := range itemKeys(c.Items, c.Name) {
				check("ConfigMap", c.Name, key, c.Optional, true, user)
			}
		}
		if p := v.Projected; p != nil {
			for _, src := range p.Sources {
				if s := src.Secret; s != nil {
					for _, key := range itemKeys(s.Items, s.Name) {
						check("Secret", s.Name, key, s.Optional, true, user)
					}
				}
				if c := src.ConfigMap; c != nil {
					for _, key := range itemKeys(c.Items, c.Name) {
						check("ConfigMap", c.Name, key, c.Optional, true, user)
					}
				}
			}
		}
	}
	return dedupeRefs(out)
}

// itemKeys lists the keys a volume projects, or "" for the whole object.
func itemKeys(items []corev1.KeyToPath, _ string) []string {
	if len(items) == 0 {
		return []string{""}
	}
	keys := make([]string, 0, len(items))
	for _, it := range items {
		keys = append(keys, it.Key)
	}
	return keys
}

func dedupeRefs(in []refProblem) []refProblem {
	seen := map[string]bool{}
	var out []refProblem
	for _, p := range in {
		if !seen[p.text] {
			seen[p.text] = true
			out = append(out, p)
		}
	}
	return out
}
