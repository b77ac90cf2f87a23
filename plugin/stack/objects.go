package stack

import (
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"
)

// Labels every demo object carries, and the selectors built from them.
const (
	LabelManagedBy = "app.kubernetes.io/managed-by"
	LabelPartOf    = "app.kubernetes.io/part-of"
	LabelName      = "app.kubernetes.io/name"
	LabelComponent = "app.kubernetes.io/component"

	ManagedBy = "kubectl-initwait"
	PartOf    = "initwait-demo"

	// ManagedSelector selects everything `up` deploys (what `down` deletes).
	ManagedSelector = LabelManagedBy + "=" + ManagedBy
	// WebappPodSelector selects the pods of every webapp variant.
	WebappPodSelector = LabelPartOf + "=" + PartOf + "," + LabelComponent + "=webapp"
	// DatabasePodSelector selects the PostgreSQL pod.
	DatabasePodSelector = LabelPartOf + "=" + PartOf + "," + LabelName + "=postgres"
)

// FieldManager is the server-side apply field manager of the plugin.
const FieldManager = "kubectl-initwait"

// SecretName is the Secret holding the database credentials.
const SecretName = "database-secret-config"

// IsDatabaseWorkload reports whether obj is the database itself (postgres
// Deployment or Service), which `--db later` applies after the webapp. The
// database Secret is not: the webapp's pods need it to be created at all.
func IsDatabaseWorkload(obj *unstructured.Unstructured) bool {
	return obj.GetLabels()[LabelName] == "postgres"
}

// SplitDatabase separates the database workload from the rest, keeping order.
func SplitDatabase(objs []*unstructured.Unstructured) (rest, database []*unstructured.Unstructured) {
	for _, obj := range objs {
		if IsDatabaseWorkload(obj) {
			database = append(database, obj)
		} else {
			rest = append(rest, obj)
		}
	}
	return rest, database
}

// Ref names an object the way kubectl does: deployment.apps/webapp, service/webapp.
func Ref(obj *unstructured.Unstructured) string {
	gvk := obj.GroupVersionKind()
	kind := strings.ToLower(gvk.Kind)
	if gvk.Group != "" {
		kind += "." + gvk.Group
	}
	return kind + "/" + obj.GetName()
}

// WriteYAML renders objs as one multi-document YAML stream.
func WriteYAML(objs []*unstructured.Unstructured) ([]byte, error) {
	var b strings.Builder
	for i, obj := range objs {
		data, err := yaml.Marshal(obj.Object)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", Ref(obj), err)
		}
		if i > 0 {
			b.WriteString("---\n")
		}
		b.Write(data)
	}
	return []byte(b.String()), nil
}

// NamespaceObject is the Namespace `up` creates when it is missing.
func NamespaceObject(name string) *unstructured.Unstructured {
	obj := &unstructured.Unstructured{}
	obj.SetAPIVersion("v1")
	obj.SetKind("Namespace")
	obj.SetName(name)
	return obj
}
