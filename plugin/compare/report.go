package compare

import (
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/render"
)

// Report is the outcome of one comparison.
type Report struct {
	Namespace string `json:"namespace"`
	// DatabaseAppliedAt and DatabaseReadyAt anchor the measurements.
	DatabaseAppliedAt time.Time `json:"databaseAppliedAt,omitzero"`
	DatabaseReadyAt   time.Time `json:"databaseReadyAt,omitzero"`
	Variants          []Measure `json:"variants"`
}

// WriteText prints the report as a table, one row per variant.
func (r Report) WriteText(w io.Writer) error {
	fmt.Fprintf(w, "\ncompare in namespace %s", r.Namespace)
	if !r.DatabaseReadyAt.IsZero() && !r.DatabaseAppliedAt.IsZero() {
		fmt.Fprintf(w, " (database applied at %s, Ready %s later)", r.DatabaseAppliedAt.Local().Format("15:04:05"),
			seconds(r.DatabaseReadyAt.Sub(r.DatabaseAppliedAt)))
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "VARIANT\tRESTARTS\tIN ERROR/CRASHLOOP\tIN INIT\tBACK-OFF AT END\tERROR LOG LINES\tINIT LOG LINES\tINIT DONE AFTER DATABASE\tREADY AFTER DATABASE")
	for _, m := range r.Variants {
		backOff, ready, initDone := "-", "not ready", "-"
		if m.BackOffAtEnd > 0 {
			backOff = render.Duration(m.BackOffAtEnd)
		}
		if m.InitDoneAfterDB != nil {
			initDone = seconds(*m.InitDoneAfterDB)
		}
		if m.ReadyAfterDB != nil {
			ready = seconds(*m.ReadyAfterDB)
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%d\t%d\t%s\t%s\n", m.Variant, m.Restarts, render.Duration(m.InCrash),
			render.Duration(m.InInit), backOff, m.ErrorLogLines, m.WaitLogLines, initDone, ready)
	}
	return tw.Flush()
}

// WriteJSON prints the report as one JSON object of kind "compare".
func (r Report) WriteJSON(w io.Writer) error {
	return json.NewEncoder(w).Encode(struct {
		Kind string `json:"kind"`
		Report
	}{"compare", r})
}

// seconds prints a measured latency (which may be negative) in seconds with
// two decimals: whole seconds would hide the difference between the variants
// and the 2.5 s target.
func seconds(d time.Duration) string {
	return fmt.Sprintf("%.2fs", d.Seconds())
}
