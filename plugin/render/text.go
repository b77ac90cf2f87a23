package render

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/timeline"
)

// Text writes one human-readable line per entry:
//
//	12:04:05.120 status webapp-7cc6d-x2x  Init:0/1  ready 0/1  restarts 0  (check-db-ready waiting 12s)
//	12:04:05.311 log    webapp-7cc6d-x2x  check-db-ready | waiting for database
//	12:04:06.000 event  webapp-7cc6d-x2x  Warning BackOff ×5: Back-off restarting failed container
type Text struct {
	w      io.Writer
	p      palette
	podW   int
	Layout string // time layout; default 15:04:05.000
}

// NewText returns a Text renderer writing to w, coloured when color is true.
func NewText(w io.Writer, color bool) *Text {
	return &Text{w: w, p: newPalette(color), Layout: "15:04:05.000"}
}

// Emit writes e.
func (t *Text) Emit(e timeline.Entry) error {
	var b strings.Builder
	b.WriteString(t.p.time.Sprint(e.Time.Local().Format(t.Layout)))
	b.WriteByte(' ')
	pod := e.Pod
	if len(pod) > t.podW {
		t.podW = min(len(pod), 48)
	}
	switch e.Kind {
	case timeline.KindStatus:
		b.WriteString(t.p.status.Sprint("status"))
		fmt.Fprintf(&b, " %-*s  ", t.podW, pod)
		t.status(&b, e.Status)
	case timeline.KindLog:
		b.WriteString(t.p.log.Sprint("log   "))
		fmt.Fprintf(&b, " %-*s  %s %s %s", t.podW, pod, t.p.log.Sprint(e.Log.Container), t.p.dim.Sprint("|"), e.Log.Line)
	case timeline.KindEvent:
		ev := e.Event
		c := t.p.event
		if ev.Type == "Warning" {
			c = t.p.warning
		}
		subject := pod
		if subject == "" {
			subject = ev.Object
		}
		b.WriteString(c.Sprint("event "))
		fmt.Fprintf(&b, " %-*s  %s %s", t.podW, subject, ev.Type, c.Sprint(ev.Reason))
		if ev.Count > 1 {
			fmt.Fprintf(&b, " ×%d", ev.Count)
		}
		b.WriteString(": " + strings.TrimSpace(ev.Message))
	case timeline.KindNotice:
		b.WriteString(t.p.notice.Sprint("note  "))
		if pod != "" {
			fmt.Fprintf(&b, " %-*s ", t.podW, pod)
		}
		b.WriteString(" " + e.Notice)
	default:
		return fmt.Errorf("render: unknown entry kind %q", e.Kind)
	}
	b.WriteByte('\n')
	_, err := io.WriteString(t.w, b.String())
	return err
}

func (t *Text) status(b *strings.Builder, s *timeline.StatusInfo) {
	c := t.p.waiting
	switch {
	case s.Deleted:
		c = t.p.dim
	case s.PodReady || s.Status == "Completed":
		c = t.p.good
	case isBad(s.Status):
		c = t.p.bad
	}
	status := s.Status
	if s.Deleted {
		status += " (deleted)"
	}
	fmt.Fprintf(b, "%s  ready %s  restarts %s", c.Sprintf("%-16s", status), s.Ready, s.RestartsText)
	var notes []string
	if s.Blocking != "" {
		notes = append(notes, fmt.Sprintf("%s for %s", s.Blocking, Duration(s.BlockedFor)))
	}
	if s.BackOff > 0 {
		who := s.Container
		if who != "" {
			who += " "
		}
		notes = append(notes, fmt.Sprintf("%sback-off %s after %s", who, Duration(s.BackOff), plural(s.Restarts, "restart")))
	}
	if len(notes) > 0 {
		b.WriteString("  " + t.p.dim.Sprint("("+strings.Join(notes, "; ")+")"))
	}
}

// plural writes n and the noun, with an s unless n is 1.
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func isBad(status string) bool {
	for _, bad := range []string{"Error", "CrashLoopBackOff", "ImagePull", "ErrImage", "OOMKilled", "Failed",
		"CreateContainer", "InvalidImageName", "Evicted", "ContainerStatusUnknown"} {
		if strings.Contains(status, bad) {
			return true
		}
	}
	return false
}

// Duration prints d the way kubectl prints ages, but with seconds kept
// below ten minutes: 850ms, 12s, 4m12s, 1h3m.
func Duration(d time.Duration) string {
	switch {
	case d < time.Second:
		return d.Round(10 * time.Millisecond).String()
	case d < 10*time.Minute:
		return d.Round(time.Second).String()
	case d < time.Hour:
		return strings.TrimSuffix(d.Round(time.Minute).String(), "0s")
	default:
		return strings.TrimSuffix(d.Round(time.Minute).String(), "0s")
	}
}
