// Package chart lays out the timeline of pods as one lane per pod, grouped
// by variant and coloured by STATUS over time, and writes it as one
// self-contained HTML file (inline SVG and CSS, nothing fetched). It knows
// nothing about client-go or cobra: it draws timeline.Lanes.
package chart

import (
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/timeline"
)

// Geometry of the chart, in SVG user units (pixels at 100 %).
const (
	Width      = 1200.0
	labelW     = 300.0
	rightPad   = 20.0
	plotW      = Width - labelW - rightPad
	topPad     = 56.0 // room for the ready lines' labels
	axisH      = 28.0
	groupH     = 22.0
	laneH      = 16.0
	laneGap    = 4.0
	maxLabel   = 44 // characters of a pod name shown in its label
	markBucket = 3.0
	// maxMarkLines is how many lines one mark's tooltip lists.
	maxMarkLines = 8
	// labelRowsMax rows of Ready labels fit above the axis; labelCharW
	// is the width of one of their characters, a little more than 10.5px
	// text's average.
	labelRowsMax = 4
	labelCharW   = 6.0
)

// Input is what a chart draws.
type Input struct {
	Title string
	Lanes []timeline.Lane
	// GroupOf maps a pod to its group (variant); nil: DefaultGroup.
	GroupOf func(pod string) string
	// Start and End bound the axis; zero: the first and last moment of the lanes.
	Start, End time.Time
	// Database is the group whose Ready is drawn as "database Ready".
	Database string
}

// Layout is a chart placed on the page: everything the template draws.
type Layout struct {
	Width, Height float64
	PlotX, PlotW  float64
	Start, End    time.Time
	Ticks         []Tick
	Groups        []Group
	Lines         []Line
	// Lanes is the number of lanes over all groups.
	Lanes int
}

// Tick is a mark of the time axis.
type Tick struct {
	X     float64
	Label string
}

// Group is a variant's lanes under its name.
type Group struct {
	Name  string
	Y     float64
	Lanes []LaneView
}

// LaneView is one pod's lane.
type LaneView struct {
	Pod, Label string
	Y          float64
	Segments   []SegmentView
	Restarts   []PointView
	Events     []PointView
	Logs       []PointView
}

// SegmentView is one STATUS span of a lane.
type SegmentView struct {
	X, W   float64
	Status string
	Class  timeline.StatusClass
	Title  string
}

// PointView is a restart, an event or a log line (or several close ones).
type PointView struct {
	X       float64
	Title   string
	Warning bool
}

// Line is a vertical line where a group became Ready.
type Line struct {
	X        float64
	Label    string
	Database bool
	// Row is the label's row above the plot, so that close labels do not
	// overlap; -1: no row was free, the label is only the line's tooltip.
	Row int
	// LabelEnd says the label ends at the line (it would leave the page on its right).
	LabelEnd bool
}

// Place lays out in: groups sorted by name with the database last, lanes
// in the order their pods were first seen, time scaled to the plot's width.
func Place(in Input) Layout {
	groupOf := in.GroupOf
	if groupOf == nil {
		groupOf = DefaultGroup
	}
	start, end := bounds(in)
	l := Layout{Width: Width, PlotX: labelW, PlotW: plotW, Start: start, End: end}
	span := end.Sub(start)
	if span <= 0 {
		span = time.Second
	}
	x := func(t time.Time) float64 {
		f := float64(t.Sub(start)) / float64(span)
		return round1(labelW + math.Max(0, math.Min(1, f))*plotW)
	}
	byGroup := map[string][]timeline.Lane{}
	var names []string
	for _, lane := range in.Lanes {
		g := groupOf(lane.Pod)
		if _, ok := byGroup[g]; !ok {
			names = append(names, g)
		}
		byGroup[g] = append(byGroup[g], lane)
	}
	sort.Slice(names, func(i, j int) bool {
		if (names[i] == in.Database) != (names[j] == in.Database) {
			return names[j] == in.Database
		}
		return names[i] < names[j]
	})
	y := topPad + axisH
	for _, name := range names {
		g := Group{Name: name, Y: y}
		y += groupH
		lanes := byGroup[name]
		sort.SliceStable(lanes, func(i, j int) bool { return lanes[i].First.Before(lanes[j].First) })
		for _, lane := range lanes {
			g.Lanes = append(g.Lanes, placeLane(lane, y, start, end, x))
			y += laneH + laneGap
		}
		l.Lanes += len(lanes)
		l.Groups = append(l.Groups, g)
		if at, ok := groupReady(lanes); ok && !at.Before(start) {
			label := name + " Ready " + Seconds(at.Sub(start))
			if name == in.Database && in.Database != "" {
				label = "database Ready " + Seconds(at.Sub(start))
			}
			l.Lines = append(l.Lines, Line{X: x(at), Label: label, Database: name == in.Database && in.Database != ""})
		}
	}
	labelRows(l.Lines)
	l.Height = y + 8
	l.Ticks = ticks(span, x, start)
	return l
}

