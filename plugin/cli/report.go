package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/chart"
	"github.com/kubectl-initwait/kubectl-initwait/plugin/record"
)

func init() { extraCommands = append(extraCommands, NewReportCmd) }

// ReportOptions holds the flags of `kubectl initwait report`.
type ReportOptions struct {
	genericiooptions.IOStreams

	// File is the recording; "-" reads standard input.
	File string
	// HTML is the chart's file; "-" writes standard output.
	HTML string
}

// NewReportCmd builds `kubectl initwait report`.
func NewReportCmd(_ *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) *cobra.Command {
	o := &ReportOptions{IOStreams: streams}
	cmd := &cobra.Command{
		Use:   "report FILE --html OUT",
		Short: "Draw the timeline chart of a recording (watch --record, or watch, up or compare -o json)",
		Long: `Read the JSON lines of a recording (watch --record FILE, or the output of watch, up or
compare -o json) and write the same chart as compare --html: one self-contained HTML file,
one lane per pod grouped by workload and coloured by STATUS over time, restarts with the
back-off reached, database and webapp Ready lines, events and init-container log lines as
marks with tooltips, and the measured tables under it. It contacts no cluster.`,
		Example: `  # Record a watch while it prints, then draw it
  kubectl initwait watch webapp -n demo --until ready --record watch.jsonl
  kubectl initwait report watch.jsonl --html watch.html

  # From compare's JSON output, read from standard input
  kubectl initwait compare -o json | kubectl initwait report - --html compare.html`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runWith(cmd, func() error { return o.Complete(args) }, o)
		},
	}
	cmd.Flags().StringVar(&o.HTML, "html", "", "Write the chart as HTML to this file (- for standard output)")
	return cmd
}

// Complete takes the recording's name from the argument.
func (o *ReportOptions) Complete(args []string) error {
	if len(args) == 1 {
		o.File = args[0]
	}
	return nil
}

// Validate checks the flags without reading the recording.
func (o *ReportOptions) Validate() error {
	switch {
	case o.File == "":
		return errors.New("name the recording: kubectl initwait report FILE --html OUT")
	case o.HTML == "":
		return errors.New("--html OUT is required: the file to write the chart to")
	case o.HTML != "-" && o.File != "-" && filepath.Clean(o.HTML) == filepath.Clean(o.File):
		return fmt.Errorf("--html %s would overwrite the recording", o.HTML)
	}
	return nil
}

// Run reads the recording and writes its chart.
func (o *ReportOptions) Run(context.Context) error {
	in := o.In
	name := o.File
	if o.File == "-" {
		name = "standard input"
	} else {
		f, err := os.Open(o.File)
		if err != nil {
			return fmt.Errorf("reading the recording: %w", err)
		}
		defer f.Close()
		in = f
	}
	rec, err := record.Read(in)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	title := "kubectl initwait timeline"
	if rec.Compare != nil {
		title = "kubectl initwait compare"
	}
	if rec.Namespace != "" {
		title += " in namespace " + rec.Namespace
	}
	doc := chart.FromTimeline(title, rec.Entries, rec.SummaryAt, rec.Summary, rec.Compare)
	if len(doc.Lanes) == 0 {
		return fmt.Errorf("%s: no pod STATUS line in it: nothing to draw", name)
	}
	return writeChart(o.HTML, o.Out, doc)
}

// writeChart writes doc's HTML to the file path ("-": to out), replacing
// it only once the whole page is written.
func writeChart(path string, out io.Writer, doc chart.Document) error {
	if path == "-" {
		return chart.Write(out, doc)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("writing the chart: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := chart.Write(tmp, doc); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return fmt.Errorf("writing the chart: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing the chart: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("writing the chart: %w", err)
	}
	return nil
}
