// Package stack renders the demo stack from the embedded kustomize tree
// (manifests) and applies it to a cluster with server-side apply, or deletes
// what it applied. It knows nothing of cobra: the `up`, `down` and `compare`
// commands drive it.
package stack

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"sort"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/yaml"

	"github.com/kubectl-initwait/kubectl-initwait/manifests"
)

// Variant is a webapp variant: how the webapp waits for its database.
type Variant string

// The webapp variants. Each is a kustomize component whose Deployment has the
// component's name.
const (
	// VariantInit has the seed's init container check-db-ready (pg_isready).
	VariantInit Variant = "init"
	// VariantNaive has no init container and crash-loops until the database is up.
	VariantNaive Variant = "naive"
	// VariantWaitDB has `shortener wait-db --interval 200ms --attempt-timeout 500ms`
	// as init container.
	VariantWaitDB Variant = "waitdb"
)

// Variants lists every webapp variant in a stable order.
var Variants = []Variant{VariantInit, VariantNaive, VariantWaitDB}

// Deployment returns the name of the variant's Deployment, which is also the
// name of its kustomize component.
func (v Variant) Deployment() string {
	switch v {
	case VariantInit:
		return "webapp"
	case VariantNaive:
		return "webapp-naive"
	case VariantWaitDB:
		return "webapp-waitdb"
	}
	return ""
}

// ParseVariant returns the variant called name.
func ParseVariant(name string) (Variant, error) {
	for _, v := range Variants {
		if string(v) == name {
			return v, nil
		}
	}
	return "", fmt.Errorf("unknown variant %q (want init, naive or waitdb)", name)
}

// Default images of the stack, as written in the manifests.
const (
	DefaultImage         = "ghcr.io/kubectl-initwait/shortener:v0.1.0"
	DefaultPostgresImage = "docker.io/library/postgres:15"
)

// RenderOptions chooses what Render produces.
type RenderOptions struct {
	// Namespace is set on every object; empty leaves it unset.
	Namespace string
	// Variants are the webapp variants to include (at least one).
	Variants []Variant
	// Database includes the postgres Deployment and Service.
	Database bool
	// Image replaces the shortener image; empty keeps DefaultImage.
	Image string
	// PostgresImage replaces the PostgreSQL image (database and the
	// check-db-ready init container); empty keeps DefaultPostgresImage.
	PostgresImage string
}

// renderDir is where Render writes its own kustomization, next to the tree.
const renderDir = "/initwait-render"

// Render builds the stack with kustomize from the embedded tree: the base,
// the chosen components, namespace and images. Objects come out in apply
// order (configuration, Services, workloads); the Secret carries `data`
// (base64), never `stringData`.
func Render(o RenderOptions) ([]*unstructured.Unstructured, error) {
	if len(o.Variants) == 0 {
		return nil, errors.New("render: no webapp variant chosen")
	}
	k := types.Kustomization{
		TypeMeta:  types.TypeMeta{APIVersion: types.KustomizationVersion, Kind: types.KustomizationKind},
		Resources: []string{"../" + manifests.Base},
		Namespace: o.Namespace,
	}
	if o.Database {
		k.Components = append(k.Components, "../"+manifests.ComponentsDir+"/database")
	}
	seen := map[Variant]bool{}
	for _, v := range o.Variants {
		if v.Deployment() == "" {
			return nil, fmt.Errorf("render: unknown variant %q", v)
		}
		if !seen[v] {
			seen[v] = true
			k.Components = append(k.Components, "../"+manifests.ComponentsDir+"/"+v.Deployment())
		}
	}
	for _, im := range []struct{ from, to string }{{DefaultImage, o.Image}, {DefaultPostgresImage, o.PostgresImage}} {
		if im.to == "" || im.to == im.from {
			continue
		}
		img, err := imageOverride(im.from, im.to)
		if err != nil {
			return nil, err
		}
		k.Images = append(k.Images, img)
	}
	fsys, err := memTree()
	if err != nil {
		return nil, err
	}
	kdata, err := yaml.Marshal(k)
	if err != nil {
		return nil, fmt.Errorf("render: %w", err)
	}
	if err := fsys.WriteFile(path.Join(renderDir, "kustomization.yaml"), kdata); err != nil {
		return nil, fmt.Errorf("render: %w", err)
	}
	rm, err := krusty.MakeKustomizer(krusty.MakeDefaultOptions()).Run(fsys, renderDir)
	if err != nil {
		return nil, fmt.Errorf("render: kustomize: %w", err)
	}
	out, err := rm.AsYaml()
	if err != nil {
		return nil, fmt.Errorf("render: %w", err)
	}
	objs, err := decodeYAML(out)
	if err != nil {
		return nil, err
	}
	for _, obj := range objs {
		if obj.GetKind() == "Secret" {
			if err := normalizeSecret(obj); err != nil {
				return nil, err
			}
		}
	}
	sortForApply(objs)
	return objs, nil
}

// memTree copies the embedded manifests into an in-memory filesystem rooted at /.
func memTree() (filesys.FileSystem, error) {
	fsys := filesys.MakeFsInMemory()
	err := fs.WalkDir(manifests.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := manifests.FS.ReadFile(p)
		if err != nil {
			return err
		}
		return fsys.WriteFile("/"+p, data)
	})
	if err != nil {
		return nil, fmt.Errorf("render: reading embedded manifests: %w", err)
	}
	return fsys, nil
}

// decodeYAML splits a multi-document YAML stream into objects.
func decodeYAML(data []byte) ([]*unstructured.Unstructured, error) {
	dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(data), 4096)
	var objs []*unstructured.Unstructured
	for {
		var m map[string]any
		if err := dec.Decode(&m); err != nil {
			if errors.Is(err, io.EOF) {
				return objs, nil
			}
			return nil, fmt.Errorf("render: decoding kustomize output: %w", err)
		}
		if len(m) == 0 {
			continue
		}
		objs = append(objs, &unstructured.Unstructured{Object: m})
	}
}

// applyOrder ranks kinds so that what others reference is applied first.
var applyOrder = map[string]int{"Namespace": 0, "ConfigMap": 1, "Secret": 1, "Service": 2, "Deployment": 3}

func sortForApply(objs []*unstructured.Unstructured) {
	sort.SliceStable(objs, func(i, j int) bool {
		ri, iok := applyOrder[objs[i].GetKind()]
		rj, jok := applyOrder[objs[j].GetKind()]
		if !iok {
			ri = 9
		}
		if !jok {
			rj = 9
		}
		if ri != rj {
			return ri < rj
		}
		return objs[i].GetName() < objs[j].GetName()
	})
}
