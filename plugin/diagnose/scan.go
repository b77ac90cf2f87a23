package diagnose

import (
	"context"
	"sort"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/apierr"
)

// ScanReport is the result of diagnosing every pod that is not Ready in a
// namespace, or in every namespace: the pods grouped by cause.
type ScanReport struct {
	// Namespace is the namespace scanned; empty with AllNamespaces.
	Namespace     string    `json:"namespace,omitempty"`
	AllNamespaces bool      `json:"allNamespaces"`
	Time          time.Time `json:"time"`
	// Pods counts the pods listed, NotReady those diagnosed (not Ready and not Succeeded).
	Pods     int `json:"pods"`
	NotReady int `json:"notReady"`
	// Problems and Progressing count the diagnosed pods by severity.
	Problems    int `json:"problems"`
	Progressing int `json:"progressing"`
	// Groups are the diagnosed pods by severity and cause: problems first,
	// larger groups first.
	Groups []Group `json:"groups"`
	// LogsRead counts the container logs read; LogsNotRead those left
	// unread by the --max-logs budget.
	LogsRead    int `json:"logsRead"`
	LogsNotRead int `json:"logsNotRead"`
}

// Group is the pods that share a cause and severity.
type Group struct {
	Cause    Cause    `json:"cause"`
	Title    string   `json:"title"`
	Severity Severity `json:"severity"`
	Count    int      `json:"count"`
	// Pods are the full pod reports, by namespace and name.
	Pods []PodReport `json:"pods"`
}

// Scan diagnoses every pod of namespace (of all namespaces when all) that
// is neither Ready nor Succeeded. It lists each kind once for the run
// (pods, Services, EndpointSlices, events, and the metadata of Secrets and
// ConfigMaps when a pod refers to one), never per pod, and reads at most
// MaxLogs logs. It returns an error only when the pods cannot be listed.
func (d *Diagnoser) Scan(ctx context.Context, namespace string, all bool) (*ScanReport, error) {
	snap := newSnapshot(d.Client, d.Pods, d.Metadata, all, d.maxLogs())
	d.reader = snap
	var rows []PodRow
	var err error
	if all {
		namespace = ""
		rows, err = snap.allPodRows(ctx)
	} else {
		rows, err = snap.podRows(ctx, namespace)
	}
	if err != nil {
		return nil, apierr.Explain(err, "list", "pods", "", namespace, "")
	}
	sort.Slice(rows, func(i, j int) bool {
		a, b := rows[i].Pod, rows[j].Pod
		return a.Namespace < b.Namespace || a.Namespace == b.Namespace && a.Name < b.Name
	})
	rep := &ScanReport{Namespace: namespace, AllNamespaces: all, Time: d.now().UTC(), Pods: len(rows)}
	groups := map[string]*Group{}
	for _, row := range rows {
		if podReady(row.Pod) || row.Pod.Status.Phase == corev1.PodSucceeded {
			continue
		}
		rep.NotReady++
		pr := d.diagnosePod(ctx, row, d.now())
		pr.Namespace = row.Pod.Namespace
		sev := SeverityProgressing
		if pr.Severity == SeverityProblem {
			sev = SeverityProblem
			rep.Problems++
		} else {
			rep.Progressing++
		}
		cause := pr.Cause
		if cause == "" {
			cause = CauseUnknownProgress
		}
		key := string(sev) + "/" + string(cause)
		g := groups[key]
		if g == nil {
			g = &Group{Cause: cause, Title: cause.Title(), Severity: sev}
			groups[key] = g
		}
		g.Count++
		g.Pods = append(g.Pods, pr)
	}
	for _, g := range groups {
		rep.Groups = append(rep.Groups, *g)
	}
	sort.Slice(rep.Groups, func(i, j int) bool {
		a, b := rep.Groups[i], rep.Groups[j]
		if (a.Severity == SeverityProblem) != (b.Severity == SeverityProblem) {
			return a.Severity == SeverityProblem
		}
		if a.Count != b.Count {
			return a.Count > b.Count
		}
		return a.Cause.rank() < b.Cause.rank()
	})
	rep.LogsRead, rep.LogsNotRead = snap.logReads, snap.logsSkipped
	return rep, nil
}

// maxLogs is the scan's log budget: MaxLogs, DefaultScanLogs when 0, none when negative.
func (d *Diagnoser) maxLogs() int {
	switch {
	case d.MaxLogs < 0:
		return 0
	case d.MaxLogs == 0:
		return DefaultScanLogs
	}
	return d.MaxLogs
}
