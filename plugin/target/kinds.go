package target

import (
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/apierr"
)

// Kind is a kind of object a target may name: one that runs pods.
type Kind struct {
	// Kind is the API kind, e.g. StatefulSet.
	Kind string
	// Resource is the resource its objects are read and listed from.
	Resource schema.GroupVersionResource
}

// Word is the kind's name in messages and completions: deployment, pod ...
func (k Kind) Word() string { return strings.ToLower(k.Kind) }

func (k Kind) groupKind() schema.GroupKind {
	return schema.GroupKind{Group: k.Resource.Group, Kind: k.Kind}
}

var (
	apps  = schema.GroupVersion{Group: "apps", Version: "v1"}
	batch = schema.GroupVersion{Group: "batch", Version: "v1"}
	core  = schema.GroupVersion{Version: "v1"}
)

// kinds are the kinds a target may be, in the order messages name them.
var kinds = []Kind{
	{"Deployment", apps.WithResource("deployments")},
	{"StatefulSet", apps.WithResource("statefulsets")},
	{"DaemonSet", apps.WithResource("daemonsets")},
	{"ReplicaSet", apps.WithResource("replicasets")},
	{"Job", batch.WithResource("jobs")},
	{"Pod", core.WithResource("pods")},
}

// Kinds returns the kinds a target may be: Deployment, StatefulSet,
// DaemonSet, ReplicaSet, Job and Pod.
func Kinds() []Kind { return append([]Kind(nil), kinds...) }

// KindNamed returns the target kind with API kind name, e.g. "Job".
func KindNamed(name string) (Kind, bool) {
	for _, k := range kinds {
		if k.Kind == name {
			return k, true
		}
	}
	return Kind{}, false
}

// kindList is the accepted kinds as messages name them.
func kindList() string {
	words := make([]string, len(kinds))
	for i, k := range kinds {
		words[i] = k.Word()
	}
	return strings.Join(words[:len(words)-1], ", ") + " or " + words[len(words)-1]
}

// UnsupportedTypeError is a TYPE that names no kind a target may be: one
// that runs no pods (Kind is then that kind), or nothing the cluster serves.
type UnsupportedTypeError struct {
	Type string
	// Kind is the kind Type names, e.g. Service; empty when it names none.
	Kind string
}

func (e *UnsupportedTypeError) Error() string {
	what := "the cluster has no such resource type"
	if e.Kind != "" {
		what = e.Kind
	}
	return fmt.Sprintf("unsupported target type %q (%s): use a kind that runs pods: %s", e.Type, what, kindList())
}

// KindFor resolves a TYPE word to the kind it names, the way kubectl's
// resource builder reads a type: first as a resource (plural, singular or
// short name, alone or with .group or .version.group: deploy, deployment.apps,
// deployments.v1.apps), then as a kind (Deployment, Deployment.v1.apps). The
// mapper is the cluster's (genericclioptions.ConfigFlags.ToRESTMapper, whose
// shortcut expander knows the short names discovery lists). A type the
// mapper cannot match, or one whose kind runs no pods, is an
// *UnsupportedTypeError; a failed discovery is returned as apierr words it.
func KindFor(mapper meta.RESTMapper, typ string) (Kind, error) {
	gk, err := groupKindFor(mapper, typ)
	if meta.IsNoMatchError(err) {
		return Kind{}, &UnsupportedTypeError{Type: typ}
	}
	if err != nil {
		return Kind{}, apierr.Explain(err, "discover", "the API's resource types", "", "", "")
	}
	for _, k := range kinds {
		if k.groupKind() == gk {
			return k, nil
		}
	}
	return Kind{}, &UnsupportedTypeError{Type: typ, Kind: gk.Kind}
}

// groupKindFor is k8s.io/cli-runtime/pkg/resource's Builder.mappingFor,
// returning the group and kind: the resource forms first, then the kind forms.
func groupKindFor(mapper meta.RESTMapper, typ string) (schema.GroupKind, error) {
	fullGVR, gr := schema.ParseResourceArg(typ)
	if fullGVR != nil {
		if gvk, err := mapper.KindFor(*fullGVR); err == nil {
			return gvk.GroupKind(), nil
		}
	}
	if gvk, err := mapper.KindFor(gr.WithVersion("")); err == nil {
		return gvk.GroupKind(), nil
	}
	fullGVK, gk := schema.ParseKindArg(typ)
	if fullGVK != nil {
		if m, err := mapper.RESTMapping(fullGVK.GroupKind(), fullGVK.Version); err == nil {
			return m.GroupVersionKind.GroupKind(), nil
		}
	}
	m, err := mapper.RESTMapping(gk)
	if err != nil {
		return schema.GroupKind{}, err
	}
	return m.GroupVersionKind.GroupKind(), nil
}
