package stream

import (
	"encoding/json"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/source"
)

// columns are the pod table's columns as a list carries them.
var columns = []metav1.TableColumnDefinition{{Name: "Name"}, {Name: "Ready"}, {Name: "Status"}, {Name: "Restarts"}}

// tableFor wraps a row in a Table as the API server sends it on a watch.
func tableFor(t *testing.T, r source.PodRow) *metav1.Table {
	t.Helper()
	raw, err := json.Marshal(r.Pod)
	if err != nil {
		t.Fatal(err)
	}
	// Watched Tables after the first carry no column definitions.
	tb := &metav1.Table{
		Rows: []metav1.TableRow{{Cells: []any{r.Pod.Name, r.Ready, r.Status, r.Restarts}, Object: runtime.RawExtension{Raw: raw}}},
	}
	// The API server stamps each watched Table with its object's version.
	tb.ResourceVersion = r.Pod.ResourceVersion
	return tb
}
