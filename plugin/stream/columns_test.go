package stream

import (
	"strings"
	"sync"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"
	"k8s.io/utils/ptr"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/internal/clocktest"
	"github.com/kubectl-initwait/kubectl-initwait/plugin/source"
	"github.com/kubectl-initwait/kubectl-initwait/plugin/target"
	"github.com/kubectl-initwait/kubectl-initwait/plugin/timeline"
)

func TestPatternWidth(t *testing.T) {
	owner := func(kind, name string) []target.ObjectRef {
		return []target.ObjectRef{{Kind: kind, Name: name, UID: "u"}}
	}
	long := strings.Repeat("d", 50)
	tests := []struct {
		target target.Target
		want   int
	}{
		// webapp-5b79f89647-zzk5s
		{target.Target{Kind: "Deployment", Name: "webapp", Owners: owner("Deployment", "webapp")}, 23},
		// the API server keeps 58 characters of a generateName
		{target.Target{Kind: "Deployment", Name: long}, 58 + 5},
		// sts/postgres is wider than postgres-0
		{target.Target{Kind: "StatefulSet", Name: "postgres", Owners: owner("StatefulSet", "postgres")}, len("sts/postgres")},
		{target.Target{Kind: "StatefulSet", Name: "postgres"}, len("postgres-0")},
		{target.Target{Kind: "Job", Name: "migrate", Owners: owner("Job", "migrate")}, len("migrate-x2x9q")},
		{target.Target{Kind: "DaemonSet", Name: "agent"}, len("agent-x2x9q")},
		{target.Target{Kind: "ReplicaSet", Name: "webapp-5b79f89647"}, len("webapp-5b79f89647-zzk5s")},
		// a pod's events show under its own name
		{target.Target{Kind: "Pod", Name: "webapp-1", Owners: owner("Pod", "webapp-1")}, len("webapp-1")},
		{target.Target{LabelSelector: "app=web"}, 0},
	}
	for _, tt := range tests {
		if got := patternWidth(tt.target); got != tt.want {
			t.Errorf("patternWidth(%s %s) = %d, want %d", tt.target.Kind, tt.target.Name, got, tt.want)
		}
	}
}

// columnar is a recorder that lays out columns, noting each call's place.
type columnar struct {
	recorder
	mu      sync.Mutex
	columns []timeline.Columns
	before  int // entries emitted before the first SetColumns
}

func (c *columnar) SetColumns(cols timeline.Columns) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.columns) == 0 {
		c.before = len(c.entries())
	}
	c.columns = append(c.columns, cols)
}

// The layout is set once, before the first line, from the target's pattern
// and the pods and owners known by then, whichever is wider.
func TestColumnsBeforeTheFirstLine(t *testing.T) {
	web := target.Target{Namespace: "ns", LabelSelector: "app=web", Description: "deployment/web", Kind: "Deployment", Name: "web",
		Owners: []target.ObjectRef{{Kind: "Deployment", Name: "web", UID: "d"}}}
	tests := []struct {
		name   string
		target target.Target
		pods   []string
		want   int
	}{
		{"the Deployment's pattern", web, []string{"web-5d8f9b7c4-abcde"}, len("web-") + 10 + len("-abcde")},
		{"a selector: the pods known", target.Target{Namespace: "ns", LabelSelector: "app=web", Description: "pods matching app=web"},
			[]string{"a-1", "web-with-a-longer-name-0"}, len("web-with-a-longer-name-0")},
		// The listed pod's owner sts/database shows its events in the column.
		{"a selector: the owners known", target.Target{Namespace: "ns", LabelSelector: "app=db", Description: "pods matching app=db"},
			[]string{"database-0"}, len("sts/database")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var rows []source.PodRow
			for _, p := range tt.pods {
				r := named(p, "Running", false)
				if strings.HasPrefix(p, "database") {
					r.Pod.OwnerReferences = []metav1.OwnerReference{{Kind: "StatefulSet", Name: "database", UID: "s", Controller: ptr.To(true)}}
				}
				rows = append(rows, r)
			}
			tables := newListTables(rows...)
			sink := &columnar{}
			clk := clocktest.New(now0)
			done := start(t, fake.NewClientset(), tables, noLogs{}, Config{Target: tt.target, Until: UntilNever, Clock: clk}, sink)
			watching(t, tables, done)
			sink.stepUntil(t, clk, startupQuiet, len(tt.pods))
			sink.mu.Lock()
			defer sink.mu.Unlock()
			if len(sink.columns) != 1 || sink.before != 0 || sink.columns[0].Pod != tt.want {
				t.Fatalf("SetColumns calls %+v after %d entries; want one, {Pod:%d}, before the first", sink.columns, sink.before, tt.want)
			}
		})
	}
}
