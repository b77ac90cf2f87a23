package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/chart"
	"github.com/kubectl-initwait/kubectl-initwait/plugin/demo"
	"github.com/kubectl-initwait/kubectl-initwait/plugin/render"
)

// checkFileFlag checks the file a flag names to write (compare --html,
// watch --record) before anything runs: its folder must exist, and it is a
// file, not standard output, which carries the command's own output.
func checkFileFlag(flag, path string) error {
	switch path {
	case "":
		return nil
	case "-":
		return fmt.Errorf("invalid %s -: name a file (standard output carries the command's own output)", flag)
	}
	dir := filepath.Dir(path)
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return fmt.Errorf("invalid %s %s: no folder %s", flag, path, dir)
	}
	return nil
}

// drawBars draws the bars of the pods a comparison saw, in the text
// output just before its report, as watch and up end their summaries.
func drawBars(sink summarySink, res demo.CompareResult) error {
	b, ok := sink.(*render.WithBars)
	if !ok || len(res.Entries) == 0 {
		return nil
	}
	if _, err := fmt.Fprintln(b.Out); err != nil {
		return err
	}
	return b.Bars(res.Entries[len(res.Entries)-1].Time)
}

// drawChart writes the HTML chart of a comparison with --html; a run that
// failed part-way is drawn as far as it got.
func (o *CompareOptions) drawChart(res demo.CompareResult) error {
	if o.HTML == "" || len(res.Entries) == 0 {
		return nil
	}
	end := res.Entries[len(res.Entries)-1].Time
	rep := res.Report
	doc := chart.FromTimeline("kubectl initwait compare in namespace "+o.Namespace, res.Entries, end, res.Pods, &rep)
	doc.Generated = time.Now()
	if err := writeChart(o.HTML, o.Out, doc); err != nil {
		return err
	}
	fmt.Fprintf(o.ErrOut, "chart: wrote %s\n", o.HTML)
	return nil
}
