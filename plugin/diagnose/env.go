package diagnose

import (
	"context"
	"errors"
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/waitfor"
)

// EnvVar is one environment variable of a container as diagnose resolved it.
type EnvVar = waitfor.Var

// Env is a container's environment: name → variable. A name absent from Env is unset.
type Env = waitfor.Env

// RefReader reads the Secrets and ConfigMaps that env vars refer to.
// Implementations return an error wrapping a NotFound/Forbidden API error.
type RefReader interface {
	SecretData(ctx context.Context, namespace, name string) (map[string][]byte, error)
	ConfigMapData(ctx context.Context, namespace, name string) (map[string]string, error)
}

// ContainerEnv builds the environment of container c of pod the way the kubelet
// does: envFrom first, then env in order, with $(VAR) references expanded.
// refs may be nil: then Secret and ConfigMap values stay unresolved.
func ContainerEnv(ctx context.Context, refs RefReader, pod *corev1.Pod, c *corev1.Container) Env {
	env := Env{}
	for _, from := range c.EnvFrom {
		switch {
		case from.ConfigMapRef != nil:
			data, err := configMapData(ctx, refs, pod.Namespace, from.ConfigMapRef.Name)
			if err != nil {
				continue // reported by the references check
			}
			for k, v := range data {
				env[from.Prefix+k] = EnvVar{Value: v, Resolved: true,
					Source: fmt.Sprintf("ConfigMap %q key %q", from.ConfigMapRef.Name, k)}
			}
		case from.SecretRef != nil:
			data, err := secretData(ctx, refs, pod.Namespace, from.SecretRef.Name)
			if err != nil {
				continue
			}
			for k, v := range data {
				env[from.Prefix+k] = EnvVar{Value: string(v), Resolved: true,
					Source: fmt.Sprintf("Secret %q key %q", from.SecretRef.Name, k)}
			}
		}
	}
	for _, e := range c.Env {
		if e.ValueFrom == nil {
			env[e.Name] = EnvVar{Value: waitfor.ExpandKubernetes(e.Value, env), Resolved: true}
			continue
		}
		env[e.Name] = valueFrom(ctx, refs, pod, c, e.ValueFrom)
	}
	return env
}

func valueFrom(ctx context.Context, refs RefReader, pod *corev1.Pod, c *corev1.Container, src *corev1.EnvVarSource) EnvVar {
	switch {
	case src.SecretKeyRef != nil:
		ref := src.SecretKeyRef
		v := EnvVar{Source: fmt.Sprintf("Secret %q key %q", ref.Name, ref.Key)}
		data, err := secretData(ctx, refs, pod.Namespace, ref.Name)
		if b, ok := data[ref.Key]; ok && err == nil {
			v.Value, v.Resolved = string(b), true
		}
		return unreadable(v, "Secret", ref.Name, err)

	case src.ConfigMapKeyRef != nil:
		ref := src.ConfigMapKeyRef
		v := EnvVar{Source: fmt.Sprintf("ConfigMap %q key %q", ref.Name, ref.Key)}
		data, err := configMapData(ctx, refs, pod.Namespace, ref.Name)
		if s, ok := data[ref.Key]; ok && err == nil {
			v.Value, v.Resolved = s, true
		}
		return unreadable(v, "ConfigMap", ref.Name, err)
	case src.FieldRef != nil:
		return fieldRef(pod, src.FieldRef.FieldPath)
	case src.ResourceFieldRef != nil:
		return EnvVar{Source: fmt.Sprintf("resource field %q", src.ResourceFieldRef.Resource)}
	}
	return EnvVar{Source: "an unsupported valueFrom"}
}

// unreadable fills Missing and Why of a Secret or ConfigMap value that was
// not resolved: NotFound or an absent key is Missing; any other read error
// (forbidden, timeout) only says why it could not be read.
func unreadable(v EnvVar, kind, name string, err error) EnvVar {
	switch {
	case v.Resolved:
	case err == nil:
		v.Missing, v.Why = true, fmt.Sprintf("%s %q has no such key", kind, name)
	case apierrors.IsNotFound(err):
		v.Missing, v.Why = true, fmt.Sprintf("%s %q does not exist", kind, name)
	case errors.Is(err, errNoReader):
	default:
		v.Why = oneLine(err.Error())
	}
	return v
}

func fieldRef(pod *corev1.Pod, path string) EnvVar {
	v := EnvVar{Resolved: true, Source: "field " + path}
	switch path {
	case "metadata.name":
		v.Value = pod.Name
	case "metadata.namespace":
		v.Value = pod.Namespace
	case "spec.nodeName":
		v.Value = pod.Spec.NodeName
	case "spec.serviceAccountName":
		v.Value = pod.Spec.ServiceAccountName
	case "status.podIP":
		v.Value = pod.Status.PodIP
	case "status.hostIP":
		v.Value = pod.Status.HostIP
	default:
		if key, ok := strings.CutPrefix(path, "metadata.labels['"); ok {
			v.Value = pod.Labels[strings.TrimSuffix(key, "']")]
		} else if key, ok := strings.CutPrefix(path, "metadata.annotations['"); ok {
			v.Value = pod.Annotations[strings.TrimSuffix(key, "']")]
		} else {
			v.Resolved = false
		}
	}
	return v
}

// errNoReader is the error of a value read without a RefReader.
var errNoReader = errors.New("no reader")

func secretData(ctx context.Context, refs RefReader, ns, name string) (map[string][]byte, error) {
	if refs == nil {
		return nil, errNoReader
	}
	return refs.SecretData(ctx, ns, name)
}

func configMapData(ctx context.Context, refs RefReader, ns, name string) (map[string]string, error) {
	if refs == nil {
		return nil, errNoReader
	}
	return refs.ConfigMapData(ctx, ns, name)
}