// bounds is the axis' start and end: Input's, else the first STATUS seen
// and the end of the last segment.
func bounds(in Input) (start, end time.Time) {
	start, end = in.Start, in.End
	for _, lane := range in.Lanes {
		if in.Start.IsZero() && (start.IsZero() || lane.First.Before(start)) {
			start = lane.First
		}
		if in.End.IsZero() {
			for _, s := range lane.Segments {
				if s.End.After(end) {
					end = s.End
				}
			}
		}
	}
	if end.Before(start) {
		end = start
	}
	return start, end
}

func placeLane(lane timeline.Lane, y float64, start, end time.Time, x func(time.Time) float64) LaneView {
	v := LaneView{Pod: lane.Pod, Label: lane.Pod, Y: y}
	if r := []rune(lane.Pod); len(r) > maxLabel {
		v.Label = string(r[:maxLabel-1]) + "…"
	}
	for _, s := range lane.Segments {
		if s.Duration() <= 0 || s.End.Before(start) || s.Start.After(end) {
			continue // a STATUS shown for no time has no width to draw
		}
		x0, x1 := x(s.Start), x(s.End)
		w := round1(math.Max(x1-x0, 1))
		ready := ""
		if s.Ready {
			ready = ", Ready"
		}
		v.Segments = append(v.Segments, SegmentView{X: x0, W: w, Status: s.Status, Class: timeline.ClassOf(s.Status, s.Ready),
			Title: fmt.Sprintf("%s%s from %s to %s (%s)", s.Status, ready, Seconds(s.Start.Sub(start)), Seconds(s.End.Sub(start)), Seconds(s.Duration()))})
	}
	for _, r := range lane.Restarts {
		title := fmt.Sprintf("restart %d at %s", r.Count, Seconds(r.Time.Sub(start)))
		if r.BackOff > 0 {
			title += fmt.Sprintf(", after a back-off of %s", Seconds(r.BackOff))
		}
		v.Restarts = append(v.Restarts, PointView{X: x(r.Time), Title: title})
	}
	var events, logs []timeline.Mark
	for _, m := range lane.Marks {
		if m.Time.Before(start) || m.Time.After(end) {
			continue
		}
		if m.Kind == timeline.KindEvent {
			events = append(events, m)
		} else {
			logs = append(logs, m)
		}
	}
	v.Events, v.Logs = points(events, start, x), points(logs, start, x)
	return v
}

// points draws marks that fall within markBucket units of each other as
// one, whose tooltip lists the first maxMarkLines lines and counts the rest:
// a day of a poll's log lines stays a few hundred marks.
func points(marks []timeline.Mark, start time.Time, x func(time.Time) float64) []PointView {
	var out []PointView
	var lines []string
	more := 0
	flush := func() {
		if len(out) == 0 {
			return
		}
		p := &out[len(out)-1]
		for i, l := range lines {
			if i > 0 {
				p.Title += "\n"
			}
			p.Title += l
		}
		if more > 0 {
			p.Title += fmt.Sprintf("\n… and %d more", more)
		}
		lines, more = nil, 0
	}
	for _, m := range marks {
		mx := x(m.Time)
		if len(out) == 0 || mx-out[len(out)-1].X >= markBucket {
			flush()
			out = append(out, PointView{X: mx})
		}
		p := &out[len(out)-1]
		p.Warning = p.Warning || m.Warning
		if len(lines) < maxMarkLines {
			lines = append(lines, Seconds(m.Time.Sub(start))+" "+m.Text)
		} else {
			more++
		}
	}
	flush()
	return out
}

// groupReady is when the last pod of a group became Ready, if every pod of
// it still present did.
func groupReady(lanes []timeline.Lane) (time.Time, bool) {
	var at time.Time
	seen := false
	for _, l := range lanes {
		if l.Deleted {
			continue
		}
		if l.ReadyAt.IsZero() {
			return time.Time{}, false
		}
		seen = true
		if l.ReadyAt.After(at) {
			at = l.ReadyAt
		}
	}
	return at, seen
}
