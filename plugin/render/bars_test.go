package render

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/timeline"
)

var bt0 = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

func barEntries() []timeline.Entry {
	st := func(s int, pod, status string, restarts int, ready bool) timeline.Entry {
		return timeline.Entry{Time: bt0.Add(time.Duration(s) * time.Second), Kind: timeline.KindStatus, Namespace: "ns", Pod: pod,
			Status: &timeline.StatusInfo{Status: status, Restarts: restarts, PodReady: ready}}
	}
	return []timeline.Entry{
		st(0, "webapp-7cc6d9f8b-x2x9q", "Init:0/1", 0, false), st(0, "naive", "Running", 0, false),
		st(10, "naive", "Error", 0, false), st(20, "naive", "CrashLoopBackOff", 0, false),
		st(40, "naive", "Running", 1, false), st(50, "naive", "Error", 1, false), st(60, "naive", "CrashLoopBackOff", 1, false),
		st(60, "webapp-7cc6d9f8b-x2x9q", "PodInitializing", 0, false), // 0 s
		st(60, "webapp-7cc6d9f8b-x2x9q", "Running", 0, true),
		st(90, "naive", "Running", 2, true),
		st(50, "late", "Running", 0, true),
	}
}

func TestBarChartLetters(t *testing.T) {
	lanes := timeline.Segments(barEntries(), bt0.Add(100*time.Second))
	for _, width := range []int{60, 123} {
		var b bytes.Buffer
		if err := (BarChart{Width: width}).Write(&b, lanes, bt0, bt0.Add(100*time.Second)); err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimRight(b.String(), "\n"), "\n")
		if len(lines) != 5 {
			t.Fatalf("width %d: %d lines:\n%s", width, len(lines), b.String())
		}
		cols := width - len("webapp-7cc6d9f8b-x2x9q") - 3
		for _, l := range lines[:3] {
			if n := len([]rune(l)); n != width {
				t.Errorf("width %d: bar line is %d wide: %q", width, n, l)
			}
		}
		bar := func(i int) string { l := lines[i]; return l[strings.IndexByte(l, '|')+1 : len(l)-1] }
		init, naive, late := bar(0), bar(1), bar(2)
		if strings.Trim(init, "IR") != "" || !strings.HasPrefix(init, strings.Repeat("I", cols*6/10-1)) || !strings.HasSuffix(init, strings.Repeat("R", cols*4/10-1)) {
			t.Errorf("width %d: init bar %q", width, init)
		}
		if !strings.HasPrefix(naive, "r") || strings.Count(naive, "EC") != 2 || !strings.HasSuffix(naive, "R") {
			t.Errorf("width %d: naive bar %q", width, naive)
		}
		if r := strings.TrimLeft(late, " "); strings.Trim(r, "R") != "" || len(r) < cols/2 || len(r) > cols/2+1 {
			t.Errorf("width %d: a pod first seen half-way: %q", width, late)
		}
		if !strings.HasSuffix(lines[3], "1m40s") || !strings.Contains(lines[4], "I Init:N/M") || !strings.Contains(lines[4], "C CrashLoopBackOff") ||
			strings.Contains(lines[4], "Completed") {
			t.Errorf("width %d: axis and legend:\n%s\n%s", width, lines[3], lines[4])
		}
	}
}

func TestBarChartColour(t *testing.T) {
	lanes := timeline.Segments(barEntries(), bt0.Add(100*time.Second))
	var b bytes.Buffer
	if err := (BarChart{Width: 80, Color: true}).Write(&b, lanes, bt0, bt0.Add(100*time.Second)); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if !strings.Contains(out, "\x1b[31m█") || !strings.Contains(out, "\x1b[33m█") || strings.Contains(out, "|IIII") {
		t.Errorf("no coloured blocks:\n%q", out)
	}
}

// The summary sink prints the table, then the bars; the JSON output gets none.
func TestWithBarsAfterSummary(t *testing.T) {
	var b bytes.Buffer
	s := &WithBars{Next: NewText(&b, false), Out: &b, Chart: BarChart{Width: 70}}
	for _, e := range barEntries() {
		if err := s.Emit(e); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Summary(bt0.Add(100*time.Second), nil); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	table, bars := strings.Index(out, "summary"), strings.Index(out, "naive                  |r")
	if table < 0 || bars < table {
		t.Errorf("bars not after the summary:\n%s", out)
	}
}

func TestTermWidth(t *testing.T) {
	env := func(v string) func(string) string { return func(string) string { return v } }
	if got := TermWidth(&bytes.Buffer{}, env("132")); got != 132 {
		t.Errorf("COLUMNS=132: %d", got)
	}
	if got := TermWidth(&bytes.Buffer{}, env("")); got != 100 {
		t.Errorf("no terminal, no COLUMNS: %d", got)
	}
}
