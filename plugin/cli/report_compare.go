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

// drawRun draws what a comparison saw: the terminal bars after the text
// report, and the HTML chart with --html. A run that failed part-way is
// drawn as far as it got.
func (o *CompareOptions) drawRun(sink summarySink, res demo.CompareResult) error {
	if len(res.Entries) == 0 {
		return nil
	}
	end := res.Entries[len(res.Entries)-1].Time
	if b, ok := sink.(*render.WithBars); ok {
		fmt.Fprintln(o.Out)
		if err := b.Bars(end); err != nil {
			return err
		}
	}
	if o.HTML == "" {
		return nil
	}
	rep := res.Report
	doc := chart.FromTimeline("kubectl initwait compare in namespace "+o.Namespace, res.Entries, end, res.Pods, &rep)
	doc.Generated = time.Now()
	if err := writeChart(o.HTML, o.Out, doc); err != nil {
		return err
	}
	fmt.Fprintf(o.ErrOut, "chart: wrote %s\n", o.HTML)
	return nil
}
