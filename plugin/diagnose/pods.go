package diagnose

import (
	"context"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/source"
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

// TablePodLister lists pods as the API server's Table (as kubectl get does,
// and as the watch timeline does), so that Status is exactly kubectl's
// STATUS column.
type TablePodLister struct {
	Tables *source.RESTPodTables
}

// ListPods implements PodLister.
func (l TablePodLister) ListPods(ctx context.Context, namespace string, opts metav1.ListOptions) ([]PodRow, error) {
	table, err := l.Tables.In(namespace).List(ctx, opts)
	if err != nil {
		return nil, err
	}
	return podRowsFromTable(table)
}

func podRowsFromTable(table *metav1.Table) ([]PodRow, error) {
	rows, err := source.Rows(table)
	if err != nil {
		return nil, err
	}
	out := make([]PodRow, 0, len(rows))
	for _, r := range rows {
		row := PodRow{Pod: r.Pod, Status: r.Status}
		if row.Status == "" {
			row.Status = string(r.Pod.Status.Phase)
		}
		out = append(out, row)
	}
	return out, nil
}
