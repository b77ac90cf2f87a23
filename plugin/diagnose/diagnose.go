package diagnose

import (
	"context"
	"fmt"
	"sort"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/metadata"
	"k8s.io/utils/clock"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/apierr"
	"github.com/kubectl-initwait/kubectl-initwait/plugin/target"
)

// Diagnoser explains why pods are not Ready. One Diagnoser serves one
// Diagnose call at a time.
type Diagnoser struct {
	Client kubernetes.Interface
	// Mapper resolves a target's TYPE: ConfigFlags.ToRESTMapper() in production.
	Mapper meta.RESTMapper
	// Pods lists pods with kubectl's STATUS; TablePodLister in production.
	Pods PodLister
	// Clock is the clock ("for 4m12s"); the wall clock when nil.
	Clock clock.PassiveClock
	// TailLines is how many log lines to keep per container instance: 0 means 5, negative none.
	TailLines int
	// Metadata lists the metadata of Secrets and ConfigMaps for a Scan; when
	// nil a scan does not check them.
	Metadata metadata.Interface
	// MaxLogs is how many container logs a Scan reads: 0 means
	// DefaultScanLogs, negative none.
	MaxLogs int

	// reader is what this run reads the cluster through (live or a snapshot).
	reader Reader
}

// Diagnose reports on every pod of target in namespace. It returns an error
// only when it cannot diagnose (unknown target, no pods, API errors); a
// report with Problems > 0 is a successful diagnosis of a broken workload.
func (d *Diagnoser) Diagnose(ctx context.Context, namespace string, spec target.Spec) (*Report, error) {
	now := d.now
	d.reader = newLiveReader(d.Client, d.Pods)
	t, err := target.Resolver{Client: d.Client, Mapper: d.Mapper}.Resolve(ctx, namespace, spec)
	if err != nil {
		return nil, err
	}
	opts := metav1.ListOptions{LabelSelector: t.LabelSelector, FieldSelector: t.FieldSelector}
	rows, err := d.Pods.ListPods(ctx, namespace, opts)
	if err != nil {
		return nil, apierr.Explain(err, "list", "pods", "", namespace, "")
	}
	selector := opts.LabelSelector
	if selector == "" {
		selector = opts.FieldSelector
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("no pods match %s (selector %s) in namespace %q", t, selector, namespace)
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].Pod.Name < rows[j].Pod.Name })
	rep := &Report{Namespace: namespace, Target: t.String(), Selector: selector, Time: now().UTC()}
	for _, row := range rows {
		pr := d.diagnosePod(ctx, row, now())
		if pr.Severity == SeverityProblem {
			rep.Problems++
		}
		rep.Pods = append(rep.Pods, pr)
	}
	return rep, nil
}

func (d *Diagnoser) now() time.Time {
	if d.Clock != nil {
		return d.Clock.Now()
	}
	return time.Now()
}
