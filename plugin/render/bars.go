package render

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/fatih/color"
	"golang.org/x/term"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/timeline"
)

// barColors are the STATUS colours of the terminal bars, the terminal's
// nearest to the HTML chart's palette.
var barColors = map[timeline.StatusClass]color.Attribute{
	timeline.ClassStarting:  color.FgBlue,
	timeline.ClassInit:      color.FgYellow,
	timeline.ClassRunning:   color.FgCyan,
	timeline.ClassReady:     color.FgGreen,
	timeline.ClassError:     color.FgMagenta,
	timeline.ClassCrashLoop: color.FgRed,
	timeline.ClassCompleted: color.FgWhite,
	timeline.ClassOther:     color.FgHiBlack,
}

// BarChart draws one bar per pod over time, width columns wide in all:
// each column is the STATUS class the pod spent most of that time in, a
// full block in its colour, or its letter (timeline.StatusClass.Letter)
// without colour.
type BarChart struct {
	Width int
	Color bool
}

// Write draws lanes from start to end.
func (b BarChart) Write(w io.Writer, lanes []timeline.Lane, start, end time.Time) error {
	if len(lanes) == 0 {
		return nil
	}
	nameW := 0
	for _, l := range lanes {
		nameW = max(nameW, len([]rune(l.Pod)))
	}
	nameW = min(nameW, 40)
	cols := max(b.Width-nameW-3, 10)
	span := end.Sub(start)
	if span <= 0 {
		span = time.Second
	}
	colors := map[timeline.StatusClass]*color.Color{}
	for c, a := range barColors {
		colors[c] = color.New(a)
		if b.Color {
			colors[c].EnableColor()
		} else {
			colors[c].DisableColor()
		}
	}
	used := map[timeline.StatusClass]bool{}
	var out strings.Builder
	for _, l := range lanes {
		name := []rune(l.Pod)
		if len(name) > nameW {
			name = append(name[:nameW-1], '…')
		}
		fmt.Fprintf(&out, "%-*s |", nameW, string(name))
		for _, class := range columns(l.Segments, start, span, cols) {
			if class < 0 {
				out.WriteByte(' ')
				continue
			}
			c := timeline.StatusClass(class)
			used[c] = true
			if b.Color {
				out.WriteString(colors[c].Sprint("█"))
			} else {
				out.WriteByte(c.Letter())
			}
		}
		out.WriteString("|\n")
	}
	right := Duration(span)
	fmt.Fprintf(&out, "%-*s  0s%s%s\n", nameW, "", strings.Repeat(" ", max(cols-2-len(right), 1)), right)
	var legend []string
	for _, c := range timeline.StatusClasses {
		if !used[c] {
			continue
		}
		mark := string(c.Letter())
		if b.Color {
			mark = colors[c].Sprint("█")
		}
		legend = append(legend, mark+" "+c.String())
	}
	fmt.Fprintf(&out, "%-*s  %s\n", nameW, "", strings.Join(legend, "  "))
	_, err := io.WriteString(w, out.String())
	return err
}

// columns is the class of each of cols equal slices of [start, start+span):
// the one the segments cover most of the slice with, -1 where none does.
func columns(segs []timeline.Segment, start time.Time, span time.Duration, cols int) []int {
	out := make([]int, cols)
	var cover [8]time.Duration
	k := 0
	for i := range out {
		t0 := start.Add(span * time.Duration(i) / time.Duration(cols))
		t1 := start.Add(span * time.Duration(i+1) / time.Duration(cols))
		cover = [8]time.Duration{}
		for k < len(segs) && !segs[k].End.After(t0) {
			k++
		}
		for j := k; j < len(segs) && segs[j].Start.Before(t1); j++ {
			s := segs[j]
			from, to := s.Start, s.End
			if from.Before(t0) {
				from = t0
			}
			if to.After(t1) {
				to = t1
			}
			d := to.Sub(from)
			if d > 0 {
				cover[timeline.ClassOf(s.Status, s.Ready)] += d
			}
		}
		out[i] = -1
		var best time.Duration
		for c, d := range cover {
			if d > best {
				out[i], best = c, d
			}
		}
	}
	return out
}

// WithBars is a summary sink that passes everything on to Next and, after
// Next's summary, draws the bars of the pods it saw.
type WithBars struct {
	Next interface {
		timeline.Sink
		Summary(now time.Time, pods []timeline.PodSummary) error
	}
	Out   io.Writer
	Chart BarChart
	seg   timeline.Segmenter
	start time.Time
}

// Unwrap is the renderer the bars are drawn after (timeline.Wrapper).
func (s *WithBars) Unwrap() timeline.Sink { return s.Next }

// Emit records the STATUS of e and passes it on.
func (s *WithBars) Emit(e timeline.Entry) error {
	if e.Kind == timeline.KindStatus {
		s.seg.Observe(e)
	}
	return s.Next.Emit(e)
}

// Summary passes the summary on, then draws the bars up to now.
func (s *WithBars) Summary(now time.Time, pods []timeline.PodSummary) error {
	if err := s.Next.Summary(now, pods); err != nil {
		return err
	}
	return s.Bars(now)
}

// Bars draws the bars of the pods seen so far, up to now.
func (s *WithBars) Bars(now time.Time) error {
	lanes := s.seg.Lanes(now)
	var start time.Time
	for _, l := range lanes {
		if start.IsZero() || l.First.Before(start) {
			start = l.First
		}
	}
	return s.Chart.Write(s.Out, lanes, start, now)
}

// TermWidth is the width of the terminal w writes to; else $COLUMNS; else 100.
func TermWidth(w io.Writer, getenv func(string) string) int {
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		if cols, _, err := term.GetSize(int(f.Fd())); err == nil && cols > 0 {
			return cols
		}
	}
	if n, err := strconv.Atoi(getenv("COLUMNS")); err == nil && n > 0 {
		return n
	}
	return 100
}
