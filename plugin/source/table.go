package source

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/cli-runtime/pkg/resource"
	"k8s.io/client-go/rest"
)

// tableAccept asks the API server for its Table rendering of pods, as
// `kubectl get pods` does, so that STATUS is exactly kubectl's.
const tableAccept = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json"

// PodRow is one row of the API server's pod table with the pod it describes.
type PodRow struct {
	Pod      *corev1.Pod
	Status   string
	Ready    string
	Restarts string
}

// RestartCount is the number at the start of the RESTARTS cell ("3 (12s ago)").
func (r PodRow) RestartCount() int {
	f, _, _ := strings.Cut(strings.TrimSpace(r.Restarts), " ")
	n, _ := strconv.Atoi(f)
	return n
}

// PodTables lists and watches pods as Tables. Watch events carry Tables
// too; after the first, the API server leaves out their column definitions.
type PodTables interface {
	List(ctx context.Context, opts metav1.ListOptions) (*metav1.Table, error)
	Watch(ctx context.Context, opts metav1.ListOptions) (watch.Interface, error)
}

// RESTPodTables implements PodTables with a REST client for core/v1.
type RESTPodTables struct {
	client    rest.Interface
	namespace string
}

// NewRESTPodTables returns PodTables for namespace ns, built from cfg.
func NewRESTPodTables(cfg *rest.Config, ns string) (*RESTPodTables, error) {
	c := rest.CopyConfig(cfg)
	c.ContentConfig = resource.UnstructuredPlusDefaultContentConfig()
	c.GroupVersion = &schema.GroupVersion{Version: "v1"}
	c.APIPath = "/api"
	rc, err := rest.RESTClientFor(c)
	if err != nil {
		return nil, err
	}
	return &RESTPodTables{client: rc, namespace: ns}, nil
}

// In returns PodTables for another namespace, sharing the client.
func (t *RESTPodTables) In(ns string) *RESTPodTables {
	c := *t
	c.namespace = ns
	return &c
}

func (t *RESTPodTables) request(opts metav1.ListOptions) *rest.Request {
	r := t.client.Get().Namespace(t.namespace).Resource("pods").
		SetHeader("Accept", tableAccept).Param("includeObject", "Object")
	if opts.LabelSelector != "" {
		r = r.Param("labelSelector", opts.LabelSelector)
	}
	if opts.FieldSelector != "" {
		r = r.Param("fieldSelector", opts.FieldSelector)
	}
	if opts.ResourceVersion != "" {
		r = r.Param("resourceVersion", opts.ResourceVersion)
	}
	if opts.TimeoutSeconds != nil {
		r = r.Param("timeoutSeconds", strconv.FormatInt(*opts.TimeoutSeconds, 10))
	}
	if opts.AllowWatchBookmarks {
		r = r.Param("allowWatchBookmarks", "true")
	}
	return r
}

// List returns the current pod table.
func (t *RESTPodTables) List(ctx context.Context, opts metav1.ListOptions) (*metav1.Table, error) {
	obj, err := t.request(opts).Do(ctx).Get()
	if err != nil {
		return nil, err
	}
	return decodeTable(obj)
}

// Watch opens a watch whose events carry Tables (decoded as unstructured).
func (t *RESTPodTables) Watch(ctx context.Context, opts metav1.ListOptions) (watch.Interface, error) {
	return t.request(opts).Param("watch", "true").Watch(ctx)
}

// decodeTable converts an object the REST client decoded (unstructured) into
// a metav1.Table, keeping each row's object as raw JSON.
func decodeTable(obj runtime.Object) (*metav1.Table, error) {
	if t, ok := obj.(*metav1.Table); ok {
		return t, nil
	}
	b, err := json.Marshal(obj)
	if err != nil {
		return nil, err
	}
	var t metav1.Table
	if err := json.Unmarshal(b, &t); err != nil {
		return nil, fmt.Errorf("decoding pod table: %w", err)
	}
	if t.Kind != "Table" {
		return nil, fmt.Errorf("the API server sent %q instead of a Table: it must support server-side printing", t.Kind)
	}
	return &t, nil
}

// Rows reads a listed Table (one that carries its column definitions).
func Rows(t *metav1.Table) ([]PodRow, error) { return tableRows(t, t.ColumnDefinitions) }

// tableRows extracts the STATUS, READY and RESTARTS cells and the pod of
// each row, reading the cells by the columns given (a watched Table's own
// are empty after the first event).
func tableRows(t *metav1.Table, columns []metav1.TableColumnDefinition) ([]PodRow, error) {
	col := map[string]int{}
	for i, c := range columns {
		col[strings.ToLower(c.Name)] = i
	}
	cell := func(r metav1.TableRow, name string) string {
		i, ok := col[name]
		if !ok || i >= len(r.Cells) {
			return ""
		}
		return fmt.Sprint(r.Cells[i])
	}
	rows := make([]PodRow, 0, len(t.Rows))
	for _, r := range t.Rows {
		pod := &corev1.Pod{}
		if len(r.Object.Raw) == 0 {
			return nil, fmt.Errorf("pod table row without its object (includeObject=Object not honoured)")
		}
		if err := json.Unmarshal(r.Object.Raw, pod); err != nil {
			return nil, fmt.Errorf("decoding pod in table row: %w", err)
		}
		rows = append(rows, PodRow{Pod: pod, Status: cell(r, "status"), Ready: cell(r, "ready"), Restarts: cell(r, "restarts")})
	}
	return rows, nil
}
