package diagnose

import (
	"context"
	"encoding/json"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
)

// PodRow is a pod with the STATUS that kubectl prints for it.
type PodRow struct {
	Pod    *corev1.Pod
	Status string
}

// PodLister lists pods with their kubectl STATUS.
type PodLister interface {
	ListPods(ctx context.Context, namespace string, opts metav1.ListOptions) ([]PodRow, error)
}

// tableAccept asks the API server for the Table that kubectl get prints.
const tableAccept = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"

// TablePodLister lists pods as the API server's Table (as kubectl get does),
// so that Status is exactly kubectl's STATUS column.
type TablePodLister struct {
	// REST is the core/v1 REST client, e.g. clientset.CoreV1().RESTClient().
	REST rest.Interface
}

// ListPods implements PodLister.
func (l TablePodLister) ListPods(ctx context.Context, namespace string, opts metav1.ListOptions) ([]PodRow, error) {
	raw, err := l.REST.Get().Namespace(namespace).Resource("pods").
		VersionedParams(&opts, scheme.ParameterCodec).
		Param("includeObject", string(metav1.IncludeObject)).
		SetHeader("Accept", tableAccept).
		Do(ctx).Raw()
	if err != nil {
		return nil, err
	}
	return podRowsFromTable(raw)
}

func podRowsFromTable(raw []byte) ([]PodRow, error) {
	var table metav1.Table
	if err := json.Unmarshal(raw, &table); err != nil {
		return nil, fmt.Errorf("decoding the pod table: %w", err)
	}
	if table.Kind != "Table" {
		return nil, fmt.Errorf("the API server answered %q, not a Table", table.Kind)
	}
	status := -1
	for i, c := range table.ColumnDefinitions {
		if c.Name == "Status" {
			status = i
		}
	}
	rows := make([]PodRow, 0, len(table.Rows))
	for _, r := range table.Rows {
		pod := &corev1.Pod{}
		if err := json.Unmarshal(r.Object.Raw, pod); err != nil {
			return nil, fmt.Errorf("decoding a pod of the table: %w", err)
		}
		row := PodRow{Pod: pod}
		if status >= 0 && status < len(r.Cells) {
			row.Status, _ = r.Cells[status].(string)
		}
		if row.Status == "" {
			row.Status = string(pod.Status.Phase)
		}
		rows = append(rows, row)
	}
	return rows, nil
}
