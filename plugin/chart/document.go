package chart

import (
	"time"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/compare"
	"github.com/kubectl-initwait/kubectl-initwait/plugin/timeline"
)

// DemoDatabase is the group of the demo's database pods (Deployment postgres).
const DemoDatabase = "postgres"

// FromTimeline is the document of a timeline: one lane per pod up to end
// (zero: the last entry), the demo's database drawn as such, the report's
// table when there is one and the per-pod summary (the watch's own, counted
// from the entries with timeline.Tracker when pods is nil).
func FromTimeline(title string, entries []timeline.Entry, end time.Time, pods []timeline.PodSummary, rep *compare.Report) Document {
	for _, e := range entries {
		if e.Time.After(end) {
			end = e.Time
		}
	}
	if pods == nil {
		var tr timeline.Tracker
		for _, e := range entries {
			tr.Observe(e)
		}
		pods = tr.Summary(end)
	}
	return Document{
		Input:  Input{Title: title, Lanes: timeline.Segments(entries, end), Database: DemoDatabase},
		Report: rep, Pods: pods,
	}
}
