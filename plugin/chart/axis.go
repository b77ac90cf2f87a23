package chart

import (
	"math"
	"sort"
	"strconv"
	"time"
)

// labelRows places the Ready lines' labels above the plot: each in the
// first of labelRowsMax rows where it overlaps no label placed before it,
// ending at its line when it would otherwise leave the page. A label that
// finds no free row gets Row -1: not drawn, its line's tooltip says it.
func labelRows(lines []Line) {
	sort.SliceStable(lines, func(i, j int) bool { return lines[i].X < lines[j].X })
	var taken [labelRowsMax][][2]float64
	for i := range lines {
		ln := &lines[i]
		w := labelCharW*float64(len([]rune(ln.Label))) + 6
		from, to := ln.X, ln.X+w
		if to > Width {
			ln.LabelEnd = true
			from, to = ln.X-w, ln.X
		}
		ln.Row = -1
		for r := range taken {
			free := true
			for _, span := range taken[r] {
				free = free && (to <= span[0] || from >= span[1])
			}
			if free {
				ln.Row = r
				break
			}
		}
		if ln.Row >= 0 {
			taken[ln.Row] = append(taken[ln.Row], [2]float64{from, to})
		}
	}
}

// ticks are the axis' marks every 1, 2 or 5 × 10^k seconds, at most 12.
func ticks(span time.Duration, x func(time.Time) float64, start time.Time) []Tick {
	secs := span.Seconds()
	step := 1.0
	for k := 0.01; ; k *= 10 {
		found := false
		for _, m := range []float64{1, 2, 5} {
			if secs/(k*m) <= 12 {
				step, found = k*m, true
				break
			}
		}
		if found {
			break
		}
	}
	var out []Tick
	for i := 0; ; i++ {
		s := math.Round(float64(i)*step*100) / 100
		if s > secs+1e-9 {
			break
		}
		at := start.Add(time.Duration(s * float64(time.Second)))
		out = append(out, Tick{X: x(at), Label: strconv.FormatFloat(s, 'f', -1, 64) + " s"})
	}
	return out
}

// Seconds prints d in seconds with one decimal: 12.5 s.
func Seconds(d time.Duration) string {
	return strconv.FormatFloat(d.Seconds(), 'f', 1, 64) + " s"
}

func round1(f float64) float64 { return math.Round(f*10) / 10 }
