package render

import (
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/timeline"
)

// Summary writes the end-of-watch summary as a table: one row per pod with
// its restarts, time to Ready and the time it spent in each STATUS.
func (t *Text) Summary(_ time.Time, pods []timeline.PodSummary) error {
	if len(pods) == 0 {
		_, err := fmt.Fprintln(t.w, "summary: no pods were seen")
		return err
	}
	fmt.Fprintln(t.w, t.p.status.Sprint("summary"))
	tw := tabwriter.NewWriter(t.w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "POD\tSTATUS\tRESTARTS\tTIME TO READY\tTIME IN EACH STATUS")
	for _, p := range pods {
		ready := "-"
		if p.TimeToReady > 0 {
			ready = Duration(p.TimeToReady)
		}
		var parts []string
		for _, s := range p.InStatus {
			parts = append(parts, fmt.Sprintf("%s %s", s.Status, Duration(s.Duration)))
		}
		status := p.Status
		if p.Deleted {
			status += " (deleted)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\n", p.Pod, status, p.Restarts, ready, strings.Join(parts, ", "))
	}
	return tw.Flush()
}
