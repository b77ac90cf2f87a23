// Package record reads back the JSON lines of any of the plugin's outputs
// (`watch -o json`, `watch --record`, `up -o json`, `compare -o json`) as
// timeline entries, and writes a recording beside the normal output. It
// knows nothing about cobra or client-go.
package record

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/compare"
	"github.com/kubectl-initwait/kubectl-initwait/plugin/render"
	"github.com/kubectl-initwait/kubectl-initwait/plugin/timeline"
)

// maxLine is the longest JSON line read (a log line can be long).
const maxLine = 16 << 20

// Recording is what a file of JSON lines held.
type Recording struct {
	// Entries are the timeline's lines in the order they were written.
	Entries []timeline.Entry
	// Summary is the last summary line's pods, and SummaryAt its time.
	Summary   []timeline.PodSummary
	SummaryAt time.Time
	// Compare is the report of `compare -o json`, if the file has one.
	Compare *compare.Report
	// Namespace is the first namespace named.
	Namespace string
}

// line is a JSON line of any kind: the timeline's, the summary's or the
// comparison's.
type line struct {
	render.JSONLine
	// kind=compare
	DatabaseAppliedAt time.Time         `json:"databaseAppliedAt"`
	DatabaseReadyAt   time.Time         `json:"databaseReadyAt"`
	Variants          []compare.Measure `json:"variants"`
}

// Read reads JSON lines until EOF. A line that is not one of ours is an
// error naming its number; blank lines are skipped.
func Read(r io.Reader) (*Recording, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), maxLine)
	rec := &Recording{}
	n := 0
	for sc.Scan() {
		n++
		b := sc.Bytes()
		if len(strings.TrimSpace(string(b))) == 0 {
			continue
		}
		if err := rec.add(b); err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, fmt.Errorf("line %d: longer than %d MiB", n+1, maxLine>>20)
		}
		return nil, fmt.Errorf("line %d: %w", n+1, err)
	}
	if len(rec.Entries) == 0 && rec.Compare == nil && rec.Summary == nil {
		return nil, errors.New("no JSON lines of kubectl initwait (watch, up or compare -o json) in it")
	}
	return rec, nil
}

func (rec *Recording) add(b []byte) error {
	var l line
	if err := json.Unmarshal(b, &l); err != nil {
		return fmt.Errorf("not a JSON line of kubectl initwait: %w", syntaxOnly(err))
	}
	if rec.Namespace == "" {
		rec.Namespace = l.Namespace
	}
	if l.Kind == "compare" {
		rec.Compare = &compare.Report{Namespace: l.Namespace, DatabaseAppliedAt: l.DatabaseAppliedAt,
			DatabaseReadyAt: l.DatabaseReadyAt, Variants: measures(l.Variants)}
		return nil
	}
	at, err := time.Parse(time.RFC3339Nano, l.Time)
	if err != nil {
		return fmt.Errorf("invalid time %q: want RFC 3339", l.Time)
	}
	e := timeline.Entry{Time: at, Kind: l.Kind, Namespace: l.Namespace, Pod: l.Pod}
	switch l.Kind {
	case "summary":
		rec.Summary, rec.SummaryAt = summaries(l.Pods), at
		return nil
	case timeline.KindStatus:
		if l.Pod == "" || l.Status == "" {
			return errors.New(`a status line needs "pod" and "status"`)
		}
		s := &timeline.StatusInfo{Status: l.Status, Ready: l.Ready, Deleted: l.Deleted, Blocking: l.Blocking,
			Container: l.Container, BlockedFor: dur(l.BlockedSeconds), BackOff: dur(l.BackOffSeconds)}
		if l.Restarts != nil {
			s.Restarts, s.TotalRestarts = *l.Restarts, *l.Restarts
			s.RestartsText = fmt.Sprint(*l.Restarts)
		}
		if l.PodReady != nil {
			s.PodReady = *l.PodReady
		}
		e.Status = s
	case timeline.KindLog:
		if l.Line == nil {
			return errors.New(`a log line needs "line"`)
		}
		e.Log = &timeline.LogInfo{Container: l.Container, ContainerID: l.ContainerID, Line: *l.Line, Init: l.Init != nil && *l.Init}
	case timeline.KindEvent:
		e.Event = &timeline.EventInfo{Type: l.Type, Reason: l.Reason, Message: l.Message, Count: l.Count, Object: l.Object}
	case timeline.KindNotice:
		e.Notice = l.Message
	case "":
		return errors.New(`no "kind"`)
	default:
		return fmt.Errorf("unknown kind %q (want status, log, event, notice, summary or compare)", l.Kind)
	}
	rec.Entries = append(rec.Entries, e)
	return nil
}

// syntaxOnly drops encoding/json's Go type names from an error.
func syntaxOnly(err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Errorf("field %q has the wrong type (%s)", strings.TrimPrefix(te.Field, "JSONLine."), te.Value)
	}
	return err
}

func dur(s *float64) time.Duration {
	if s == nil {
		return 0
	}
	return time.Duration(*s * float64(time.Second))
}

func seconds(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

// summaries fills the durations that JSON carries as seconds.
func summaries(pods []timeline.PodSummary) []timeline.PodSummary {
	for i := range pods {
		p := &pods[i]
		for j := range p.InStatus {
			p.InStatus[j].Duration = seconds(p.InStatus[j].Seconds)
		}
		if p.TimeToReadySeconds != nil {
			p.TimeToReady = seconds(*p.TimeToReadySeconds)
		}
	}
	if pods == nil {
		pods = []timeline.PodSummary{}
	}
	return pods
}

// measures fills the durations that JSON carries as seconds.
func measures(ms []compare.Measure) []compare.Measure {
	for i := range ms {
		m := &ms[i]
		m.InCrash, m.InInit, m.BackOffAtEnd = seconds(m.InCrashSeconds), seconds(m.InInitSeconds), seconds(m.BackOffSeconds)
		if m.ReadyAfterDBSeconds != nil {
			d := seconds(*m.ReadyAfterDBSeconds)
			m.ReadyAfterDB = &d
		}
		if m.InitDoneAfterDBSecs != nil {
			d := seconds(*m.InitDoneAfterDBSecs)
			m.InitDoneAfterDB = &d
		}
	}
	return ms
}
