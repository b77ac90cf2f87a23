// Package sourcetest holds fakes of plugin/source's interfaces for the
// unit tests of the packages built on it.
package sourcetest

import (
	"context"
	"encoding/json"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
)

// FixedTables is a source.PodTables that lists Pods as the API server's
// pod Table would (kubectl's NAME, READY, STATUS and RESTARTS columns, the
// pod as the row's object), then watches without changes. Cells gives a
// pod's READY and STATUS cells.
type FixedTables struct {
	Pods  []*corev1.Pod
	Cells func(*corev1.Pod) (ready, status string)
}

// List returns the Table of Pods.
func (f FixedTables) List(context.Context, metav1.ListOptions) (*metav1.Table, error) {
	tb := &metav1.Table{ColumnDefinitions: []metav1.TableColumnDefinition{{Name: "Name"}, {Name: "Ready"}, {Name: "Status"}, {Name: "Restarts"}}}
	tb.ResourceVersion = "1"
	for _, p := range f.Pods {
		raw, err := json.Marshal(p)
		if err != nil {
			return nil, err
		}
		ready, status := f.Cells(p)
		tb.Rows = append(tb.Rows, metav1.TableRow{Cells: []any{p.Name, ready, status, "0"}, Object: runtime.RawExtension{Raw: raw}})
	}
	return tb, nil
}

// Watch returns a watch that never sends anything.
func (FixedTables) Watch(context.Context, metav1.ListOptions) (watch.Interface, error) {
	return watch.NewFakeWithChanSize(1, false), nil
}
