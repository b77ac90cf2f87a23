package chart

import (
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"fmt"
	"html/template"
	"io"
	"strings"
	"time"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/compare"
	"github.com/kubectl-initwait/kubectl-initwait/plugin/render"
	"github.com/kubectl-initwait/kubectl-initwait/plugin/timeline"
)

//go:embed chart.css
var css string

//go:embed chart.html.tmpl
var pageTemplate string

var page = template.Must(template.New("chart").Funcs(template.FuncMap{
	"f":     func(v float64) string { return fmt.Sprintf("%.1f", v) },
	"add":   func(a, b float64) float64 { return a + b },
	"rowY":  func(row int) float64 { return 14 + float64(row)*14 },
	"slug":  func(c timeline.StatusClass) string { return c.Slug() },
	"class": func(c timeline.StatusClass) string { return c.String() },
}).Parse(pageTemplate))

// Colors are the fills of the status classes: the Okabe–Ito palette,
// told apart with every common colour-vision deficiency.
var Colors = map[timeline.StatusClass]string{
	timeline.ClassStarting:  "#0072B2", // blue
	timeline.ClassInit:      "#F0E442", // yellow
	timeline.ClassRunning:   "#56B4E9", // sky blue
	timeline.ClassReady:     "#009E73", // bluish green
	timeline.ClassError:     "#CC79A7", // reddish purple
	timeline.ClassCrashLoop: "#D55E00", // vermillion
	timeline.ClassCompleted: "#000000", // black
	timeline.ClassOther:     "#E69F00", // orange
}

// Document is a chart and the tables printed under it.
type Document struct {
	Input
	// Report is the measured table of a comparison, if any.
	Report *compare.Report
	// Pods is the per-pod summary of the watch, if any.
	Pods []timeline.PodSummary
	// Generated is the time printed in the footer; zero leaves it out.
	Generated time.Time
}

type pageData struct {
	Title, Subtitle, CSP string
	CSS                  template.CSS
	Layout
	Classes  []timeline.StatusClass
	Measures []measureRow
	Pods     []podRow
}

type measureRow struct {
	Variant, Restarts, InCrash, InInit, BackOff, ErrorLines, InitLines, InitDone, Ready string
}

type podRow struct {
	Pod, Status, Restarts, TimeToReady, InStatus string
}

// CSP is the page's Content-Security-Policy: nothing may load (no script,
// font, image or connection) but the one inline style sheet, by its hash.
func CSP() string {
	sum := sha256.Sum256([]byte(css))
	return "default-src 'none'; style-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) +
		"'; img-src data:; base-uri 'none'; form-action 'none'"
}

// Write writes d as one self-contained HTML page.
func Write(w io.Writer, d Document) error {
	l := Place(d.Input)
	data := pageData{Title: d.Title, CSP: CSP(), CSS: template.CSS(css), Layout: l, Classes: timeline.StatusClasses}
	if data.Title == "" {
		data.Title = "kubectl initwait timeline"
	}
	data.Subtitle = fmt.Sprintf("%d pods from %s to %s UTC (%s)", l.Lanes,
		l.Start.UTC().Format("2006-01-02 15:04:05"), l.End.UTC().Format("15:04:05"), Seconds(l.End.Sub(l.Start)))
	if l.Lanes == 0 {
		data.Subtitle = "no pod showed a STATUS"
	}
	if !d.Generated.IsZero() {
		data.Subtitle += ", drawn " + d.Generated.UTC().Format(time.RFC3339)
	}
	if d.Report != nil {
		for _, m := range d.Report.Variants {
			data.Measures = append(data.Measures, measure(m))
		}
	}
	for _, p := range d.Pods {
		data.Pods = append(data.Pods, pod(p))
	}
	if err := page.Execute(w, data); err != nil {
		return fmt.Errorf("writing the chart: %w", err)
	}
	return nil
}

func measure(m compare.Measure) measureRow {
	r := measureRow{Variant: m.Variant, Restarts: fmt.Sprint(m.Restarts), InCrash: secs(m.InCrashSeconds),
		InInit: secs(m.InInitSeconds), BackOff: "-", ErrorLines: fmt.Sprint(m.ErrorLogLines),
		InitLines: fmt.Sprint(m.WaitLogLines), InitDone: "-", Ready: "not ready"}
	if m.BackOffSeconds > 0 {
		r.BackOff = secs(m.BackOffSeconds)
	}
	if m.InitDoneAfterDBSecs != nil {
		r.InitDone = fmt.Sprintf("%.2f s", *m.InitDoneAfterDBSecs)
	}
	if m.ReadyAfterDBSeconds != nil {
		r.Ready = fmt.Sprintf("%.2f s", *m.ReadyAfterDBSeconds)
	}
	return r
}

func pod(p timeline.PodSummary) podRow {
	r := podRow{Pod: p.Pod, Status: p.Status, Restarts: fmt.Sprint(p.Restarts), TimeToReady: "-"}
	if p.Deleted {
		r.Status += " (deleted)"
	}
	if p.TimeToReadySeconds != nil {
		r.TimeToReady = secs(*p.TimeToReadySeconds)
	}
	var parts []string
	for _, s := range p.InStatus {
		parts = append(parts, s.Status+" "+secs(s.Seconds))
	}
	r.InStatus = strings.Join(parts, ", ")
	return r
}

func secs(s float64) string {
	return render.Duration(time.Duration(s * float64(time.Second)))
}
